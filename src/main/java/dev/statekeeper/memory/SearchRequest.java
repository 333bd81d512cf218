package dev.statekeeper.memory;

/**
 * A search over the text of current entries ({@code POST /v1/memory/search}).
 *
 * @param query words to look for (required)
 * @param prefix only entries in this namespace subtree, or null
 * @param type only entries of this type, or null
 * @param mode {@code keyword}, {@code semantic} or {@code hybrid}; null means hybrid
 * @param limit 1-100, default 10
 */
public record SearchRequest(String query, String prefix, String type, String mode, Integer limit) {

  public static SearchRequest keyword(String query) {
    return new SearchRequest(query, null, null, "keyword", null);
  }

  public SearchRequest withPrefix(String p) {
    return new SearchRequest(query, p, type, mode, limit);
  }

  public SearchRequest withType(MemoryType t) {
    return new SearchRequest(query, prefix, t == null ? null : t.wireName(), mode, limit);
  }

  public SearchRequest withLimit(Integer l) {
    return new SearchRequest(query, prefix, type, mode, l);
  }
}
