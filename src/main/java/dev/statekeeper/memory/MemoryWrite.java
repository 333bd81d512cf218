package dev.statekeeper.memory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The content of a write ({@code PUT /v1/memory/{namespace}/{key}}).
 *
 * @param value any JSON except null (required)
 * @param type {@code semantic} (default), {@code episodic} or {@code procedural}
 * @param text what keyword search finds the entry by (optional)
 * @param metadata a JSON object (default {@code {}})
 */
public record MemoryWrite(JsonNode value, String type, String text, JsonNode metadata) {

  public static MemoryWrite of(JsonNode value) {
    return new MemoryWrite(value, null, null, null);
  }

  public MemoryWrite withType(MemoryType t) {
    return new MemoryWrite(value, t == null ? null : t.wireName(), text, metadata);
  }

  public MemoryWrite withText(String t) {
    return new MemoryWrite(value, type, t, metadata);
  }

  public MemoryWrite withMetadata(JsonNode m) {
    return new MemoryWrite(value, type, text, m);
  }
}
