package dev.statekeeper.sessions;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event to append to a session.
 *
 * @param type what happened ({@code message}, {@code tool_call}, …), 1-256 characters
 * @param data any JSON, or null
 */
public record NewEvent(String type, JsonNode data) {

  public static NewEvent of(String type, JsonNode data) {
    return new NewEvent(type, data);
  }
}
