package dev.statekeeper.access;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.statekeeper.Action;
import dev.statekeeper.StatekeeperException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a grant gives its subject on its resource. */
public enum Relation {
  /** read, write, delete, share */
  OWNER(EnumSet.allOf(Action.class)),
  /** read, write */
  EDITOR(EnumSet.of(Action.READ, Action.WRITE)),
  /** read */
  VIEWER(EnumSet.of(Action.READ)),
  /** membership of a team ({@code team:<name>}); gives no action by itself */
  MEMBER(EnumSet.noneOf(Action.class));

  private final Set<Action> actions;

  Relation(Set<Action> actions) {
    this.actions = actions;
  }

  public boolean permits(Action action) {
    return actions.contains(action);
  }

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Relation parse(String text) {
    if (text != null) {
      for (Relation r : values()) {
        if (r.wireName().equals(text)) return r;
      }
    }
    throw new StatekeeperException.InvalidInput(
        "invalid_relation", "relation must be one of owner, editor, viewer, member; got " + (text == null ? "nothing" : "'" + text + "'"));
  }
}
