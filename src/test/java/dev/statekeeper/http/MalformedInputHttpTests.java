package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Nothing a client sends produces a 500: random and malformed bodies against every endpoint
 * that takes one, then reads of whatever got stored. A fixed seed keeps runs reproducible; every
 * offending request is reported with its body.
 */
interface MalformedInputHttpTests extends HttpSuite {

  long SEED = 20_260_131L;

  /** Numbers chosen to break parsers and columns; none of them is a small positive wait. */
  List<String> NASTY_NUMBERS =
      List.of(
          "0", "-1", "-0", "-0.0", "0.0", "31", "101", "1001", "2.5", "1e400", "-1e400", "1e-400",
          "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
          "123456789012345678901234567890", "1E+2", "0.1e999999999");

  List<String> NASTY_STRINGS =
      List.of(
          "\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"😀🧪\"",
          "\"\\u202eevil\"", "\"\\n\\t\\r\"", "\"CRITICAL\"", "\"pending\"", "\"root\"", "\"2030-01-01T00:00:00Z\"",
          "\"9999-12-31T23:59:59Z\"", "\"0000-01-01T00:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"",
          "\"2030-02-30T00:00:00Z\"", "\"" + "x".repeat(70_000) + "\"", "\"user:x\"", "\"default\"");

  List<String> FIELD_NAMES =
      List.of(
          "type", "queue", "payload", "priority", "max_attempts", "run_after", "deadline", "idempotency_key",
          "tasks", "agent", "queues", "types", "limit", "lease_seconds", "attempt", "result", "error", "retry",
          "reason", "tenant", "subject", "role", "id", "user", "state", "events", "data", "value", "text", "metadata",
          "query", "prefix", "mode", "", "\\u0000", "__proto__");

