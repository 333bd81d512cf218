package dev.statekeeper.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads and writes JSON columns (jsonb on PostgreSQL, TEXT on SQLite). */
public final class JsonColumns {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonColumns() {}

  public static String write(JsonNode node) {
    if (node == null) {
      return null;
    }
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JsonNode could not be written, which indicates a bug", e);
    }
  }

  public static JsonNode read(String text) {
    if (text == null) {
      return null;
    }
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON could not be read: " + e.getOriginalMessage(), e);
    }
  }

  /** A small JSON object from alternating keys and values, for audit details. */
  public static String object(Object... keysAndValues) {
    var node = MAPPER.createObjectNode();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      Object v = keysAndValues[i + 1];
      if (v != null) {
        node.set((String) keysAndValues[i], MAPPER.valueToTree(v));
      }
    }
    return node.isEmpty() ? null : write(node);
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
