package dev.statekeeper.documents;

/**
 * A search over document chunks ({@code POST /v1/documents/search}).
 *
 * @param query words to look for (required)
 * @param mode {@code keyword}, {@code semantic} or {@code hybrid}; null means hybrid
 * @param limit 1-100, default 10
 * @param source only chunks of documents with exactly this source, or null
 */
public record DocumentSearch(String query, String mode, Integer limit, String source) {

  public static DocumentSearch keyword(String query) {
    return new DocumentSearch(query, "keyword", null, null);
  }
}
