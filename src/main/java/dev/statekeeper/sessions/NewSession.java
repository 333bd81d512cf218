package dev.statekeeper.sessions;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A session to create ({@code POST /v1/sessions}).
 *
 * @param id chosen by the client (1-128 characters of A-Z a-z 0-9 _ . : -), or null for a
 *     generated one
 * @param agent who runs it, free text (optional)
 * @param user on whose behalf, free text (optional)
 * @param state a JSON object (default {@code {}})
 */
public record NewSession(String id, String agent, String user, JsonNode state) {

  public static NewSession create() {
    return new NewSession(null, null, null, null);
  }

  public NewSession withId(String v) {
    return new NewSession(v, agent, user, state);
  }

  public NewSession withAgent(String v) {
    return new NewSession(id, v, user, state);
  }

  public NewSession withUser(String v) {
    return new NewSession(id, agent, v, state);
  }

  public NewSession withState(JsonNode v) {
    return new NewSession(id, agent, user, v);
  }
}
