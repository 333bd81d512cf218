package dev.statekeeper.tasks;

import java.util.Map;

/**
 * Counts by status, by priority and status, the age in seconds of the oldest runnable-or-waiting
 * pending task per priority (null when none), and SLA outcomes.
 */
public record TaskStats(
    Map<String, Long> counts,
    Map<String, Map<String, Long>> byPriority,
    Map<String, Double> oldestPendingAgeSeconds,
    Map<String, Long> sla) {}
