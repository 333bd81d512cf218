package dev.statekeeper;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What an API key may do, before any access grants are consulted. */
public enum Role {
  /** Every tenant; makes keys for any tenant. */
  ROOT,
  /** Everything within its own tenant. */
  ADMIN,
  /** Works tasks, sessions and memory within its tenant. */
  AGENT,
  /** Reads within its tenant. */
  READER;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Role parse(String text) {
    if (text != null) {
      for (Role role : values()) {
        if (role.wireName().equals(text)) {
          return role;
        }
      }
    }
    throw new StatekeeperException.InvalidInput(
        "invalid_role", "role must be one of root, admin, agent, reader; got " + quote(text));
  }

  private static String quote(String text) {
    return text == null ? "nothing" : "'" + text + "'";
  }
}
