package dev.statekeeper.keys;

import dev.statekeeper.store.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The text form of keys: {@code sk_<16 hex id>_<43 characters of base64url>}, 256 random bits.
 * The id lets a key be found without searching by secret; the whole token's SHA-256 is what is
 * stored and compared, in constant time. A plain hash suffices (no bcrypt): the secret has 256
 * bits of entropy, so there is nothing to guess.
 *
 * <p>A bootstrap key chosen by an operator may have any form of 16+ characters; its id is then
 * derived from its hash.
 */
final class KeyTokens {

  private static final HexFormat HEX = HexFormat.of();

  private KeyTokens() {}

  record Token(String id, String text) {}

  static Token generate() {
    String id = HEX.formatHex(Ids.randomBytes(8));
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(Ids.randomBytes(32));
    return new Token(id, "sk_" + id + "_" + secret);
  }

  /** The id a token names (or, for an operator-chosen bootstrap key, derives). */
  static String idOf(String token) {
    if (token.length() > 20 && token.startsWith("sk_") && token.charAt(19) == '_') {
      String id = token.substring(3, 19);
      if (id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return id;
      }
    }
    return "boot" + HEX.formatHex(hash(token), 0, 6);
  }

  static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Constant-time comparison of a presented token with a stored hash. */
  static boolean matches(String token, byte[] storedHash) {
    return MessageDigest.isEqual(hash(token), storedHash);
  }
}
