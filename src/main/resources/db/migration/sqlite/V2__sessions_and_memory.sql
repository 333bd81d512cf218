-- Sessions and versioned, namespaced memory. Times are INTEGER milliseconds since the epoch
-- (UTC); JSON is TEXT; booleans are INTEGER 0/1 (as on PostgreSQL, so backups carry them alike).

CREATE TABLE sessions (
    tenant      TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('active', 'terminated')),
    agent       TEXT,
    user_id     TEXT,
    state       TEXT    NOT NULL,
    -- the version of status and state (If-Match on the state); appends do not change it
    version     INTEGER NOT NULL,
    -- the seq of the last event appended; the next append continues from here
    event_count INTEGER NOT NULL CHECK (event_count >= 0),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
) STRICT;

-- Gap-free per session: seq values come from sessions.event_count, updated in the same
-- transaction that inserts the events.
CREATE TABLE session_events (
    tenant     TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    type       TEXT    NOT NULL,
    data       TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, session_id, seq)
) STRICT;
-- for the retention job (events older than a duration), oldest first
CREATE INDEX session_events_by_age ON session_events (created_at);

-- The current version of every memory entry, with its content: a read of "current" is one
-- lookup by key, listings and keyword search read only this table. id is the rowid the
-- full-text index refers to (an explicit INTEGER PRIMARY KEY, so VACUUM never renumbers it).
CREATE TABLE memory_entries (
    id              INTEGER PRIMARY KEY,
    tenant          TEXT    NOT NULL,
    namespace       TEXT    NOT NULL,
    key             TEXT    NOT NULL,
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    deleted         INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    type            TEXT    NOT NULL CHECK (type IN ('semantic', 'episodic', 'procedural')),
    value           TEXT,
    text            TEXT,
    metadata        TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    written_by      TEXT,
    -- also the index of listings by namespace prefix: namespace >= 'p:' AND namespace < 'p;'
    UNIQUE (tenant, namespace, key),
    -- a tombstone carries no content, so it is never in the full-text index
    CHECK (deleted = 0 OR (value IS NULL AND text IS NULL))
) STRICT;
CREATE INDEX memory_live_by_type ON memory_entries (tenant, type, namespace, key) WHERE deleted = 0;

-- Every version ever written (until retention removes old ones; never the current one).
CREATE TABLE memory_versions (
    tenant     TEXT    NOT NULL,
    namespace  TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    type       TEXT    NOT NULL,
    value      TEXT,
    text       TEXT,
    metadata   TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    written_by TEXT,
    PRIMARY KEY (tenant, namespace, key, version)
) STRICT;

-- Keyword search over the current, non-deleted entries' text. External content: the text
-- lives once, in memory_entries; the triggers keep the index in step with every change.
CREATE VIRTUAL TABLE memory_fts USING fts5(
    text,
    content = 'memory_entries',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER memory_fts_after_insert AFTER INSERT ON memory_entries
WHEN new.text IS NOT NULL
BEGIN
    INSERT INTO memory_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER memory_fts_after_delete AFTER DELETE ON memory_entries
WHEN old.text IS NOT NULL
BEGIN
    INSERT INTO memory_fts (memory_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

CREATE TRIGGER memory_fts_after_update AFTER UPDATE OF text ON memory_entries
BEGIN
    INSERT INTO memory_fts (memory_fts, rowid, text) SELECT 'delete', old.id, old.text WHERE old.text IS NOT NULL;
    INSERT INTO memory_fts (rowid, text) SELECT new.id, new.text WHERE new.text IS NOT NULL;
END;
