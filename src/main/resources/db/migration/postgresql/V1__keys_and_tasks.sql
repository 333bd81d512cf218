-- API keys: only a SHA-256 hash of the secret is stored.
CREATE TABLE api_keys (
    id          text        PRIMARY KEY,
    tenant      text        NOT NULL,
    subject     text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('root', 'admin', 'agent', 'reader')),
    secret_hash bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT statement_timestamp(),
    revoked_at  timestamptz
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at);

CREATE TABLE tasks (
    tenant           text        NOT NULL,
    id               text        NOT NULL,
    queue            text        NOT NULL,
    type             text        NOT NULL,
    payload          jsonb       NOT NULL,
    priority         smallint    NOT NULL CHECK (priority BETWEEN 0 AND 3),
    status           text        NOT NULL CHECK (status IN ('pending', 'claimed', 'completed', 'failed', 'cancelled')),
    attempt          integer     NOT NULL CHECK (attempt >= 0),
    max_attempts     integer     NOT NULL CHECK (max_attempts >= 1),
    version          bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    run_after        timestamptz NOT NULL,
    claimed_by       text,
    lease_expires_at timestamptz,
    deadline         timestamptz,
    sla_status       text        NOT NULL CHECK (sla_status IN ('none', 'pending', 'met', 'violated')),
    result           jsonb,
    error            text,
    PRIMARY KEY (tenant, id),
    -- a lease exists exactly while the task is claimed; the last holder stays recorded after it
    CHECK ((status = 'claimed') = (lease_expires_at IS NOT NULL)),
    CHECK (status <> 'claimed' OR claimed_by IS NOT NULL)
);
-- Claims read only pending rows, so a million finished tasks cost nothing here.
CREATE INDEX tasks_claimable ON tasks (tenant, queue, priority, created_at, id) WHERE status = 'pending';
-- The lease reaper reads only claimed rows.
CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE status = 'claimed';
-- The SLA sweeper reads only unsettled deadlines.
CREATE INDEX tasks_sla_unsettled ON tasks (deadline) WHERE sla_status = 'pending';
-- Deliberately no index on (tenant, status): every transition would write to it, and PostgreSQL's
-- generic plan for a fenced update picked it over the primary key before the first ANALYZE,
-- scanning every claimed row of the tenant on each complete (a 10x slowdown, measured).

-- The audit trail. Rows are written only by the statement (or transaction) that makes the change
-- they record. No foreign key: PostgreSQL's cached referential-integrity plan is a sequential
-- scan when it was first planned against an empty table, which made every insert O(table size)
-- until the next ANALYZE; `statekeeper verify` checks for orphans instead.
CREATE TABLE task_events (
    tenant      text        NOT NULL,
    task_id     text        NOT NULL,
    seq         bigint      GENERATED ALWAYS AS IDENTITY,
    at          timestamptz NOT NULL,
    actor       text,
    action      text        NOT NULL,
    from_status text,
    to_status   text,
    attempt     integer     NOT NULL,
    detail      jsonb,
    -- one index serves both identity and reading a task's trail in order
    PRIMARY KEY (tenant, task_id, seq)
);

-- Idempotency-Key → task, per tenant; purged after the configured retention (24 h by default).
CREATE TABLE task_idempotency_keys (
    tenant       text        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    task_id      text        NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant, key)
);
CREATE INDEX task_idempotency_keys_by_age ON task_idempotency_keys (created_at);
