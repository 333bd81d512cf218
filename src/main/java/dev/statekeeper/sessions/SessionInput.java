package dev.statekeeper.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.statekeeper.Cursors;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.StorableJson;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks of everything a client sends about sessions, each failing with a stable code and a
 * message that names the field and the limit. Checked before anything is written.
 */
final class SessionInput {

  static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
  private static final Pattern DOTS = Pattern.compile("\\.+");
  static final int MAX_NAME = 256;
  static final int MAX_BATCH = 1_000;
  static final int DEFAULT_EVENT_LIMIT = 100;
  static final int MAX_EVENT_LIMIT = 1_000;

  private SessionInput() {}

  /** A client-chosen id; a path segment of dots only would be resolved away by HTTP, so it is refused. */
  static String id(String id) {
    if (id == null || !ID.matcher(id).matches() || DOTS.matcher(id).matches()) {
      throw new InvalidInput(
          "invalid_session_id",
          "a session id must be 1-128 characters of A-Z a-z 0-9 _ . : - (not dots only); got "
              + (id == null ? "nothing" : quote(id)));
    }
    return id;
  }

  static String name(String field, String value) {
    if (value == null) {
      return null;
    }
    if (value.isBlank() || value.length() > MAX_NAME) {
      throw new InvalidInput(
          "invalid_" + field, field + " must be 1-" + MAX_NAME + " characters and not blank; got " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i)) || Character.isSurrogate(value.charAt(i))) {
        throw new InvalidInput(
            "invalid_" + field,
            field + " may not contain control characters or lone surrogates (found U+"
                + String.format("%04X", (int) value.charAt(i)) + ")");
      }
    }
    return value;
  }

  /** The state as stored JSON; an object, within {@code maxBytes}. Null means {@code {}}. */
  static String state(JsonNode state, long maxBytes) {
    JsonNode s = state == null || state.isNull() ? JsonNodeFactory.instance.objectNode() : state;
    if (!s.isObject()) {
      throw new InvalidInput(
          "invalid_state", "state must be a JSON object; got " + s.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    StorableJson.check("state", "invalid_state", s);
    String json = JsonColumns.write(s);
    long bytes = StorableJson.utf8Length(json);
    if (bytes > maxBytes) {
      throw new StatekeeperException.PayloadTooLarge(
          "state_too_large", "state may be at most " + maxBytes + " bytes as JSON (max-state-bytes); got " + bytes);
    }
    return json;
  }

  static String eventType(String type) {
    if (type == null) {
      throw new InvalidInput("invalid_event_type", "type is required: what happened, 1-" + MAX_NAME + " characters");
    }
    try {
      return name("event_type", type);
    } catch (InvalidInput e) {
      throw new InvalidInput("invalid_event_type", e.getMessage().replaceFirst("^event_type", "type"));
    }
  }

  /** An event's data as stored JSON (null stays null), within {@code maxBytes}. */
  static String data(JsonNode data, long maxBytes) {
    if (data == null || data.isNull() || data.isMissingNode()) {
      return null;
    }
    StorableJson.check("data", "invalid_event_data", data);
    String json = JsonColumns.write(data);
    long bytes = StorableJson.utf8Length(json);
    if (bytes > maxBytes) {
      throw new StatekeeperException.PayloadTooLarge(
          "event_too_large", "an event's data may be at most " + maxBytes + " bytes as JSON (max-event-bytes); got " + bytes);
    }
    return json;
  }

  static long afterSeq(Long afterSeq) {
    if (afterSeq == null) {
      return 0;
    }
    if (afterSeq < 0) {
      throw new InvalidInput("invalid_after_seq", "after_seq must be 0 or more; got " + afterSeq);
    }
    return afterSeq;
  }

  static long beforeSeq(Long beforeSeq) {
    if (beforeSeq == null) {
      return Long.MAX_VALUE;
    }
    if (beforeSeq < 1) {
      throw new InvalidInput("invalid_before_seq", "before_seq must be 1 or more; got " + beforeSeq);
    }
    return beforeSeq;
  }

  /** {@code asc} (null: the default) or {@code desc}: whether events come newest first. */
  static boolean newestFirst(String order) {
    if (order == null || order.equals("asc")) {
      return false;
    }
    if (order.equals("desc")) {
      return true;
    }
    throw new InvalidInput("invalid_order", "order must be asc or desc; got " + quote(order));
  }

  static SessionStatus status(String status) {
    if (status == null) {
      return null;
    }
    return switch (status) {
      case "active" -> SessionStatus.ACTIVE;
      case "terminated" -> SessionStatus.TERMINATED;
      default -> throw new InvalidInput("invalid_status", "status must be active or terminated; got " + quote(status));
    };
  }

  /** The cursor of the page after one that ended with {@code last}. */
  static String cursor(Session last) {
    return Cursors.encode(last.createdAt() + "/" + last.id());
  }

  /** Where a listing continues, from a cursor this server handed out; null for none. */
  static SessionRepository.Position position(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    String text = Cursors.decode(cursor);
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash > 0 && ID.matcher(text.substring(slash + 1)).matches()) {
      try {
        return new SessionRepository.Position(java.time.Instant.parse(text.substring(0, slash)), text.substring(slash + 1));
      } catch (java.time.DateTimeException e) {
        // reported below
      }
    }
    throw Cursors.invalid();
  }

  static int limit(Integer limit) {
    if (limit == null) {
      return DEFAULT_EVENT_LIMIT;
    }
    if (limit < 1 || limit > MAX_EVENT_LIMIT) {
      throw new InvalidInput("invalid_limit", "limit must be between 1 and " + MAX_EVENT_LIMIT + "; got " + limit);
    }
    return limit;
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("'");
    String shown = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    shown.codePoints().forEach(cp -> {
      if (Character.isISOControl(cp)) b.append(String.format("\\u%04X", cp));
      else b.appendCodePoint(cp);
    });
    return b.append('\'').toString();
  }
}
