package dev.statekeeper.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.StatekeeperException;
import java.util.Map;

/**
 * What JSON and text every store can keep and give back as it was answered: PostgreSQL cannot
 * store U+0000 in text or jsonb, a lone UTF-16 surrogate has no UTF-8 form (it was stored as
 * {@code ?}), Jackson writes at most 1,000 levels of nesting (responses add a few around a stored
 * value), and a number beyond a double's range would read back as another value. Checked before
 * anything is written, so a refusal changes nothing; the one rule for every JSON field and every
 * stored string, whichever capability takes it.
 */
public final class StorableJson {

  /** Levels of arrays and objects a stored JSON value may have. */
  public static final int MAX_DEPTH = 256;

  private StorableJson() {}

  /**
   * Refuses {@code node} with {@link StatekeeperException.InvalidInput} ({@code code}, a message
   * naming {@code field}) when a store could not keep it exactly.
   */
  public static void check(String field, String code, JsonNode node) {
    if (node != null) {
      check(field, code, node, 1);
    }
  }

  private static void check(String field, String code, JsonNode node, int depth) {
    if (depth > MAX_DEPTH && node.isContainerNode()) {
      throw new StatekeeperException.InvalidInput(
          code, field + " may nest at most " + MAX_DEPTH + " levels of arrays and objects");
    }
    if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
      throw new StatekeeperException.InvalidInput(
          code, field + " holds a number beyond the range of a 64-bit float (about ±1.8e308)");
    }
    if (node.isTextual()) {
      text(field, code, node.textValue());
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        text(field, code, e.getKey());
        check(field, code, e.getValue(), depth + 1);
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        check(field, code, child, depth + 1);
      }
    }
  }

  /**
   * Refuses a string a store could not keep exactly: one holding U+0000 or a lone UTF-16
   * surrogate. Returns it unchanged otherwise (null too).
   */
  public static String text(String field, String code, String value) {
    String problem = problem(value);
    if (problem != null) {
      throw new StatekeeperException.InvalidInput(code, field + " " + problem);
    }
    return value;
  }

  /** What makes {@code value} unstorable ("may not contain …"), or null when it is fine. */
  public static String problem(String value) {
    if (value == null) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\0') {
        return "may not contain the character U+0000";
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
        } else {
          return "may not contain a lone UTF-16 surrogate (U+" + String.format("%04X", (int) c) + " at character " + i + ")";
        }
      }
    }
    return null;
  }

  /** The length of {@code text} in UTF-8 bytes, without encoding it. */
  public static long utf8Length(String text) {
    long n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
