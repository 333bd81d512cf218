package dev.statekeeper.tasks;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.statekeeper.WireName;

/** Task priority; claims take higher priorities first. Stored as its rank (0 = CRITICAL). */
public enum Priority {
  CRITICAL,
  HIGH,
  NORMAL,
  LOW;

  /** The stored value: lower ranks are claimed first. */
  public int rank() {
    return ordinal();
  }

  public static Priority ofRank(int rank) {
    return values()[rank];
  }

  /**
   * Parses {@code CRITICAL}, {@code HIGH}, {@code NORMAL} or {@code LOW}, spelt exactly so: no
   * other case, no space or control character around it.
   */
  @JsonCreator
  public static Priority parse(String text) {
    return WireName.parse(Priority.class, Priority::name, text, "invalid_priority", "priority", "null");
  }
}
