package dev.statekeeper.http;

import dev.statekeeper.StatekeeperException.InvalidInput;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query string, read strictly: a parameter this route does not know is a 400 ({@code
 * unknown_parameter}: a misspelt {@code limt=5}, or {@code purge=true} on a route without purge,
 * silently ignored is worse than an error), and so is a value that is not valid percent-encoded
 * UTF-8 or a parameter given twice ({@code invalid_parameter}) — Jetty's own parsing drops such a
 * parameter, which turned {@code ?queue=%ZZ} into a listing of every queue.
 *
 * <p>{@link #parse} runs before any route, {@link #allow} inside each route with the names it
 * declared (see {@link Routes}); handlers read values here, never through Javalin's {@code
 * queryParam}.
 */
public final class Query {

  private static final String PARSED = "statekeeper.query";

  private Query() {}

  /** Parses the raw query string of {@code ctx} (400 when it is malformed) and keeps it on the request. */
  static Map<String, String> parse(Context ctx) {
    String raw = ctx.queryString();
    Map<String, String> params;
    if (raw == null || raw.isEmpty()) {
      params = Map.of();
    } else {
      params = new LinkedHashMap<>();
      for (String pair : raw.split("&", -1)) {
        if (pair.isEmpty()) {
          continue; // "?a=1&&b=2" and a trailing "&" carry nothing
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq), pair);
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1), pair);
        if (params.put(name, value) != null) {
          throw new InvalidInput("invalid_parameter", "query parameter '" + name + "' is given more than once");
        }
      }
      params = Collections.unmodifiableMap(params);
    }
    ctx.attribute(PARSED, params);
    return params;
  }

  /** 400 {@code unknown_parameter} when the request has a parameter not in {@code allowed}. */
  static void allow(Context ctx, String path, Set<String> allowed) {
    for (String name : params(ctx).keySet()) {
      if (!allowed.contains(name)) {
        throw new InvalidInput(
            "unknown_parameter",
            "unknown query parameter '" + name + "' for " + ctx.method() + " " + path
                + (allowed.isEmpty() ? " (it takes none)" : " (known: " + String.join(", ", new TreeSet<>(allowed)) + ")"));
      }
    }
  }

  /** The value of {@code name}, or null when absent or empty. */
  public static String string(Context ctx, String name) {
    String v = params(ctx).get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  public static Integer integer(Context ctx, String name) {
    String v = string(ctx, name);
    if (v == null) {
      return null;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new InvalidInput("invalid_" + name, name + " must be an integer; got '" + v + "'");
    }
  }

  public static Long longValue(Context ctx, String name) {
    String v = string(ctx, name);
    if (v == null) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new InvalidInput("invalid_" + name, name + " must be an integer; got '" + v + "'");
    }
  }

  /** {@code true} or {@code false}, spelt exactly; false when absent. */
  public static boolean bool(Context ctx, String name) {
    String v = string(ctx, name);
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw new InvalidInput("invalid_" + name, name + " must be true or false; got '" + v + "'");
  }

  /** The names of the request's parameters. */
  static Set<String> names(Context ctx) {
    return params(ctx).keySet();
  }

  private static Map<String, String> params(Context ctx) {
    Map<String, String> p = ctx.attribute(PARSED);
    return p != null ? p : parse(ctx);
  }

  /** Form decoding ({@code +} is a space), refusing bad escapes and bytes that are not UTF-8. */
  private static String decode(String s, String pair) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return checked(s, pair);
    }
    ByteBuffer bytes = ByteBuffer.allocate(s.length() * 3);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
        if (lo < 0) {
          throw new InvalidInput(
              "invalid_parameter", "the query parameter '" + shown(pair) + "' has a bad percent-encoding (% must be followed by two hex digits)");
        }
        bytes.put((byte) (hi * 16 + lo));
        i += 2;
      } else if (c == '+') {
        bytes.put((byte) ' ');
      } else {
        bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    bytes.flip();
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes);
      return checked(chars.toString(), pair);
    } catch (CharacterCodingException e) {
      throw new InvalidInput("invalid_parameter", "the query parameter '" + shown(pair) + "' is not UTF-8 once decoded");
    }
  }

  /** No control characters (NUL included) in names or values. */
  private static String checked(String s, String pair) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        throw new InvalidInput(
            "invalid_parameter", "the query parameter '" + shown(pair) + "' holds a control character (U+"
                + String.format("%04X", (int) s.charAt(i)) + ")");
      }
    }
    return s;
  }

  private static String shown(String pair) {
    return pair.length() > 64 ? pair.substring(0, 64) + "…" : pair;
  }
}
