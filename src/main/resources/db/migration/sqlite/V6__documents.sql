-- Documents (issue 8): text split into overlapping chunks; the chunks are what search finds.
-- A replace deletes the document's chunks and inserts the new ones in one transaction.
CREATE TABLE documents (
    tenant     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    title      TEXT,
    source     TEXT,
    metadata   TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    chunks     INTEGER NOT NULL CHECK (chunks >= 1),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    written_by TEXT,
    PRIMARY KEY (tenant, id)
) STRICT;

CREATE TABLE document_chunks (
    id          INTEGER PRIMARY KEY,
    tenant      TEXT    NOT NULL,
    document_id TEXT    NOT NULL,
    chunk       INTEGER NOT NULL CHECK (chunk >= 0),
    source      TEXT,
    text        TEXT    NOT NULL,
    UNIQUE (tenant, document_id, chunk)
) STRICT;
CREATE INDEX document_chunks_by_source ON document_chunks (tenant, source);

CREATE VIRTUAL TABLE document_chunks_fts USING fts5(
    text,
    content = 'document_chunks',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER document_chunks_fts_after_insert AFTER INSERT ON document_chunks
BEGIN
    INSERT INTO document_chunks_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER document_chunks_fts_after_delete AFTER DELETE ON document_chunks
BEGIN
    INSERT INTO document_chunks_fts (document_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- Semantic search over documents, as for memory (V5): an outbox written with every create,
-- replace and delete, and one row of vectors per document — every chunk's float32 vector
-- (little-endian, normalised) one after the other, NULL once the document is deleted — with the
-- seq change log every node's in-memory index follows.
CREATE TABLE document_embedding_outbox (
    id              INTEGER PRIMARY KEY,
    tenant          TEXT    NOT NULL,
    document_id     TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX document_embedding_outbox_due ON document_embedding_outbox (next_attempt_at, id);
CREATE INDEX document_embedding_outbox_by_document ON document_embedding_outbox (tenant, document_id);

CREATE TABLE document_vectors (
    tenant      TEXT    NOT NULL,
    document_id TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    source      TEXT,
    model       TEXT    NOT NULL,
    vectors     BLOB,
    seq         INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant, document_id)
) STRICT;
CREATE UNIQUE INDEX document_vectors_by_seq ON document_vectors (seq);
