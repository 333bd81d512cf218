package dev.statekeeper;

import com.fasterxml.jackson.annotation.JsonCreator;

/** What a caller wants to do with a resource; relations grant sets of actions. */
public enum Action implements WireName {
  READ,
  WRITE,
  DELETE,
  /** manage the grants on the resource */
  SHARE;

  @JsonCreator
  public static Action parse(String text) {
    return WireName.parse(Action.class, Action::wireName, text, "invalid_action", "action", "nothing");
  }
}