  @Test
  default void malformedBodies_neverProduceA500_andEveryRejectionIsAProblem() {
    Random random = new Random(SEED);
    JsonNode pending = createTask("{\"type\":\"t\",\"queue\":\"p\"}");
    List<String> claimedIds = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      claimedIds.add(id(createAndClaim("w")));
    }
    String keyBody = "{\"tenant\":\"" + tenant() + "\",\"subject\":\"user:x\",\"role\":\"agent\"}";
    String task = "{\"type\":\"t\",\"queue\":\"q\",\"payload\":{\"a\":1},\"priority\":\"HIGH\",\"max_attempts\":3,"
        + "\"run_after\":\"2030-01-01T00:00:00Z\",\"deadline\":\"2030-01-02T00:00:00Z\"}";
    List<String[]> targets =
        List.of(
            new String[] {"POST", TASKS, task},
            new String[] {"POST", TASKS + "/batch", "{\"tasks\":[" + task + ",{\"type\":\"u\",\"idempotency_key\":\"k\"}]}"},
            new String[] {"POST", TASKS + "/claim", "{\"agent\":\"w\",\"queues\":[\"q\"],\"types\":[\"t\"],\"limit\":1,\"lease_seconds\":30,\"wait_seconds\":0}"},
            new String[] {"PATCH", TASKS + "/" + id(pending), "{\"priority\":\"LOW\",\"payload\":{},\"run_after\":\"2030-01-01T00:00:00Z\"}"},
            new String[] {"POST", TASKS + "/CLAIMED/heartbeat", "{\"agent\":\"w\",\"attempt\":1,\"lease_seconds\":30}"},
            new String[] {"POST", TASKS + "/CLAIMED/complete", "{\"agent\":\"w\",\"attempt\":1,\"result\":{\"ok\":true}}"},
            new String[] {"POST", TASKS + "/CLAIMED/fail", "{\"agent\":\"w\",\"attempt\":1,\"error\":\"e\",\"retry\":false}"},
            new String[] {"POST", TASKS + "/" + id(pending) + "/cancel", "{\"reason\":\"r\"}"},
            new String[] {"POST", "/v1/keys", keyBody});

    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 216; i++) {
      String[] target = targets.get(i % targets.size());
      String path = target[1].replace("CLAIMED", claimedIds.get(random.nextInt(claimedIds.size())));
      byte[] body = mutate(target[2], random, i);
      Response r =
          admin()
              .withHeader("If-Match", random.nextBoolean() ? "*" : "\"" + random.nextInt(4) + "\"")
              .send(target[0], path, BodyPublishers.ofByteArray(body), random.nextInt(20) == 0 ? "text/json" : "application/json");
      check(failures, target[0] + " " + path, body, r);
    }

    // Whatever was stored reads back without a 500, whole or in part.
    for (JsonNode t : allTasks()) {
      check(failures, "GET task", new byte[0], admin().get(TASKS + "/" + id(t)));
      check(failures, "GET events", new byte[0], admin().get(TASKS + "/" + id(t) + "/events"));
    }
    check(failures, "claim all", new byte[0], admin().post(TASKS + "/claim", "{\"agent\":\"z\",\"queues\":[\"default\",\"q\"],\"limit\":100}"));
    check(failures, "stats", new byte[0], admin().get(TASKS + "/stats"));
    check(failures, "keys", new byte[0], admin().get("/v1/keys"));

    assertThat(failures).as("seed %d", SEED).isEmpty();
  }

  @Test
  default void malformedSessionAndMemoryBodies_neverProduceA500_andEverythingStoredReadsBack() {
    Random random = new Random(SEED + 1);
    assertJson(admin().post("/v1/sessions", "{\"id\":\"fuzz\"}"), 201);
    assertJson(admin().put("/v1/memory/fuzz/k", "{\"value\":1}"), 201);
    List<String[]> targets =
        List.of(
            new String[] {"POST", "/v1/sessions", "{\"id\":\"s-ID\",\"agent\":\"a\",\"user\":\"u\",\"state\":{\"k\":1}}"},
            new String[] {"POST", "/v1/sessions/fuzz/events", "{\"type\":\"message\",\"data\":{\"text\":\"hi\"}}"},
            new String[] {"POST", "/v1/sessions/fuzz/events", "{\"events\":[{\"type\":\"a\",\"data\":[1]},{\"type\":\"b\"}]}"},
            new String[] {"PUT", "/v1/sessions/fuzz/state", "{\"state\":{\"a\":[1,2]}}"},
            new String[] {"POST", "/v1/sessions/fuzz/terminate", "{\"reason\":\"done\"}"}, // refused (no fields), mutated
            new String[] {"PUT", "/v1/memory/fuzz:ns/kID", "{\"value\":{\"a\":1},\"type\":\"episodic\",\"text\":\"words here\",\"metadata\":{\"m\":1}}"},
            new String[] {"POST", "/v1/memory/search", "{\"query\":\"words\",\"prefix\":\"fuzz\",\"type\":\"episodic\",\"mode\":\"keyword\",\"limit\":5}"});

    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 24 * targets.size(); i++) {
      String[] target = targets.get(i % targets.size());
      String path = target[1].replace("ID", Integer.toString(i));
      byte[] body = mutate(target[2].replace("ID", Integer.toString(i)), random, i);
      String precondition = switch (random.nextInt(4)) {
        case 0 -> "*";
        case 1 -> "\"" + random.nextInt(4) + "\"";
        default -> null;
      };
      TestClient c = precondition == null ? admin() : admin().withHeader(random.nextBoolean() ? "If-Match" : "If-None-Match", precondition);
      Response r = c.send(target[0], path, BodyPublishers.ofByteArray(body), random.nextInt(20) == 0 ? "text/json" : "application/json");
      check(failures, target[0] + " " + path, body, r);
    }

    // Whatever was stored reads back without a 500.
    JsonNode listed = assertJson(admin().get("/v1/memory?limit=1000"), 200);
    for (JsonNode e : listed.get("items")) {
      String entry = "/v1/memory/" + e.get("namespace").asText() + "/" + e.get("key").asText();
      check(failures, "GET memory", new byte[0], admin().get(entry));
      check(failures, "GET history", new byte[0], admin().get(entry + "/history"));
    }
    check(failures, "GET session", new byte[0], admin().get("/v1/sessions/fuzz"));
    check(failures, "GET events", new byte[0], admin().get("/v1/sessions/fuzz/events?limit=1000"));
    check(failures, "search", new byte[0], admin().post("/v1/memory/search", "{\"query\":\"words here a b k\"}"));
    assertThat(failures).as("seed %d", SEED + 1).isEmpty();
  }

  @Test
  default void aDeeplyNestedPayload_isRejectedOrReadsBackEverywhere() {
    List<String> failures = new ArrayList<>();
    for (int depth : new int[] {200, 995, 996, 997, 998, 999, 1000, 1001, 5_000, 100_000}) {
      String payload = "{\"d\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
      byte[] body = ("{\"type\":\"deep" + depth + "\",\"payload\":" + payload + "}").getBytes(StandardCharsets.UTF_8);
      Response created = admin().send("POST", TASKS, BodyPublishers.ofByteArray(body), "application/json");
      check(failures, "create depth " + depth, body, created);
      if (created.status() != 201) {
        continue;
      }
      String tid = id(created.json());
      check(failures, "get depth " + depth, new byte[0], admin().get(TASKS + "/" + tid));
      check(failures, "list depth " + depth, new byte[0], admin().get(TASKS + "?limit=1000"));
      Response claimed = admin().post(TASKS + "/claim", "{\"agent\":\"w\",\"limit\":100}");
      check(failures, "claim depth " + depth, new byte[0], claimed);
      check(failures, "complete depth " + depth, new byte[0], admin().post(TASKS + "/" + tid + "/complete", "{\"agent\":\"w\",\"attempt\":1,\"result\":" + payload + "}"));
      check(failures, "events depth " + depth, new byte[0], admin().get(TASKS + "/" + tid + "/events"));
    }
    assertThat(failures).isEmpty();
  }

  @Test
  default void extremeNumbersInAPayload_readBackAsTheyWereAnswered() {
    String payload = "{\"big\":123456789012345678901234567890,\"tiny\":1e-400,\"neg0\":-0,\"negf\":-0.0,\"exp\":1E+2,\"max\":1.7976931348623157e308}";

    JsonNode created = createTask("{\"type\":\"n\",\"payload\":" + payload + "}");

    JsonNode stored = created.get("payload");
    assertThat(readTask(id(created)).get("payload")).isEqualTo(stored);
    assertThat(stored.get("big").bigIntegerValue()).isEqualTo(new java.math.BigInteger("123456789012345678901234567890"));
    assertThat(stored.get("max").doubleValue()).isEqualTo(Double.MAX_VALUE);
    assertThat(stored.get("exp").doubleValue()).isEqualTo(100.0);
    assertThat(stored.get("neg0").isNumber()).isTrue();
  }

  private static void check(List<String> failures, String what, byte[] body, Response r) {
    boolean problem = r.mediaType().equals("application/problem+json");
    String issue = null;
    if (r.status() >= 500) {
      issue = "status " + r.status();
    } else if (r.status() >= 300 && !problem) {
      issue = "a " + r.status() + " that is not problem+json";
    } else if (r.status() < 300 && !r.mediaType().equals("application/json")) {
      issue = "a " + r.status() + " that is not application/json";
    } else {
      try {
        r.json();
      } catch (AssertionError e) {
        issue = "a body that is not JSON";
      }
    }
    if (issue != null) {
      String sent = new String(body, StandardCharsets.UTF_8);
      failures.add(what + " with " + (sent.length() > 300 ? sent.substring(0, 300) + "…" : sent) + " → " + issue + ": " + r);
    }
  }

  /** A body derived from {@code valid}: a random JSON value, a field replaced, or broken bytes. */
  private static byte[] mutate(String valid, Random random, int round) {
    String text =
        switch (round / 9 % 8) {
          case 0 -> randomValue(random, 4);
          case 1, 2 -> replaceField(valid, random);
          case 3 -> addField(valid, random);
          case 4 -> valid.substring(0, random.nextInt(valid.length()));
          case 5 -> valid.replaceFirst(":", ":" + "[".repeat(1 + random.nextInt(3000)));
          case 6 -> "[".repeat(random.nextInt(20_000)) + "]".repeat(random.nextInt(20_000));
          default -> "{\"" + FIELD_NAMES.get(random.nextInt(FIELD_NAMES.size())) + "\":" + randomValue(random, 6) + "}";
        };
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (random.nextInt(15) == 0 && bytes.length > 2) {
      bytes[random.nextInt(bytes.length)] = (byte) (0x80 + random.nextInt(0x80)); // invalid UTF-8
    }
    return bytes;
  }

  private static String replaceField(String valid, Random random) {
    JsonNode node = HttpAssertions.json(valid);
    List<String> names = HttpAssertions.fieldNames(node);
    String victim = names.get(random.nextInt(names.size()));
    JsonNode original = node.get(victim);
    String value;
    if (random.nextBoolean() && original.isTextual()) {
      value = NASTY_STRINGS.get(random.nextInt(NASTY_STRINGS.size())); // right type, wrong content
    } else if (random.nextBoolean() && original.isNumber()) {
      value = NASTY_NUMBERS.get(random.nextInt(NASTY_NUMBERS.size()));
    } else {
      value = randomValue(random, 3);
    }
    return valid.replace("\"" + victim + "\":" + original, "\"" + victim + "\":" + value);
  }

  private static String addField(String valid, Random random) {
    String name = FIELD_NAMES.get(random.nextInt(FIELD_NAMES.size()));
    return "{\"" + name + "\":" + randomValue(random, 2) + "," + valid.substring(1);
  }

  private static String randomValue(Random random, int depth) {
    int pick = random.nextInt(depth <= 0 ? 5 : 8);
    return switch (pick) {
      case 0 -> "null";
      case 1 -> random.nextBoolean() ? "true" : "false";
      case 2, 3 -> NASTY_NUMBERS.get(random.nextInt(NASTY_NUMBERS.size()));
      case 4 -> NASTY_STRINGS.get(random.nextInt(NASTY_STRINGS.size()));
      case 5 -> {
        StringBuilder a = new StringBuilder("[");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          a.append(i == 0 ? "" : ",").append(randomValue(random, depth - 1));
        }
        yield a.append(']').toString();
      }
      default -> {
        StringBuilder o = new StringBuilder("{");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          o.append(i == 0 ? "" : ",")
              .append('"').append(FIELD_NAMES.get(random.nextInt(FIELD_NAMES.size()))).append("\":")
              .append(randomValue(random, depth - 1));
        }
        yield o.append('}').toString();
      }
    };
  }
}
