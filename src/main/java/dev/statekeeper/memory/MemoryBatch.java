package dev.statekeeper.memory;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An atomic batch of memory writes ({@code POST /v1/memory/batch}): all of them or none.
 *
 * @param ops 1 to {@link #MAX_OPS} operations
 */
public record MemoryBatch(List<Op> ops) {

  public static final int MAX_OPS = 500;

  /**
   * One operation.
   *
   * @param op {@code put} or {@code delete}
   * @param value for a put: any JSON except null
   * @param type, text, metadata, ttlSeconds for a put, as in {@link MemoryWrite}
   * @param ifVersion the entry must be at this version (else the whole batch is 412)
   * @param ifAbsent true: the entry must not exist (put only)
   */
  public record Op(
      String op, String namespace, String key, JsonNode value, String type, String text, JsonNode metadata,
      Long ifVersion, Boolean ifAbsent, Long ttlSeconds) {

    public static Op put(String namespace, String key, MemoryWrite w) {
      return new Op("put", namespace, key, w.value(), w.type(), w.text(), w.metadata(), null, null, w.ttlSeconds());
    }

    public static Op delete(String namespace, String key) {
      return new Op("delete", namespace, key, null, null, null, null, null, null, null);
    }

    public Op onlyAtVersion(long version) {
      return new Op(op, namespace, key, value, type, text, metadata, version, ifAbsent, ttlSeconds);
    }

    public Op onlyIfAbsent() {
      return new Op(op, namespace, key, value, type, text, metadata, ifVersion, true, ttlSeconds);
    }
  }

  /**
   * What one operation did.
   *
   * @param entry the version a put or delete wrote; null for a delete of an entry that did not exist
   * @param created true when a put made a new entry
   */
  public record Result(String op, String namespace, String key, MemoryEntry entry, boolean created) {}
}
