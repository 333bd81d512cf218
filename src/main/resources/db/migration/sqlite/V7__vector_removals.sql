-- Removals in the vector change logs (a NULL vector, kept so every node's index sees it) are
-- purged once they are a day old (search/VectorLog); these indexes find them without reading
-- every vector.
CREATE INDEX memory_vectors_removed ON memory_vectors (updated_at) WHERE vector IS NULL;
CREATE INDEX document_vectors_removed ON document_vectors (updated_at) WHERE vectors IS NULL;
