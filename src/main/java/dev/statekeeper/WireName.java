package dev.statekeeper;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An enum written on the wire (JSON, the database, query parameters) as its name in lower case:
 * {@code TaskStatus.PENDING} is {@code pending}. {@link #parse} reads a spelling back, exactly as
 * it is written or not at all.
 */
public interface WireName {

  /** The constant's name (every enum has it). */
  String name();

  /** The spelling used in JSON, in the database and in query parameters. */
  @JsonValue
  default String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant of {@code type} that {@code spelling} spells as {@code text}, compared exactly: no
   * other case, no space or control character around it. Anything else is invalid input {@code
   * code}, with the message "{@code what} must be one of a, b, c; got 'text'" ({@code absent}
   * instead of the quoted text when there is none).
   */
  static <E extends Enum<E>> E parse(
      Class<E> type, Function<? super E, String> spelling, String text, String code, String what, String absent) {
    E[] values = type.getEnumConstants();
    if (text != null) {
      for (E e : values) {
        if (spelling.apply(e).equals(text)) {
          return e;
        }
      }
    }
    String allowed = Arrays.stream(values).map(spelling).collect(Collectors.joining(", "));
    throw new StatekeeperException.InvalidInput(
        code, what + " must be one of " + allowed + "; got " + (text == null ? absent : "'" + text + "'"));
  }
}
