package dev.statekeeper.memory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The content of a write ({@code PUT /v1/memory/{namespace}/{key}}).
 *
 * @param value any JSON except null (required)
 * @param type {@code semantic} (default), {@code episodic} or {@code procedural}
 * @param text what keyword search finds the entry by (optional)
 * @param metadata a JSON object (default {@code {}})
 * @param ttlSeconds seconds until the entry expires (it then reads as not found and is purged);
 *     null: never. Each write sets its own: a write without it makes the entry permanent.
 */
public record MemoryWrite(JsonNode value, String type, String text, JsonNode metadata, Long ttlSeconds) {

  public MemoryWrite(JsonNode value, String type, String text, JsonNode metadata) {
    this(value, type, text, metadata, null);
  }

  public static MemoryWrite of(JsonNode value) {
    return new MemoryWrite(value, null, null, null, null);
  }

  public MemoryWrite withTtlSeconds(Long ttl) {
    return new MemoryWrite(value, type, text, metadata, ttl);
  }

  public MemoryWrite withType(MemoryType t) {
    return new MemoryWrite(value, t == null ? null : t.wireName(), text, metadata, ttlSeconds);
  }

  public MemoryWrite withText(String t) {
    return new MemoryWrite(value, type, t, metadata, ttlSeconds);
  }

  public MemoryWrite withMetadata(JsonNode m) {
    return new MemoryWrite(value, type, text, m, ttlSeconds);
  }
}
