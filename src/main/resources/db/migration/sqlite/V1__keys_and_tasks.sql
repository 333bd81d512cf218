-- Times are INTEGER milliseconds since the epoch (UTC); JSON is TEXT.

CREATE TABLE api_keys (
    id          TEXT    PRIMARY KEY,
    tenant      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('root', 'admin', 'agent', 'reader')),
    secret_hash BLOB    NOT NULL,
    created_at  INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)),
    revoked_at  INTEGER
) STRICT;
CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at);

CREATE TABLE tasks (
    tenant           TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    queue            TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    priority         INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'claimed', 'completed', 'failed', 'cancelled')),
    attempt          INTEGER NOT NULL CHECK (attempt >= 0),
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    version          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    run_after        INTEGER NOT NULL,
    claimed_by       TEXT,
    lease_expires_at INTEGER,
    deadline         INTEGER,
    sla_status       TEXT    NOT NULL CHECK (sla_status IN ('none', 'pending', 'met', 'violated')),
    result           TEXT,
    error            TEXT,
    PRIMARY KEY (tenant, id),
    CHECK ((status = 'claimed') = (lease_expires_at IS NOT NULL)),
    CHECK (status <> 'claimed' OR claimed_by IS NOT NULL)
) STRICT;
CREATE INDEX tasks_claimable ON tasks (tenant, queue, priority, created_at, id) WHERE status = 'pending';
CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE status = 'claimed';
CREATE INDEX tasks_sla_unsettled ON tasks (deadline) WHERE sla_status = 'pending';

-- The audit trail. Rows are written only by the statement (or transaction) that makes the change
-- they record. No foreign key: PostgreSQL's cached referential-integrity plan is a sequential
-- scan when it was first planned against an empty table, which made every insert O(table size)
-- until the next ANALYZE; `statekeeper verify` checks for orphans instead.
CREATE TABLE task_events (
    seq         INTEGER PRIMARY KEY,
    tenant      TEXT    NOT NULL,
    task_id     TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT,
    action      TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    attempt     INTEGER NOT NULL,
    detail      TEXT
) STRICT;
CREATE INDEX task_events_by_task ON task_events (tenant, task_id, seq);

CREATE TABLE task_idempotency_keys (
    tenant       TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    task_id      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant, key)
) STRICT;
CREATE INDEX task_idempotency_keys_by_age ON task_idempotency_keys (created_at);
