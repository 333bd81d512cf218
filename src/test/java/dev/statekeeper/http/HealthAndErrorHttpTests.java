package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static dev.statekeeper.http.HttpAssertions.fieldNames;
import static dev.statekeeper.http.HttpAssertions.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The health probes, and requests the HTTP layer itself rejects. */
interface HealthAndErrorHttpTests extends HttpSuite {

  @Test
  default void liveAndReady_are200WithoutAKey() {
    assertThat(assertJson(anonymous().get("/health/live"), 200).get("status").asText()).isEqualTo("UP");
    assertThat(assertJson(anonymous().get("/health/ready"), 200).get("status").asText()).isEqualTo("UP");
  }

  @Test
  default void health_withoutAnAdminKey_showsOnlyTheStatus() {
    for (TestClient c : List.of(anonymous(), keyOf("reader"), keyOf("agent"), admin().withKey("sk_unknown_000000000000"))) {
      JsonNode h = assertJson(c.get("/health"), 200);
      assertThat(fieldNames(h)).containsExactly("status");
      assertThat(h.get("status").asText()).isEqualTo("UP");
    }
  }

  @Test
  default void health_withAnAdminOrRootKey_showsTheChecks() {
    for (TestClient c : List.of(admin(), root())) {
      JsonNode h = assertJson(c.get("/health"), 200);
      assertThat(fieldNames(h)).containsExactly("status", "checks");
      assertThat(h.get("checks").get("database").get("status").asText()).isEqualTo("UP");
    }
  }

  @Test
  default void anUnknownPath_is404Problem() {
    assertProblem(admin().get("/v1/nothing-here"), 404, "not_found");
    assertProblem(anonymous().get("/nothing-here"), 404, "not_found");
    assertProblem(admin().get(TASKS + "/some-id/unknown"), 404, "not_found");
  }

  @Test
  default void aWrongMethod_is405ProblemAndChangesNothing() {
    JsonNode t = createTask();

    assertProblem(admin().delete(TASKS), 405, "method_not_allowed");
    assertProblem(admin().delete(TASKS + "/" + id(t)), 405, "method_not_allowed");
    assertProblem(admin().send("PUT", TASKS + "/" + id(t), BodyPublishers.ofString("{}"), "application/json"), 405, "method_not_allowed");
    assertProblem(admin().post(TASKS + "/" + id(t), "{}"), 405, "method_not_allowed");
    assertProblem(admin().send("PUT", TASKS, BodyPublishers.ofString("{}"), "application/json"), 405, "method_not_allowed");
    assertThat(readTask(id(t))).isEqualTo(t);
  }

  @Test
  default void aPathWithABadPercentEncoding_is400Problem() {
    Response r = admin().raw(List.of("GET /v1/tasks/%ZZ HTTP/1.1", "Host: localhost", "Authorization: Bearer " + admin().key()), new byte[0]);

    assertProblem(r, 400);
  }

  @Test
  default void aPathWithAnEncodedSlashOrNul_isAProblemNotA500() {
    for (String path : List.of("/v1/tasks/a%2Fb", "/v1/tasks/%00", "/v1/tasks/%C0%AF", "/v1/tasks/..%2F..%2Fkeys")) {
      Response r = admin().raw(List.of("GET " + path + " HTTP/1.1", "Host: localhost", "Authorization: Bearer " + admin().key()), new byte[0]);
      assertThat(r.status()).as("%s: %s", path, r).isBetween(400, 499);
      assertProblem(r, r.status());
    }
  }

  @Test
  default void aVeryLongUri_is414Problem() {
    Response r = admin().raw(List.of("GET /v1/tasks/" + "a".repeat(20_000) + " HTTP/1.1", "Host: localhost"), new byte[0]);

    assertProblem(r, 414, "uri_too_long");
  }

  @Test
  default void aVeryLargeHeader_is431Problem() {
    Response r =
        admin().raw(List.of("GET /v1/tasks HTTP/1.1", "Host: localhost", "Authorization: Bearer " + admin().key(), "X-Big: " + "b".repeat(20_000)), new byte[0]);

    assertProblem(r, 431, "headers_too_large");
  }

  @Test
  default void aMalformedRequestLine_is400Problem() {
    Response r = admin().raw(List.of("GET /v1/tasks HTTP/9", "Host: localhost"), new byte[0]);

    assertThat(r.status()).as("%s", r).isBetween(400, 505).isNotEqualTo(500);
    assertProblem(r, r.status());
  }

