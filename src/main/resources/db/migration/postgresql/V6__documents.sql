-- Documents (issue 8): text split into overlapping chunks; the chunks are what search finds.
-- A replace deletes the document's chunks and inserts the new ones in one transaction.
CREATE TABLE documents (
    tenant     text        NOT NULL,
    id         text        COLLATE "C" NOT NULL,
    version    bigint      NOT NULL CHECK (version >= 1),
    title      text,
    source     text,
    metadata   jsonb       NOT NULL,
    text       text        NOT NULL,
    chunks     integer     NOT NULL CHECK (chunks >= 1),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    written_by text,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE document_chunks (
    tenant      text    NOT NULL,
    document_id text    COLLATE "C" NOT NULL,
    chunk       integer NOT NULL CHECK (chunk >= 0),
    source      text,
    text        text    NOT NULL,
    text_tsv    tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    PRIMARY KEY (tenant, document_id, chunk)
);
CREATE INDEX document_chunks_by_source ON document_chunks (tenant, source);
CREATE INDEX document_chunks_text_search ON document_chunks USING gin (text_tsv) WITH (fastupdate = off);

-- Semantic search over documents, as for memory (V5): an outbox written with every create,
-- replace and delete, and one row of vectors per document — every chunk's float32 vector
-- (little-endian, normalised) one after the other, NULL once the document is deleted — with the
-- seq change log every node's in-memory index follows (max + 1 under an advisory lock).
CREATE TABLE document_embedding_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant          text        NOT NULL,
    document_id     text        COLLATE "C" NOT NULL,
    version         bigint      NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL
);
CREATE INDEX document_embedding_outbox_due ON document_embedding_outbox (next_attempt_at, id);
CREATE INDEX document_embedding_outbox_by_document ON document_embedding_outbox (tenant, document_id);

CREATE TABLE document_vectors (
    tenant      text        NOT NULL,
    document_id text        COLLATE "C" NOT NULL,
    version     bigint      NOT NULL,
    source      text,
    model       text        NOT NULL,
    vectors     bytea,
    seq         bigint      NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant, document_id)
);
CREATE UNIQUE INDEX document_vectors_by_seq ON document_vectors (seq);
