package dev.statekeeper.memory;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One search result: the current version of an entry and its score. Higher scores are better
 * matches; scores compare only within one answer (SQLite ranks with BM25, PostgreSQL with {@code
 * ts_rank}). A search without a query has no score (null).
 */
public record SearchHit(
    String namespace,
    String key,
    long version,
    Double score,
    MemoryType type,
    JsonNode value,
    String text,
    JsonNode metadata,
    Instant createdAt,
    Instant updatedAt,
    String writtenBy,
    Instant expiresAt) {

  static SearchHit of(MemoryEntry e, Double score) {
    return new SearchHit(
        e.namespace(), e.key(), e.version(), score, e.type(), e.value(), e.text(), e.metadata(),
        e.createdAt(), e.updatedAt(), e.writtenBy(), e.expiresAt());
  }
}
