-- Who this store is, for what outlives it in Redis: cached access decisions and grant
-- announcements carry it, so another store (or this one after a restore, which gives it a new
-- identity) sharing the same Redis never reuses them. One row; not carried by backups.
CREATE TABLE store_identity (
    id text NOT NULL
);
INSERT INTO store_identity (id) VALUES (gen_random_uuid()::text);
