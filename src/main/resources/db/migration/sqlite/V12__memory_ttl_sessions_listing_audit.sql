-- As the PostgreSQL migration of the same version; times are epoch milliseconds. SQLite has no
-- JSON index: a metadata filter is evaluated on the rows of the namespace range it reads.
ALTER TABLE memory_entries ADD COLUMN ttl_seconds INTEGER CHECK (ttl_seconds >= 1);
ALTER TABLE memory_entries ADD COLUMN expires_at INTEGER;
ALTER TABLE memory_versions ADD COLUMN ttl_seconds INTEGER;
ALTER TABLE memory_versions ADD COLUMN expires_at INTEGER;
CREATE INDEX memory_expiring ON memory_entries (expires_at) WHERE expires_at IS NOT NULL;

CREATE INDEX sessions_newest ON sessions (tenant, created_at, id);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    tenant  TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    detail  TEXT    NOT NULL
) STRICT;
CREATE INDEX audit_log_by_tenant ON audit_log (tenant, id);
