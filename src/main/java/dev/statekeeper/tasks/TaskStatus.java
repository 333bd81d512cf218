package dev.statekeeper.tasks;

import dev.statekeeper.StatekeeperException;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Lifecycle: pending → claimed → completed / failed / cancelled (claimed may return to pending). */
public enum TaskStatus {
  PENDING,
  CLAIMED,
  COMPLETED,
  FAILED,
  CANCELLED;

  /** The spelling used in JSON and in the database. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isFinal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  @JsonCreator
  public static TaskStatus fromWire(String text) {
    if (text != null) {
      for (TaskStatus status : values()) {
        if (status.wireName().equals(text)) {
          return status;
        }
      }
    }
    throw new StatekeeperException.InvalidInput(
        "invalid_status",
        "status must be one of pending, claimed, completed, failed, cancelled; got "
            + (text == null ? "null" : "'" + text + "'"));
  }
}
