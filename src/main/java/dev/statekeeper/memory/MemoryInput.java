package dev.statekeeper.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.statekeeper.Cursors;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.StorableJson;
import java.util.Locale;

/**
 * Checks of everything a client sends about memory, each failing with a stable code and a
 * message that names the field and the limit; and the cursors handed out with pages.
 */
final class MemoryInput {

  static final int MAX_TEXT = 65_536;
  static final int MAX_METADATA_BYTES = 65_536;
  static final int DEFAULT_LIST_LIMIT = 100;
  static final int MAX_LIST_LIMIT = 1_000;
  static final int DEFAULT_SEARCH_LIMIT = 10;
  static final int MAX_SEARCH_LIMIT = 100;
  static final int MAX_SEARCH_OFFSET = 10_000;
  /** Ten years: longer is "never", which is no TTL at all. */
  static final long MAX_TTL_SECONDS = 10L * 365 * 24 * 3600;

  private MemoryInput() {}

  static MemoryRepository.Content content(MemoryWrite w, long maxValueBytes) {
    if (w == null) {
      throw new InvalidInput("invalid_value", "a write needs a body: {\"value\": …}");
    }
    JsonNode value = w.value();
    if (value == null || value.isNull() || value.isMissingNode()) {
      throw new InvalidInput("invalid_value", "value is required and may not be null (DELETE removes an entry)");
    }
    StorableJson.check("value", "invalid_value", value);
    String valueJson = JsonColumns.write(value);
    long bytes = StorableJson.utf8Length(valueJson);
    if (bytes > maxValueBytes) {
      throw new StatekeeperException.PayloadTooLarge(
          "value_too_large", "value may be at most " + maxValueBytes + " bytes as JSON (max-memory-value-bytes); got " + bytes);
    }
    MemoryType type = w.type() == null ? MemoryType.SEMANTIC : MemoryType.parse(w.type());
    String text = text(w.text());
    JsonNode metadata = w.metadata();
    if (metadata == null || metadata.isNull()) {
      metadata = JsonNodeFactory.instance.objectNode();
    }
    if (!metadata.isObject()) {
      throw new InvalidInput(
          "invalid_metadata", "metadata must be a JSON object; got " + metadata.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    StorableJson.check("metadata", "invalid_metadata", metadata);
    String metadataJson = JsonColumns.write(metadata);
    long metadataBytes = StorableJson.utf8Length(metadataJson);
    if (metadataBytes > MAX_METADATA_BYTES) {
      throw new InvalidInput(
          "invalid_metadata", "metadata may be at most " + MAX_METADATA_BYTES + " bytes as JSON; got " + metadataBytes);
    }
    return new MemoryRepository.Content(type, valueJson, text, metadataJson, ttl(w.ttlSeconds()));
  }

  static Long ttl(Long ttlSeconds) {
    if (ttlSeconds != null && (ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS)) {
      throw new InvalidInput(
          "invalid_ttl", "ttl_seconds must be between 1 and " + MAX_TTL_SECONDS + " (ten years); got " + ttlSeconds
              + " (leave it out for an entry that never expires)");
    }
    return ttlSeconds;
  }

  static int offset(Integer offset) {
    if (offset == null) {
      return 0;
    }
    if (offset < 0 || offset > MAX_SEARCH_OFFSET) {
      throw new InvalidInput("invalid_offset", "offset must be between 0 and " + MAX_SEARCH_OFFSET + "; got " + offset);
    }
    return offset;
  }

  static boolean descending(String order) {
    if (order == null || order.isEmpty() || order.equals("asc")) {
      return false;
    }
    if (order.equals("desc")) {
      return true;
    }
    throw new InvalidInput("invalid_order", "order must be asc or desc; got '" + order + "'");
  }

  /**
   * The operations of a batch, checked as single writes are; a bad one fails the whole batch with
   * its index in the message.
   */
  static java.util.List<MemoryRepository.Op> batch(MemoryBatch batch, long maxValueBytes) {
    if (batch == null || batch.ops() == null || batch.ops().isEmpty()) {
      throw new InvalidInput("invalid_batch", "a batch needs ops: {\"ops\": [{\"op\": \"put\", …}]}");
    }
    if (batch.ops().size() > MemoryBatch.MAX_OPS) {
      throw new InvalidInput(
          "batch_too_large", "a batch may hold at most " + MemoryBatch.MAX_OPS + " ops; got " + batch.ops().size());
    }
    java.util.List<MemoryRepository.Op> out = new java.util.ArrayList<>(batch.ops().size());
    for (int i = 0; i < batch.ops().size(); i++) {
      MemoryBatch.Op op = batch.ops().get(i);
      try {
        out.add(op(op, maxValueBytes));
      } catch (InvalidInput e) {
        throw new InvalidInput(e.code(), "ops[" + i + "]: " + e.getMessage());
      } catch (StatekeeperException.PayloadTooLarge e) {
        throw new StatekeeperException.PayloadTooLarge(e.code(), "ops[" + i + "]: " + e.getMessage());
      }
    }
    return out;
  }

  private static MemoryRepository.Op op(MemoryBatch.Op op, long maxValueBytes) {
    if (op == null) {
      throw new InvalidInput("invalid_batch", "an op is an object: {\"op\": \"put\"|\"delete\", \"namespace\": …, \"key\": …}");
    }
    String ns = Namespaces.namespace(op.namespace());
    String key = Namespaces.key(op.key());
    boolean absent = Boolean.TRUE.equals(op.ifAbsent());
    if (absent && op.ifVersion() != null) {
      throw new InvalidInput("invalid_precondition", "give if_version or if_absent, not both");
    }
    if (op.ifVersion() != null && op.ifVersion() < 1) {
      throw new InvalidInput("invalid_precondition", "if_version must be 1 or more; got " + op.ifVersion());
    }
    Precondition pre = absent ? Precondition.ABSENT : op.ifVersion() != null ? Precondition.ifVersion(op.ifVersion()) : Precondition.NONE;
    if ("put".equals(op.op())) {
      return new MemoryRepository.Op.Put(ns, key, content(
          new MemoryWrite(op.value(), op.type(), op.text(), op.metadata(), op.ttlSeconds()), maxValueBytes), pre);
    }
    if ("delete".equals(op.op())) {
      if (op.value() != null || op.type() != null || op.text() != null || op.metadata() != null || op.ttlSeconds() != null) {
        throw new InvalidInput("invalid_batch", "a delete takes only namespace, key and if_version");
      }
      if (absent) {
        throw new InvalidInput("invalid_precondition", "if_absent cannot apply to a delete");
      }
      return new MemoryRepository.Op.Delete(ns, key, pre);
    }
    throw new InvalidInput("invalid_op", "op must be put or delete; got " + (op.op() == null ? "nothing" : "'" + op.op() + "'"));
  }


  private static String text(String text) {
    if (text == null) {
      return null;
    }
    if (text.length() > MAX_TEXT) {
      throw new InvalidInput("invalid_text", "text may be at most " + MAX_TEXT + " characters; got " + text.length());
    }
    return StorableJson.text("text", "invalid_text", text);
  }

  static MemoryType type(String type) {
    return type == null || type.isEmpty() ? null : MemoryType.parse(type);
  }

  static int limit(Integer limit, int dflt, int max) {
    if (limit == null) {
      return dflt;
    }
    if (limit < 1 || limit > max) {
      throw new InvalidInput("invalid_limit", "limit must be between 1 and " + max + "; got " + limit);
    }
    return limit;
  }

  // ---------------------------------------------------------------- cursors

  static String listCursor(MemoryEntry last) {
    return Cursors.encode(last.namespace() + "/" + last.key());
  }

  /** {namespace, key} of a listing cursor, or null for none. */
  static String[] decodeListCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    String text = Cursors.decode(cursor);
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash > 0) {
      try {
        return new String[] {Namespaces.namespace(text.substring(0, slash)), Namespaces.key(text.substring(slash + 1))};
      } catch (InvalidInput ignored) {
        // reported below
      }
    }
    throw Cursors.invalid();
  }

  static String historyCursor(MemoryEntry last) {
    return Cursors.encode("v" + last.version());
  }

  /** The version a history cursor continues after, 0 for none. */
  static long decodeHistoryCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return 0;
    }
    String text = Cursors.decode(cursor);
    if (text != null && text.matches("v[0-9]{1,18}")) {
      return Long.parseLong(text.substring(1));
    }
    throw Cursors.invalid();
  }

}
