package dev.statekeeper.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.http.TestClient.Response;
import dev.statekeeper.support.StoreKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Generated requests against a real server on each store — method, path (real ids and hostile
 * segments), query parameters, headers, key and body (generated JSON with hostile leaves,
 * mutated valid bodies, random bytes) — and two properties of every answer: never a 5xx, every
 * error a problem document; and a 4xx changes nothing that is stored (a digest of every row of
 * the tenant, in every table a request can write, before and after). The number of cases is
 * jqwik's {@code jqwik.tries.default} (src/test/resources/junit-platform.properties; raise it for
 * a longer run with {@code -Djqwik.tries.default=20000}).
 */
class HttpFuzzTest {

  private static final String ROOT_KEY = "sk_test_bootstrap_root_key_0123456789";
  private static final List<String> TABLES =
      List.of(
          "tasks", "task_events", "task_idempotency_keys", "sessions", "session_events", "memory_entries",
          "memory_versions", "documents", "document_chunks", "access_grants", "access_epochs", "api_keys");

  /** One running server per store, with a tenant, keys and objects to aim at. */
  private record Target(Statekeeper sk, HttpServer server, Path dir, String tenant, Map<String, TestClient> clients,
      List<String> taskIds, List<String> ids) {}

  private static final Map<StoreKind, Target> TARGETS = new EnumMap<>(StoreKind.class);

  private static synchronized Target target(StoreKind kind) {
    return TARGETS.computeIfAbsent(kind, HttpFuzzTest::start);
  }

  private static Target start(StoreKind kind) {
    try {
      Path dir = Files.createTempDirectory("sk-fuzz-");
      // The reaper never runs: expiring leases and deadlines would change rows between two digests.
      StatekeeperConfig config = kind.config(dir).toBuilder().set(dev.statekeeper.tasks.TaskSettings.REAPER_INTERVAL, Duration.ofHours(1)).build();
      Statekeeper sk = Statekeeper.open(config);
      sk.bootstrapRootKey();
      HttpServer server = HttpServer.start(sk);
      TestClient root = new TestClient(server.port(), ROOT_KEY);
      String tenant = "fuzz-" + UUID.randomUUID();
      Map<String, TestClient> clients = new LinkedHashMap<>();
      for (String role : List.of("admin", "agent", "reader")) {
        JsonNode k = root.post("/v1/keys", "{\"tenant\":\"" + tenant + "\",\"subject\":\"agent:" + role + "\",\"role\":\"" + role + "\"}").json();
        clients.put(role, root.withKey(k.get("key").asText()));
      }
      clients.put("none", root.withKey(null));
      clients.put("garbage", root.withKey("sk_0000000000000000_nonsense"));
      TestClient admin = clients.get("admin");
      admin.post("/v1/access/grants", "{\"resource\":\"queue:default\",\"relation\":\"editor\",\"subject\":\"agent:agent\"}");
      admin.post("/v1/access/grants", "{\"resource\":\"memory:fuzz\",\"relation\":\"editor\",\"subject\":\"agent:agent\"}");
      List<String> taskIds = new ArrayList<>();
      for (int i = 0; i < 3; i++) taskIds.add(admin.post("/v1/tasks", "{\"type\":\"t\"}").json().get("id").asText());
      JsonNode claimed = admin.post("/v1/tasks/claim", "{\"agent\":\"w\",\"limit\":2,\"lease_seconds\":3600}").json();
      admin.post("/v1/sessions", "{\"id\":\"s1\"}");
      admin.put("/v1/memory/fuzz/k1", "{\"value\":1,\"text\":\"hello fuzz\"}");
      admin.post("/v1/documents", "{\"id\":\"d1\",\"text\":\"a document\"}");
      assertThat(claimed.get("items")).hasSize(2);
      return new Target(sk, server, dir, tenant, clients, taskIds, List.of("s1", "d1", "k1", "fuzz"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterContainer
  static void stopAll() {
    for (Target t : TARGETS.values()) {
      t.server().close();
      t.sk().close();
    }
    TARGETS.clear();
  }

  /** A generated request. */
  record Fuzz(String method, String path, String query, String key, Map<String, String> headers, byte[] body, String contentType) {
    @Override
    public String toString() {
      String shown = new String(body, StandardCharsets.UTF_8);
      return method + " " + path + (query.isEmpty() ? "" : "?" + query) + " key=" + key + " headers=" + headers
          + " type=" + contentType + " body=" + (shown.length() > 300 ? shown.substring(0, 300) + "…" : shown);
    }
  }

  @Property
  void sqlite_noRequestGetsA5xx_andA4xxChangesNothing(@ForAll("requests") Fuzz f) throws Exception {
    check(target(StoreKind.SQLITE), f);
  }

  @Property
  void postgres_noRequestGetsA5xx_andA4xxChangesNothing(@ForAll("requests") Fuzz f) throws Exception {
    check(target(StoreKind.POSTGRES), f);
  }

  private static void check(Target t, Fuzz f) throws Exception {
    String path = f.path()
        .replace("{task}", t.taskIds().get(Math.floorMod(f.path().hashCode(), t.taskIds().size())))
        .replace("{held}", t.taskIds().get(Math.floorMod(f.body().length, 2)));
    Map<String, String> before = digest(t);
    TestClient c = t.clients().get(f.key());
    List<String> head = new ArrayList<>();
    head.add(f.method() + " " + path + (f.query().isEmpty() ? "" : "?" + f.query()) + " HTTP/1.1");
    head.add("Host: localhost");
    if (c.key() != null) head.add("Authorization: Bearer " + c.key());
    f.headers().forEach((k, v) -> head.add(k + ": " + v));
    head.add("Content-Type: " + f.contentType());
    head.add("Content-Length: " + f.body().length);
    Response r = c.raw(head, f.body()); // a socket: the request goes out as generated, bad escapes included

    net.jqwik.api.statistics.Statistics.label("answers").collect(r.status() / 100 + "xx");
    assertThat(r.status()).as("status of %s: %s", f, r).isLessThan(500);
    if (r.status() >= 400) {
      assertThat(r.mediaType()).as("%s: %s", f, r).isEqualTo("application/problem+json");
      assertThat(r.json().path("code").asText()).as("%s: %s", f, r).isNotBlank();
      assertThat(digest(t)).as("stored state after %s answered %s", f, r).isEqualTo(before);
    }
  }

  /** Per table a request can write: SHA-256 of every row of the tenant. */
  private static Map<String, String> digest(Target t) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    t.sk().store().read("digesting the fuzz tenant", c -> {
      for (String table : TABLES) {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " WHERE tenant = ?")) {
          ps.setString(1, t.tenant());
          List<String> rows = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
              StringBuilder row = new StringBuilder();
              for (int i = 1; i <= n; i++) {
                Object o = rs.getObject(i);
                String v = o instanceof byte[] b ? HexFormat.of().formatHex(b) : rs.getString(i);
                row.append(v == null ? "\u0001null" : v).append('\u0000');
              }
              rows.add(row.toString());
            }
          }
          java.util.Collections.sort(rows);
          MessageDigest sha = sha256();
          for (String row : rows) sha.update(row.getBytes(StandardCharsets.UTF_8));
          out.put(table, rows.size() + " rows, " + HexFormat.of().formatHex(sha.digest()));
        }
      }
      return null;
    });
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- generators

