package dev.statekeeper.tasks;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.statekeeper.WireName;

/** Lifecycle: pending → claimed → completed / failed / cancelled (claimed may return to pending). */
public enum TaskStatus implements WireName {
  PENDING,
  CLAIMED,
  COMPLETED,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  @JsonCreator
  public static TaskStatus fromWire(String text) {
    return WireName.parse(TaskStatus.class, TaskStatus::wireName, text, "invalid_status", "status", "null");
  }
}
