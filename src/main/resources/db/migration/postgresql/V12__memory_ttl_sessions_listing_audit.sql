-- TTL of memory entries: ttl_seconds as the write gave it (a read with refresh_ttl moves
-- expires_at that far ahead again), expires_at when the entry stops being readable (null:
-- never). Checked at read time; the sweeper purges what has expired, oldest first, by the
-- partial index.
ALTER TABLE memory_entries ADD COLUMN ttl_seconds bigint CHECK (ttl_seconds >= 1);
ALTER TABLE memory_entries ADD COLUMN expires_at timestamptz;
ALTER TABLE memory_versions ADD COLUMN ttl_seconds bigint;
ALTER TABLE memory_versions ADD COLUMN expires_at timestamptz;
CREATE INDEX memory_expiring ON memory_entries (expires_at) WHERE expires_at IS NOT NULL;

-- Filters on metadata: equality ($eq, $in) becomes containment (metadata @> '{"a":{"b":1}}'),
-- which this index answers. Not on value: checkpoint values are large, and indexing them would
-- multiply the cost of every write.
CREATE INDEX memory_metadata ON memory_entries USING gin (metadata jsonb_path_ops) WITH (fastupdate = off);

-- Sessions newest first (GET /v1/sessions), one range per tenant.
CREATE INDEX sessions_newest ON sessions (tenant, created_at, id);

-- What was removed for good, by whom: purges of memory, deleted sessions. detail is JSON (what
-- and how many rows).
CREATE TABLE audit_log (
    id      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant  text        NOT NULL,
    at      timestamptz NOT NULL,
    actor   text        NOT NULL,
    action  text        NOT NULL,
    target  text        NOT NULL,
    detail  jsonb       NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant, id);