  @Test
  default void aBodyThatIsNotUtf8_is400AndStoresNothing() {
    byte[] body = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    Response r = admin().send("POST", TASKS, BodyPublishers.ofByteArray(body), "application/json");

    assertProblem(r, 400); // the code is invalid_field: Jackson reports the bad byte while reading "type"
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void jettyRejections_ofEveryMethod_areProblemDocuments() {
    List<String> failures = new java.util.ArrayList<>();
    for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")) {
      List<List<String>> heads = List.of(
          List.of(method + " /v1/tasks/%ZZ HTTP/1.1", "Host: localhost"),
          List.of(method + " /v1/tasks HTTP/1.1", "Host: localhost", "X-Big: " + "b".repeat(20_000)),
          List.of(method + " /v1/memory/a/b HTTP/1.1", "Host: localhost", "If-Match: \"1\u0000\""));
      for (List<String> head : heads) {
        Response r = admin().raw(head, new byte[0]);
        if (r.status() < 400 || r.status() > 499 || !r.mediaType().equals("application/problem+json")) {
          failures.add(head.get(0) + " " + (head.size() > 2 ? head.get(2).substring(0, 8) : "") + ": " + r);
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  default void aBodyThatNeverComes_isAnswered401AtOnce_withoutAKey_andNeverA500() {
    Response r = anonymous().stalled(
        List.of("POST /v1/tasks HTTP/1.1", "Host: localhost", "Content-Type: application/json", "Content-Length: 500"),
        "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII), java.time.Duration.ofSeconds(5));

    assertProblem(r, 401, "missing_key");
    assertThat(r.header("Connection")).contains("close");
  }

  @Test
  default void aBodyAnnouncedOverTheLimit_isAnswered413AtOnce_beforeItIsSent() {
    Response r = admin().stalled(
        List.of("POST /v1/tasks HTTP/1.1", "Host: localhost", "Authorization: Bearer " + admin().key(),
            "Content-Type: application/json", "Content-Length: 2000000"),
        "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII), java.time.Duration.ofSeconds(5));

    assertProblem(r, 413, "body_too_large");
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void aBodyTrickledSlowerThanTheMinimumRate_is408AndStoresNothing() {
    byte[] body = ("{\"type\":\"" + "x".repeat(200) + "\"}").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Response r = admin().trickled(
        List.of("POST /v1/tasks HTTP/1.1", "Host: localhost", "Authorization: Bearer " + admin().key(),
            "Content-Type: application/json", "Content-Length: " + body.length),
        body, java.time.Duration.ofMillis(200));

    assertProblem(r, 408, "body_timeout");
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void unknownQueryParameters_are400_onEveryRoute_andChangeNothing() {
    JsonNode t = createTask();
    assertJson(admin().put("/v1/memory/q/k", "{\"value\":1}"), 201);
    List<String[]> calls = List.of(
        new String[] {"GET", TASKS + "?limt=5"},
        new String[] {"GET", TASKS + "/stats?queue=default&order=desc"},
        new String[] {"GET", TASKS + "/" + id(t) + "?fields=id"},
        new String[] {"POST", TASKS + "/" + id(t) + "/cancel?force=true"},
        new String[] {"DELETE", "/v1/memory/q/k?wipe=true"},
        new String[] {"GET", "/v1/memory?prefix=q&skip=5"},
        new String[] {"GET", "/v1/sessions/none/events?since_seq=3"},
        new String[] {"GET", "/v1/keys?role=admin"},
        new String[] {"GET", "/health?verbose=1"});
    for (String[] c : calls) {
      Response r = admin().send(c[0], c[1], BodyPublishers.ofString(c[0].equals("POST") ? "{}" : ""), c[0].equals("POST") ? "application/json" : null);
      assertProblem(r, 400, "unknown_parameter");
    }
    assertThat(readTask(id(t)).get("status").asText()).isEqualTo("pending");
    assertJson(admin().get("/v1/memory/q/k"), 200);
  }

  @Test
  default void badlyEncodedQueryParameters_are400_notSilentlyDropped() {
    createTask("{\"type\":\"t\",\"queue\":\"a\"}");
    for (String q : List.of("queue=%ZZ", "queue=%E", "queue=%ED%A0%80", "queue=%C3%28", "queue=a&queue=b", "queue=%00")) {
      Response r = admin().raw(List.of("GET " + TASKS + "?" + q + " HTTP/1.1", "Host: localhost", "Authorization: Bearer " + admin().key()), new byte[0]);
      assertProblem(r, 400, "invalid_parameter");
    }
    assertProblem(admin().get(TASKS + "?queue=a+b"), 400, "invalid_queue"); // '+' is a space, and queues have none
    assertThat(assertJson(admin().get(TASKS + "?queue=%61"), 200).get("items")).hasSize(1); // %61 is 'a'
  }
}
