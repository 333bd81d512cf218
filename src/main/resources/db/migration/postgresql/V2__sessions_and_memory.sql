-- Sessions and versioned, namespaced memory. Namespaces and keys use the "C" collation: their
-- order is byte order, so a namespace subtree is one btree range ('p' itself, then
-- namespace >= 'p:' AND namespace < 'p;'), the same on every server whatever its locale.
-- Booleans are smallint 0/1, as on SQLite, so backups carry them alike.

CREATE TABLE sessions (
    tenant      text        NOT NULL,
    id          text        NOT NULL,
    status      text        NOT NULL CHECK (status IN ('active', 'terminated')),
    agent       text,
    user_id     text,
    state       jsonb       NOT NULL,
    -- the version of status and state (If-Match on the state); appends do not change it
    version     bigint      NOT NULL,
    -- the seq of the last event appended; the next append continues from here
    event_count bigint      NOT NULL CHECK (event_count >= 0),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant, id)
);

-- Gap-free per session: seq values come from sessions.event_count, updated by the same
-- statement that inserts the events (the session row's lock orders concurrent appenders).
-- No foreign key, for the reason given at task_events in V1.
CREATE TABLE session_events (
    tenant     text        NOT NULL,
    session_id text        NOT NULL,
    seq        bigint      NOT NULL CHECK (seq >= 1),
    type       text        NOT NULL,
    data       jsonb,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, session_id, seq)
);
-- for the retention job (events older than a duration), oldest first
CREATE INDEX session_events_by_age ON session_events (created_at);

-- The current version of every memory entry, with its content: a read of "current" is one
-- lookup by primary key; listings and keyword search read only this table.
CREATE TABLE memory_entries (
    tenant          text        NOT NULL,
    namespace       text        COLLATE "C" NOT NULL,
    key             text        COLLATE "C" NOT NULL,
    current_version bigint      NOT NULL CHECK (current_version >= 1),
    deleted         smallint    NOT NULL CHECK (deleted IN (0, 1)),
    type            text        NOT NULL CHECK (type IN ('semantic', 'episodic', 'procedural')),
    value           jsonb,
    text            text,
    metadata        jsonb,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    written_by      text,
    -- keyword search; a tombstone has no text, so it is never found
    text_tsv        tsvector GENERATED ALWAYS AS (to_tsvector('english', COALESCE(text, ''))) STORED,
    -- also the index of listings by namespace prefix
    PRIMARY KEY (tenant, namespace, key),
    CHECK (deleted = 0 OR (value IS NULL AND text IS NULL))
);
CREATE INDEX memory_live_by_type ON memory_entries (tenant, type, namespace, key) WHERE deleted = 0;
-- fastupdate off: with it on, writes collect in a pending list that every search reads in
-- full until (auto)vacuum merges it, so search latency would follow vacuum timing; measured
-- with 30,000 fresh rows, the planner priced that list above a sequential scan.
CREATE INDEX memory_text_search ON memory_entries USING gin (text_tsv) WITH (fastupdate = off);

-- Every version ever written (until retention removes old ones; never the current one).
CREATE TABLE memory_versions (
    tenant     text        NOT NULL,
    namespace  text        COLLATE "C" NOT NULL,
    key        text        COLLATE "C" NOT NULL,
    version    bigint      NOT NULL CHECK (version >= 1),
    deleted    smallint    NOT NULL CHECK (deleted IN (0, 1)),
    type       text        NOT NULL,
    value      jsonb,
    text       text,
    metadata   jsonb,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    written_by text,
    PRIMARY KEY (tenant, namespace, key, version)
);
