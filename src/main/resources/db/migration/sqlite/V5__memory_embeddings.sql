-- Semantic search over memory (issue 8).
--
-- embedding_outbox: work for the background embedding worker, written by every memory write and
-- delete in the same transaction as the write. The worker claims due rows (a lease: it moves
-- next_attempt_at ahead), embeds the entry's current text and deletes the rows it finished; a
-- failure moves next_attempt_at further ahead (backoff) and records last_error.
CREATE TABLE embedding_outbox (
    id              INTEGER PRIMARY KEY,
    tenant          TEXT    NOT NULL,
    namespace       TEXT    NOT NULL,
    key             TEXT    NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 1),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX embedding_outbox_due ON embedding_outbox (next_attempt_at, id);
CREATE INDEX embedding_outbox_by_entry ON embedding_outbox (tenant, namespace, key);

-- memory_vectors: the embedding of the current version of each entry (one row per entry; version
-- says which version was embedded; vector NULL once the entry was deleted or lost its text).
-- vector: float32 little-endian, normalised to length 1. seq: the change log every node's
-- in-memory index follows (WHERE seq > last seen); a change takes max(seq) + 1 under the single
-- writer, so seq order is commit order.
CREATE TABLE memory_vectors (
    tenant     TEXT    NOT NULL,
    namespace  TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    type       TEXT    NOT NULL,
    model      TEXT    NOT NULL,
    vector     BLOB,
    seq        INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, namespace, key)
) STRICT;
CREATE UNIQUE INDEX memory_vectors_by_seq ON memory_vectors (seq);
