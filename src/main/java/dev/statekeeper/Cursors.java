package dev.statekeeper;

import dev.statekeeper.StatekeeperException.InvalidInput;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Page cursors of every listing: opaque to clients (URL-safe base64 of the text a capability
 * continues from, e.g. {@code <namespace>/<key>}), and one refusal, 400 {@code invalid_cursor},
 * for anything this server did not hand out.
 */
public final class Cursors {

  private Cursors() {}

  public static String encode(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The text of {@code cursor}, or null when it is not URL-safe base64 (then {@link #invalid}). */
  public static String decode(String cursor) {
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  public static InvalidInput invalid() {
    return new InvalidInput("invalid_cursor", "cursor is not one this server handed out");
  }
}
