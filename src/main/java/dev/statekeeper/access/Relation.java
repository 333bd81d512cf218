package dev.statekeeper.access;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.statekeeper.Action;
import dev.statekeeper.WireName;
import java.util.EnumSet;
import java.util.Set;

/** What a grant gives its subject on its resource. */
public enum Relation implements WireName {
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

  @JsonCreator
  public static Relation parse(String text) {
    return WireName.parse(Relation.class, Relation::wireName, text, "invalid_relation", "relation", "nothing");
  }
}
