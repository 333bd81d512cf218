package dev.statekeeper.tasks;

import dev.statekeeper.WireName;
import java.util.Locale;

/**
 * Whether a task's deadline was kept: {@code none} without a deadline, {@code pending} until it
 * is settled, then {@code met} (completed in time) or {@code violated} (deadline passed first, or
 * the task failed for good). A task cancelled before its deadline drops out of SLA accounting
 * ({@code none}).
 */
public enum SlaStatus implements WireName {
  NONE,
  PENDING,
  MET,
  VIOLATED;

  static SlaStatus fromWire(String text) {
    return valueOf(text.toUpperCase(Locale.ROOT));
  }
}
