package dev.statekeeper.documents;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A document to create or replace ({@code POST /v1/documents}, {@code PUT /v1/documents/{id}}).
 *
 * @param id 1-256 of {@code [A-Za-z0-9_.:/-]}; null on create makes one (a UUIDv7); ignored on
 *     replace (the path names it)
 * @param title at most 1,000 characters, or null
 * @param text required, not blank; split into chunks that search finds
 * @param source where it came from (a URL, a file), at most 1,000 characters; search can filter
 *     by it
 * @param metadata a JSON object, or null ({@code {}})
 */
public record NewDocument(String id, String title, String text, String source, JsonNode metadata) {

  public static NewDocument of(String text) {
    return new NewDocument(null, null, text, null, null);
  }

  public NewDocument withId(String i) {
    return new NewDocument(i, title, text, source, metadata);
  }

  public NewDocument withSource(String s) {
    return new NewDocument(id, title, text, s, metadata);
  }

  public NewDocument withTitle(String t) {
    return new NewDocument(id, t, text, source, metadata);
  }
}
