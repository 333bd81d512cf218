package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.store.StorableJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks of everything a client sends about tasks, each failing with a stable code and a message
 * that names the field and the limit. Checked before anything is written, so bad input changes
 * nothing.
 */
final class TaskInput {

  static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
  static final int MAX_TYPE = 256;
  static final int MAX_AGENT = 256;
  static final int MAX_ERROR = 65_536;
  static final int MAX_REASON = 4_096;
  static final int MAX_ATTEMPTS = 1_000;
  static final int MAX_CLAIM_LIMIT = 100;
  static final int MAX_LIST_LIMIT = 1_000;
  static final int DEFAULT_LIST_LIMIT = 100;
  static final int MAX_WAIT_SECONDS = 30;
  static final int MAX_BATCH = 1_000;
  static final int MAX_FILTER_ENTRIES = 50;
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true);

  private TaskInput() {}

  static String queue(String queue) {
    if (queue == null) {
      return "default";
    }
    if (!QUEUE.matcher(queue).matches()) {
      throw new InvalidInput(
          "invalid_queue",
          "queue must be 1-128 characters of A-Z a-z 0-9 _ . : -; got " + quote(queue));
    }
    return queue;
  }

  static List<String> queues(List<String> queues) {
    if (queues == null) {
      return List.of("default");
    }
    if (queues.isEmpty() || queues.size() > MAX_FILTER_ENTRIES) {
      throw new InvalidInput(
          "invalid_queues", "queues must name 1 to " + MAX_FILTER_ENTRIES + " queues; got " + queues.size());
    }
    List<String> out = new ArrayList<>(new LinkedHashSet<>(queues));
    out.forEach(TaskInput::queue);
    return out;
  }

  static List<String> types(List<String> types) {
    if (types == null) {
      return null;
    }
    if (types.isEmpty() || types.size() > MAX_FILTER_ENTRIES) {
      throw new InvalidInput(
          "invalid_types", "types must name 1 to " + MAX_FILTER_ENTRIES + " types; got " + types.size());
    }
    List<String> out = new ArrayList<>(new LinkedHashSet<>(types));
    out.forEach(TaskInput::type);
    return out;
  }

  static String type(String type) {
    return text("type", "invalid_type", type, MAX_TYPE, /* required= */ true, /* multiline= */ false);
  }

  static String agent(String agent) {
    return text("agent", "invalid_agent", agent, MAX_AGENT, true, false);
  }

  static String error(String error) {
    return text("error", "invalid_error", error, MAX_ERROR, true, true);
  }

  static String reason(String reason) {
    return text("reason", "invalid_reason", reason, MAX_REASON, false, true);
  }

  /** The fencing token of a heartbeat, complete or fail: required, the attempt the claim returned. */
  static int attempt(Integer attempt) {
    if (attempt == null) {
      throw new InvalidInput(
          "attempt_required",
          "attempt is required: send the attempt of the task as your claim returned it (its fencing token)");
    }
    return attempt;
  }

  static int maxAttempts(Integer n) {
    if (n == null) {
      return 3;
    }
    if (n < 1 || n > MAX_ATTEMPTS) {
      throw new InvalidInput(
          "invalid_max_attempts", "max_attempts must be between 1 and " + MAX_ATTEMPTS + "; got " + n);
    }
    return n;
  }

  static int claimLimit(Integer n) {
    if (n == null) {
      return 1;
    }
    if (n < 1 || n > MAX_CLAIM_LIMIT) {
      throw new InvalidInput(
          "invalid_limit", "limit must be between 1 and " + MAX_CLAIM_LIMIT + "; got " + n);
    }
    return n;
  }

  static int listLimit(Integer n) {
    if (n == null) {
      return DEFAULT_LIST_LIMIT;
    }
    if (n < 1 || n > MAX_LIST_LIMIT) {
      throw new InvalidInput(
          "invalid_limit", "limit must be between 1 and " + MAX_LIST_LIMIT + "; got " + n);
    }
    return n;
  }

  static String idempotencyKey(String key) {
    if (key == null) {
      return null;
    }
    if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw new InvalidInput(
          "invalid_idempotency_key",
          "an idempotency key must be 1-255 visible ASCII characters (no spaces)");
    }
    return key;
  }

  static JsonNode payload(JsonNode payload) {
    if (payload == null || payload.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!payload.isObject()) {
      throw new InvalidInput(
          "invalid_payload", "payload must be a JSON object; got " + payload.getNodeType().name().toLowerCase());
    }
    StorableJson.check("payload", "invalid_payload", payload);
    return payload;
  }

  static JsonNode result(JsonNode result) {
    if (result == null || result.isNull()) {
      return null;
    }
    StorableJson.check("result", "invalid_result", result);
    return result;
  }

  /** SHA-256 over the request as it will be stored, defaults applied: what "the same body" means. */
  static String requestHash(NewTask t, String queue, JsonNode payload, Priority priority, int maxAttempts) {
    ObjectNode canonical = JsonNodeFactory.instance.objectNode();
    canonical.put("type", t.type());
    canonical.put("queue", queue);
    canonical.set("payload", payload);
    canonical.put("priority", priority.name());
    canonical.put("max_attempts", maxAttempts);
    canonical.put("run_after", t.runAfter() == null ? null : t.runAfter().toString());
    canonical.put("deadline", t.deadline() == null ? null : t.deadline().toString());
    try {
      byte[] bytes = CANONICAL.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("hashing a request failed, which indicates a bug", e);
    }
  }

  private static String text(
      String field, String code, String value, int max, boolean required, boolean multiline) {
    if (value == null || value.isBlank()) {
      if (required) {
        throw new InvalidInput(code, field + " is required and may not be blank");
      }
      return null;
    }
    if (value.length() > max) {
      throw new InvalidInput(
          code, field + " may be at most " + max + " characters; got " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      boolean allowedControl = multiline && (ch == '\n' || ch == '\r' || ch == '\t');
      if (Character.isISOControl(ch) && !allowedControl) {
        throw new InvalidInput(
            code, field + " may not contain control characters (found U+" + String.format("%04X", (int) ch) + ")");
      }
    }
    return StorableJson.text(field, code, value);
  }

  private static String quote(String s) {
    return s.length() > 64 ? "'" + s.substring(0, 64) + "…'" : "'" + s + "'";
  }
}
