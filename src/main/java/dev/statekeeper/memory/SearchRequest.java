package dev.statekeeper.memory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A search over current entries ({@code POST /v1/memory/search}).
 *
 * @param query words to look for; without it, the entries that pass the other conditions, most
 *     recently updated first (and no score)
 * @param prefix only entries in this namespace subtree, or null
 * @param type only entries of this type, or null
 * @param mode {@code keyword}, {@code semantic} or {@code hybrid}; null means hybrid
 * @param limit 1-100, default 10
 * @param filter conditions on {@code metadata} and {@code value} ({@link MemoryFilter}), or null
 * @param offset how many of the best results to skip (0-10000, default 0)
 */
public record SearchRequest(
    String query, String prefix, String type, String mode, Integer limit, JsonNode filter, Integer offset) {

  public SearchRequest(String query, String prefix, String type, String mode, Integer limit) {
    this(query, prefix, type, mode, limit, null, null);
  }

  public static SearchRequest keyword(String query) {
    return new SearchRequest(query, null, null, "keyword", null);
  }

  public SearchRequest withPrefix(String p) {
    return new SearchRequest(query, p, type, mode, limit, filter, offset);
  }

  public SearchRequest withType(MemoryType t) {
    return new SearchRequest(query, prefix, t == null ? null : t.wireName(), mode, limit, filter, offset);
  }

  public SearchRequest withLimit(Integer l) {
    return new SearchRequest(query, prefix, type, mode, l, filter, offset);
  }

  public SearchRequest withFilter(JsonNode f) {
    return new SearchRequest(query, prefix, type, mode, limit, f, offset);
  }

  public SearchRequest withOffset(Integer o) {
    return new SearchRequest(query, prefix, type, mode, limit, filter, o);
  }
}
