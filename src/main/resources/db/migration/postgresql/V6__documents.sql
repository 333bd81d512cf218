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
