package dev.statekeeper.documents;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A stored document.
 *
 * @param version 1 when created, one more for every replace
 * @param chunks how many chunks its text was split into
 * @param text the whole text (null in the answers of create and replace, which do not echo it)
 */
public record Document(
    String id,
    long version,
    int chunks,
    String title,
    String source,
    JsonNode metadata,
    String text,
    Instant createdAt,
    Instant updatedAt,
    String writtenBy) {

  Document withoutText() {
    return new Document(id, version, chunks, title, source, metadata, null, createdAt, updatedAt, writtenBy);
  }
}
