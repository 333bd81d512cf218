package dev.statekeeper.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code openapi.json} describes exactly the routes the server registers: every route is an
 * operation with the same query parameters, and every operation is a route. (That each answer
 * matches its schema is checked by {@link OpenApiAnswers} on every request of the HTTP tests;
 * the document itself is linted by {@code scripts/lint-openapi} in {@code OpenApiLintIT}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiContractTest {

  Statekeeper sk;
  HttpServer server;

  @BeforeAll
  void start(@TempDir Path dir) {
    sk = Statekeeper.open(StoreKind.SQLITE.config(dir));
    server = HttpServer.start(sk);
  }

  @AfterAll
  void stop() {
    if (server != null) server.close();
    if (sk != null) sk.close();
  }

  /** A route's path as OpenAPI spells it: Javalin's {@code <id>} (slashes allowed) is {@code {id}}. */
  private static String template(String path) {
    return path.replaceAll("<([a-z_]+)>", "{$1}");
  }

  @Test
  void everyRegisteredRoute_isAnOperation_withExactlyItsQueryParameters() {
    List<String> problems = new ArrayList<>();
    for (Routes.Route route : server.routes()) {
      String method = route.method().name().toLowerCase(Locale.ROOT);
      JsonNode op = OpenApiAnswers.document().path("paths").path(template(route.path())).path(method);
      if (op.isMissingNode()) {
        problems.add("missing: " + route.method() + " " + route.path());
        continue;
      }
      Set<String> documented = new TreeSet<>();
      for (JsonNode p : op.path("parameters")) {
        JsonNode param = p.has("$ref") ? OpenApiAnswers.document().at(p.get("$ref").asText().substring(1)) : p;
        if (param.path("in").asText().equals("query")) documented.add(param.path("name").asText());
      }
      if (!documented.equals(new TreeSet<>(route.parameters()))) {
        problems.add(route.method() + " " + route.path() + ": query parameters " + documented + " documented, "
            + new TreeSet<>(route.parameters()) + " taken");
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyOperation_isARegisteredRoute() {
    Set<String> registered = new HashSet<>();
    server.routes().forEach(r -> registered.add(r.method().name() + " " + template(r.path())));
    List<String> extra = new ArrayList<>();
    for (OpenApiAnswers.Operation op : OpenApiAnswers.operations()) {
      if (!registered.contains(op.method() + " " + op.template())) extra.add(op.method() + " " + op.template());
    }
    assertThat(extra).as("operations of openapi.json the server does not have").isEmpty();
    assertThat(OpenApiAnswers.operations()).hasSizeGreaterThan(40);
  }

  @Test
  void theDocumentIsServed_withoutAKey() {
    TestClient anonymous = new TestClient(server.port(), null);
    TestClient.Response r = anonymous.get("/openapi.json");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type").orElseThrow()).startsWith("application/json");
    assertThat(r.json()).isEqualTo(OpenApiAnswers.document());
    assertThat(r.json().get("openapi").asText()).isEqualTo("3.1.0");
  }

  @Test
  void anAnswerTheDocumentDoesNotAllow_failsTheCheck() {
    // a session without its required fields, where the description promises a Session
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpenApiAnswers.check(
            "GET", "/v1/sessions/s1", 200, "application/json", "{\"id\":\"s1\"}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("does not match the schema");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpenApiAnswers.check(
            "GET", "/v1/sessions/s1", 418, "application/json", "{}"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("does not document");
  }
}
