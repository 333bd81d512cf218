package dev.statekeeper.memory;

/**
 * A listing of current entries ({@code GET /v1/memory}).
 *
 * @param prefix a namespace whose subtree to list, by whole segments ({@code user:al} does not
 *     match {@code user:alice}); null lists every namespace
 * @param namespace exactly this namespace (not its subtree); not with {@code prefix}
 * @param type only entries of this type, or null
 * @param order {@code asc} (default) or {@code desc}: by namespace, then key
 * @param startAfter only keys after this one (in every namespace listed), or null
 * @param endBefore only keys before this one, or null
 * @param filter conditions on {@code metadata} and {@code value} ({@link MemoryFilter}), as JSON, or null
 * @param limit 1-1000, default 100
 * @param cursor from the previous page's {@code next_cursor}, or null
 */
public record MemoryQuery(
    String prefix, String namespace, String type, String order, String startAfter, String endBefore, String filter,
    Integer limit, String cursor) {

  public MemoryQuery(String prefix, String type, Integer limit, String cursor) {
    this(prefix, null, type, null, null, null, null, limit, cursor);
  }

  /** Every namespace the caller may read, first page. */
  public static MemoryQuery all() {
    return new MemoryQuery(null, null, null, null);
  }

  public static MemoryQuery prefix(String prefix) {
    return new MemoryQuery(prefix, null, null, null);
  }

  /** One namespace, not its subtree. */
  public static MemoryQuery namespace(String namespace) {
    return new MemoryQuery(null, namespace, null, null, null, null, null, null, null);
  }

  public MemoryQuery newestFirst() {
    return new MemoryQuery(prefix, namespace, type, "desc", startAfter, endBefore, filter, limit, cursor);
  }

  public MemoryQuery withLimit(Integer l) {
    return new MemoryQuery(prefix, namespace, type, order, startAfter, endBefore, filter, l, cursor);
  }

  public MemoryQuery withCursor(String c) {
    return new MemoryQuery(prefix, namespace, type, order, startAfter, endBefore, filter, limit, c);
  }

  public MemoryQuery withKeysBetween(String after, String before) {
    return new MemoryQuery(prefix, namespace, type, order, after, before, filter, limit, cursor);
  }

  public MemoryQuery withFilter(String f) {
    return new MemoryQuery(prefix, namespace, type, order, startAfter, endBefore, f, limit, cursor);
  }
}
