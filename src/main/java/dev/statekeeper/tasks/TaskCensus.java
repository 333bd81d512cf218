package dev.statekeeper.tasks;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Counts over every tenant's tasks, for operators (metrics, dashboard, alerts): tasks by priority
 * and status, SLA outcomes by priority (all time, and among tasks last changed within {@link
 * #RECENT}), and the age of the oldest runnable pending task per priority (absent when none).
 * Taking one scans the tasks table; callers cache it.
 */
public record TaskCensus(
    Map<Priority, Map<TaskStatus, Long>> tasks,
    Map<Priority, Map<SlaStatus, Long>> sla,
    Map<Priority, Map<SlaStatus, Long>> slaRecent,
    Map<Priority, Double> oldestPendingAgeSeconds,
    Instant takenAt) {

  /** The window of {@link #slaRecent}. */
  public static final Duration RECENT = Duration.ofHours(1);

  /**
   * Share of settled SLAs that were met among tasks of {@code priority} changed within the last
   * hour, as a ratio from 0 to 1; NaN when none was settled.
   */
  public double slaComplianceRecent(Priority priority) {
    Map<SlaStatus, Long> m = slaRecent.getOrDefault(priority, Map.of());
    long met = m.getOrDefault(SlaStatus.MET, 0L);
    long violated = m.getOrDefault(SlaStatus.VIOLATED, 0L);
    return met + violated == 0 ? Double.NaN : (double) met / (met + violated);
  }
}
