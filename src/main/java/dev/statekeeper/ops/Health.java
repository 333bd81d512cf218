package dev.statekeeper.ops;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The state of one part of the system, with details for operators (latency, counts, reasons).
 *
 * @param details shown to admin keys under {@code /health}; keep them free of secrets
 */
public record Health(Status status, Map<String, Object> details) {

  /** Ordered from best to worst. */
  public enum Status {
    UP,
    DEGRADED,
    DOWN;

    Status worse(Status other) {
      return other.ordinal() > ordinal() ? other : this;
    }
  }

  public Health {
    Objects.requireNonNull(status, "status");
    // LinkedHashMap keeps the order the check chose; null values are allowed ("last_run": null)
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  public static Health up(Map<String, Object> details) {
    return new Health(Status.UP, details);
  }

  public static Health degraded(Map<String, Object> details) {
    return new Health(Status.DEGRADED, details);
  }

  public static Health down(Map<String, Object> details) {
    return new Health(Status.DOWN, details);
  }
}
