package dev.statekeeper.memory;

/**
 * A listing of current entries ({@code GET /v1/memory}).
 *
 * @param prefix a namespace whose subtree to list, by whole segments ({@code user:al} does not
 *     match {@code user:alice}); null lists every namespace
 * @param type only entries of this type, or null
 * @param limit 1-1000, default 100
 * @param cursor from the previous page's {@code next_cursor}, or null
 */
public record MemoryQuery(String prefix, String type, Integer limit, String cursor) {

  /** Every namespace the caller may read, first page. */
  public static MemoryQuery all() {
    return new MemoryQuery(null, null, null, null);
  }

  public static MemoryQuery prefix(String prefix) {
    return new MemoryQuery(prefix, null, null, null);
  }
}
