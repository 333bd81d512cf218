package dev.statekeeper.memory;

import dev.statekeeper.StatekeeperException.InvalidInput;
import java.util.regex.Pattern;

/**
 * The rules for namespaces and keys, and how a namespace subtree becomes index ranges.
 *
 * <p>A namespace is 1 to 8 segments of {@code [A-Za-z0-9_.-]+} joined by {@code :}, at most 256
 * characters; a key is 1 to 128 of the same characters. A segment or key made only of dots
 * ({@code .}, {@code ..}) is refused as well: HTTP clients and servers resolve such path segments
 * away, so an entry under one could be written but never addressed again.
 *
 * <p>A subtree is the namespace itself plus every namespace that starts with it and a colon.
 * {@code :} is followed in byte order by {@code ;}, which the alphabet does not contain, so the
 * proper descendants of {@code p} are exactly the range {@code [p + ":", p + ";")} of a btree in
 * byte order (SQLite's BINARY collation, PostgreSQL's {@code "C"}) — no LIKE and no escaping of
 * {@code _}.
 */
final class Namespaces {

  static final int MAX_SEGMENTS = 8;
  static final int MAX_NAMESPACE = 256;
  static final int MAX_KEY = 128;

  private static final Pattern NAMESPACE =
      Pattern.compile("[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+){0," + (MAX_SEGMENTS - 1) + "}");
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_KEY + "}");
  private static final Pattern DOTS = Pattern.compile("\\.+");

  private Namespaces() {}

  /** {@code namespace} when valid; else {@code invalid_namespace} naming the rule it breaks. */
  static String namespace(String namespace) {
    return check("namespace", "invalid_namespace", namespace);
  }

  /** A listing or search prefix: a namespace, matched by whole segments. */
  static String prefix(String prefix) {
    return check("prefix", "invalid_prefix", prefix);
  }

  static String key(String key) {
    if (key == null || key.isEmpty()) {
      throw new InvalidInput("invalid_key", "key is required: 1-" + MAX_KEY + " characters of A-Z a-z 0-9 _ . -");
    }
    if (!KEY.matcher(key).matches()) {
      throw new InvalidInput(
          "invalid_key", "key must be 1-" + MAX_KEY + " characters of A-Z a-z 0-9 _ . -; got " + quote(key));
    }
    if (DOTS.matcher(key).matches()) {
      throw new InvalidInput("invalid_key", "key may not consist of dots only; got " + quote(key));
    }
    return key;
  }

  /** A namespace listing's suffix: segments a namespace must end with. */
  static String suffix(String suffix) {
    return check("suffix", "invalid_suffix", suffix);
  }

  /** The first {@code depth} segments of {@code namespace}. */
  static String truncate(String namespace, int depth) {
    String[] parts = namespace.split(":");
    return parts.length <= depth ? namespace : String.join(":", java.util.Arrays.asList(parts).subList(0, depth));
  }

  private static String check(String field, String code, String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidInput(code, field + " is required: 1-" + MAX_SEGMENTS + " segments of A-Z a-z 0-9 _ . - joined by ':'");
    }
    if (value.length() > MAX_NAMESPACE) {
      throw new InvalidInput(
          code, field + " may be at most " + MAX_NAMESPACE + " characters; got " + value.length());
    }
    if (!NAMESPACE.matcher(value).matches()) {
      int segments = value.split(":", -1).length;
      String why =
          segments > MAX_SEGMENTS
              ? "has " + segments + " segments; at most " + MAX_SEGMENTS + " are allowed"
              : "must be segments of A-Z a-z 0-9 _ . - joined by ':', none of them empty";
      throw new InvalidInput(code, field + " " + why + "; got " + quote(value));
    }
    for (String segment : value.split(":")) {
      if (DOTS.matcher(segment).matches()) {
        throw new InvalidInput(code, field + " may not have a segment of dots only; got " + quote(value));
      }
    }
    return value;
  }

  /** The first namespace of the proper descendants of {@code prefix} (inclusive). */
  static String descendantsFrom(String prefix) {
    return prefix + ":";
  }

  /** The end of the proper descendants of {@code prefix} (exclusive). */
  static String descendantsTo(String prefix) {
    return prefix + ";";
  }

  /** Whether {@code namespace} is {@code prefix} or below it, by whole segments. */
  static boolean within(String namespace, String prefix) {
    return namespace.equals(prefix) || namespace.startsWith(prefix + ":");
  }

  private static String quote(String s) {
    String shown = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    StringBuilder b = new StringBuilder("'");
    shown.codePoints().forEach(cp -> {
      if (Character.isISOControl(cp)) {
        b.append(String.format("\\u%04X", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.append('\'').toString();
  }
}
