package dev.statekeeper;

import com.fasterxml.jackson.annotation.JsonCreator;

/** What an API key may do, before any access grants are consulted. */
public enum Role implements WireName {
  /** Every tenant; makes keys for any tenant. */
  ROOT,
  /** Everything within its own tenant. */
  ADMIN,
  /** Works tasks, sessions and memory within its tenant. */
  AGENT,
  /** Reads within its tenant. */
  READER;

  @JsonCreator
  public static Role parse(String text) {
    return WireName.parse(Role.class, Role::wireName, text, "invalid_role", "role", "nothing");
  }
}
