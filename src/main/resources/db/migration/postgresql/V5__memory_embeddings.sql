-- Semantic search over memory (issue 8).
--
-- embedding_outbox: work for the background embedding worker, written by every memory write and
-- delete in the same transaction as the write. Workers (one per node) claim due rows with
-- FOR UPDATE SKIP LOCKED and a lease (next_attempt_at moves ahead), embed the entry's current
-- text and delete the rows they finished; a failure moves next_attempt_at further ahead (backoff)
-- and records last_error.
CREATE TABLE embedding_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant          text        NOT NULL,
    namespace       text        COLLATE "C" NOT NULL,
    key             text        COLLATE "C" NOT NULL,
    version         bigint      NOT NULL CHECK (version >= 1),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL
);
CREATE INDEX embedding_outbox_due ON embedding_outbox (next_attempt_at, id);
CREATE INDEX embedding_outbox_by_entry ON embedding_outbox (tenant, namespace, key);

-- memory_vectors: the embedding of the current version of each entry (one row per entry; version
-- says which version was embedded; vector NULL once the entry was deleted or lost its text).
-- vector: float32 little-endian, normalised to length 1. seq: the change log every node's
-- in-memory index follows (WHERE seq > last seen). A change takes max(seq) + 1 while holding a
-- transaction-level advisory lock, so seq order is commit order and no follower skips a row.
CREATE TABLE memory_vectors (
    tenant     text        NOT NULL,
    namespace  text        COLLATE "C" NOT NULL,
    key        text        COLLATE "C" NOT NULL,
    version    bigint      NOT NULL CHECK (version >= 1),
    type       text        NOT NULL,
    model      text        NOT NULL,
    vector     bytea,
    seq        bigint      NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, namespace, key)
);
CREATE UNIQUE INDEX memory_vectors_by_seq ON memory_vectors (seq);
