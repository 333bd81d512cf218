package dev.statekeeper.ops;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The overall status and each check's result, in registration order. */
public record HealthReport(Health.Status status, Map<String, Health> checks) {
  public HealthReport {
    checks = Collections.unmodifiableMap(new LinkedHashMap<>(checks));
  }
}