  private static final List<String> PATHS =
      List.of(
          "/v1/tasks", "/v1/tasks/batch", "/v1/tasks/claim", "/v1/tasks/stats", "/v1/tasks/{task}", "/v1/tasks/{task}/events",
          "/v1/tasks/{held}/heartbeat", "/v1/tasks/{held}/complete", "/v1/tasks/{held}/fail", "/v1/tasks/{task}/cancel",
          "/v1/sessions", "/v1/sessions/s1", "/v1/sessions/s1/events", "/v1/sessions/s1/state", "/v1/sessions/s1/terminate",
          "/v1/memory", "/v1/memory/search", "/v1/memory/fuzz/k1", "/v1/memory/fuzz/k1/history", "/v1/memory/fuzz:a/k2",
          "/v1/documents", "/v1/documents/search", "/v1/documents/d1", "/v1/documents/dir/d2.md",
          "/v1/access/grants", "/v1/access/check", "/v1/access/check-batch", "/v1/keys", "/v1/keys/0000000000000000",
          "/v1/ops/alerts", "/v1/ops/summary", "/v1/admin/backups", "/health", "/health/ready", "/metrics", "/dashboard",
          "/v1/nothing");

  private static final List<String> SEGMENTS =
      List.of("x", "%2e%2e", "a%00b", "%F0%9F%98%80", "a".repeat(300), "%ZZ", "..", "%2F", "-", "s1", "k1");

  private static final List<String> PARAMS =
      List.of("queue", "status", "priority", "limit", "cursor", "prefix", "type", "version", "after_seq", "resource",
          "subject", "tenant", "purge", "order", "offset", "key", "api_key", "");

  private static final List<String> PARAM_VALUES =
      List.of("default", "pending", "HIGH", "5", "-1", "0", "1001", "99999999999", "", "a+b", "%ZZ", "%E2%82", "%00",
          "fuzz", "agent:agent", "queue:default", "true", "eyJ4Ijox", "%F0%9F%98%80");

