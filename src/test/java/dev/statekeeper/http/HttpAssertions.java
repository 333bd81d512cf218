package dev.statekeeper.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.util.ArrayList;
import java.util.List;

/** Assertions on answers of the HTTP contract: JSON bodies and RFC 9457 problem documents. */
final class HttpAssertions {

  private HttpAssertions() {}

  /** Asserts a JSON answer with this status and returns its body. */
  static JsonNode assertJson(Response r, int status) {
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    assertThat(r.mediaType()).as("Content-Type of %s", r).isEqualTo("application/json");
    return r.json();
  }

  /** Asserts a problem document with this status and code and returns it. */
  static JsonNode assertProblem(Response r, int status, String code) {
    JsonNode p = assertProblem(r, status);
    assertThat(p.path("code").asText()).as("code of %s", r).isEqualTo(code);
    return p;
  }

  /** Asserts an RFC 9457 problem document with this status (any code) and returns it. */
  static JsonNode assertProblem(Response r, int status) {
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    assertThat(r.mediaType()).as("Content-Type of %s", r).isEqualTo("application/problem+json");
    JsonNode p = r.json();
    assertThat(fieldNames(p)).as("fields of %s", r).contains("type", "title", "status", "detail", "code");
    assertThat(p.get("status").asInt()).as("status field of %s", r).isEqualTo(status);
    assertThat(p.get("code").asText()).as("code of %s", r).isNotBlank();
    return p;
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static JsonNode json(String text) {
    try {
      return TestClient.JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  static String id(JsonNode task) {
    return task.get("id").asText();
  }
}
