package dev.statekeeper;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a caller wants to do with a resource; relations grant sets of actions. */
public enum Action {
  READ,
  WRITE,
  DELETE,
  /** manage the grants on the resource */
  SHARE;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Action parse(String text) {
    if (text != null) {
      for (Action a : values()) {
        if (a.wireName().equals(text)) return a;
      }
    }
    throw new StatekeeperException.InvalidInput(
        "invalid_action", "action must be one of read, write, delete, share; got " + (text == null ? "nothing" : "'" + text + "'"));
  }
}