  @Provide
  Arbitrary<Fuzz> requests() {
    Arbitrary<String> method = Arbitraries.of("GET", "POST", "PUT", "PATCH", "DELETE", "POST", "POST");
    Arbitrary<String> path = Arbitraries.oneOf(
        Arbitraries.of(PATHS),
        Combinators.combine(Arbitraries.of(PATHS), Arbitraries.of(SEGMENTS)).as((p, s) -> p + "/" + s));
    Arbitrary<String> query = Combinators.combine(Arbitraries.of(PARAMS), Arbitraries.of(PARAM_VALUES))
        .as((k, v) -> k + "=" + v)
        .list().ofMaxSize(3)
        .map(l -> String.join("&", l));
    Arbitrary<String> key = Arbitraries.of("admin", "admin", "admin", "agent", "reader", "none", "garbage");
    Arbitrary<Map<String, String>> headers = Arbitraries.maps(
            Arbitraries.of("If-Match", "If-None-Match", "Idempotency-Key", "Statekeeper-Tenant"),
            Arbitraries.of("*", "\"1\"", "\"2\"", "1", "\"x\"", "W/\"1\"", "k-1", "default", "other", " "))
        .ofMaxSize(2);
    Arbitrary<String> contentType = Arbitraries.of("application/json", "application/json", "application/json", "text/plain",
        "application/problem+json", "application/json; charset=latin1");
    Arbitrary<Fuzz> chaos = Combinators.combine(method, path, query, key, headers, body(), contentType).as(Fuzz::new);
    // Requests a client means to make, sometimes a little wrong: they get past the first checks
    // and reach the stores, conflicts and preconditions.
    Arbitrary<Fuzz> meant = Combinators.combine(
            Arbitraries.of(MEANT), Arbitraries.integers().between(0, 9), Arbitraries.strings().ofMaxLength(3), key, headers, query)
        .as((m, how, junk, k, h, q) -> {
          String body = m[2];
          if (how == 0 && !body.isEmpty()) body = body.substring(0, body.length() / 2) + junk + body.substring(body.length() / 2);
          return new Fuzz(m[0], m[1], how == 1 ? q : "", how < 7 ? "admin" : k, how == 2 ? h : Map.of(),
              body.getBytes(StandardCharsets.UTF_8), "application/json");
        });
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, chaos), net.jqwik.api.Tuple.of(1, meant));
  }

  /** Method, path, body of requests that can succeed (a task id is filled in when sent). */
  private static final List<String[]> MEANT =
      List.of(
          new String[] {"POST", "/v1/tasks", "{\"type\":\"t\",\"priority\":\"HIGH\",\"payload\":{\"a\":1}}"},
          new String[] {"POST", "/v1/tasks/batch", "{\"tasks\":[{\"type\":\"a\",\"idempotency_key\":\"k1\"},{\"type\":\"b\"}]}"},
          new String[] {"POST", "/v1/tasks/claim", "{\"agent\":\"w\",\"limit\":2,\"lease_seconds\":3600}"},
          new String[] {"GET", "/v1/tasks", ""},
          new String[] {"GET", "/v1/tasks/stats", ""},
          new String[] {"PATCH", "/v1/tasks/{task}", "{\"priority\":\"LOW\"}"},
          new String[] {"POST", "/v1/tasks/{held}/heartbeat", "{\"agent\":\"w\",\"attempt\":1,\"lease_seconds\":3600}"},
          new String[] {"POST", "/v1/tasks/{held}/complete", "{\"agent\":\"w\",\"attempt\":1,\"result\":{\"ok\":1}}"},
          new String[] {"POST", "/v1/tasks/{task}/cancel", "{\"reason\":\"r\"}"},
          new String[] {"POST", "/v1/sessions", "{\"agent\":\"a\",\"state\":{\"s\":1}}"},
          new String[] {"POST", "/v1/sessions/s1/events", "{\"type\":\"m\",\"data\":{\"t\":\"hi\"}}"},
          new String[] {"PUT", "/v1/sessions/s1/state", "{\"state\":{\"x\":2}}"},
          new String[] {"GET", "/v1/sessions/s1/events", ""},
          new String[] {"PUT", "/v1/memory/fuzz/k1", "{\"value\":{\"v\":2},\"text\":\"more fuzz\",\"metadata\":{\"m\":1}}"},
          new String[] {"PUT", "/v1/memory/fuzz:b/k3", "{\"value\":3}"},
          new String[] {"DELETE", "/v1/memory/fuzz:b/k3", ""},
          new String[] {"GET", "/v1/memory", ""},
          new String[] {"POST", "/v1/memory/search", "{\"query\":\"fuzz\",\"mode\":\"keyword\"}"},
          new String[] {"PUT", "/v1/documents/d1", "{\"text\":\"a replaced document\",\"metadata\":{\"k\":[1]}}"},
          new String[] {"POST", "/v1/documents", "{\"text\":\"another\",\"title\":\"T\"}"},
          new String[] {"POST", "/v1/documents/search", "{\"query\":\"document\",\"mode\":\"keyword\"}"},
          new String[] {"POST", "/v1/access/grants", "{\"resource\":\"session:s1\",\"relation\":\"viewer\",\"subject\":\"user:z\"}"},
          new String[] {"DELETE", "/v1/access/grants", "{\"resource\":\"session:s1\",\"relation\":\"viewer\",\"subject\":\"user:z\"}"},
          new String[] {"POST", "/v1/access/check", "{\"subject\":\"agent:agent\",\"action\":\"read\",\"resource\":\"memory:fuzz\"}"},
          new String[] {"GET", "/v1/keys", ""});

  private static final List<String> FIELDS = MalformedInputHttpTests.FIELD_NAMES.stream()
      .map(n -> n.replace("\\u0000", "\u0000")).toList();

  private Arbitrary<byte[]> body() {
    Arbitrary<String> json = jsonValue(3).map(v -> v);
    Arbitrary<String> object = Combinators.combine(Arbitraries.of(FIELDS), jsonValue(3)).as((k, v) -> quote(k) + ":" + v)
        .list().ofMaxSize(6)
        .map(l -> "{" + String.join(",", l) + "}");
    Arbitrary<String> valid = Arbitraries.of(
        "{\"type\":\"t\",\"priority\":\"HIGH\",\"payload\":{\"a\":1}}",
        "{\"agent\":\"w\",\"attempt\":1,\"result\":{\"ok\":true}}",
        "{\"agent\":\"w\",\"attempt\":1,\"error\":\"e\",\"retry\":false}",
        "{\"agent\":\"w\",\"limit\":2,\"lease_seconds\":3600}",
        "{\"value\":{\"a\":[1,2]},\"text\":\"t\",\"metadata\":{\"m\":1}}",
        "{\"id\":\"s2\",\"agent\":\"a\",\"state\":{}}", "{\"state\":{\"x\":1}}", "{\"type\":\"m\",\"data\":{\"k\":\"v\"}}",
        "{\"text\":\"hello\",\"title\":\"T\",\"source\":\"s\",\"metadata\":{}}",
        "{\"resource\":\"session:s1\",\"relation\":\"viewer\",\"subject\":\"user:z\"}",
        "{\"subject\":\"agent:agent\",\"action\":\"read\",\"resource\":\"memory:fuzz\"}",
        "{\"query\":\"hello\",\"mode\":\"keyword\"}", "{\"tasks\":[{\"type\":\"a\"},{\"type\":\"b\"}]}",
        "{\"tenant\":\"x\",\"subject\":\"user:q\",\"role\":\"agent\"}");
    Arbitrary<String> mutated = Combinators.combine(valid, Arbitraries.integers().between(0, 200), Arbitraries.strings().ofMaxLength(4))
        .as((v, at, s) -> v.substring(0, Math.min(at, v.length())) + s + v.substring(Math.min(at, v.length())));
    Arbitrary<byte[]> text = Arbitraries.oneOf(object, object, json, valid, mutated, mutated)
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, text), net.jqwik.api.Tuple.of(1, bytes), net.jqwik.api.Tuple.of(1, Arbitraries.just(new byte[0])));
  }

  private Arbitrary<String> jsonValue(int depth) {
    Arbitrary<String> leaf = Arbitraries.oneOf(
        Arbitraries.of(MalformedInputHttpTests.NASTY_NUMBERS),
        Arbitraries.of(MalformedInputHttpTests.NASTY_STRINGS.stream().filter(s -> s.length() < 1000).toList()),
        Arbitraries.of("true", "false", "null", "{}", "[]", "\"\\ud83e\"", "\"x\\u0000\"", "-0", "1.5e308"),
        Arbitraries.strings().ofMaxLength(12).map(HttpFuzzTest::quote));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<String> array = Arbitraries.lazy(() -> jsonValue(depth - 1)).list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> object = Combinators.combine(Arbitraries.of(FIELDS), Arbitraries.lazy(() -> jsonValue(depth - 1)))
        .as((k, v) -> quote(k) + ":" + v).list().ofMaxSize(3).map(l -> "{" + String.join(",", l) + "}");
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, leaf), net.jqwik.api.Tuple.of(2, array), net.jqwik.api.Tuple.of(2, object));
  }

  /** A JSON string of {@code s}, escaping what JSON requires (lone surrogates pass through as escapes). */
  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') b.append('\\').append(ch);
      else if (ch < 0x20 || Character.isSurrogate(ch)) b.append(String.format("\\u%04x", (int) ch));
      else b.append(ch);
    }
    return b.append('"').toString();
  }
}
