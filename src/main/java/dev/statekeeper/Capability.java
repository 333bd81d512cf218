package dev.statekeeper;

import dev.statekeeper.http.Routes;
import dev.statekeeper.jobs.Job;
import dev.statekeeper.ops.AlertCheck;
import dev.statekeeper.ops.HealthCheck;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;

/**
 * What a capability (tasks, sessions, memory, …) hands the core, declared in its own package:
 * its HTTP routes, background jobs, health checks, alert rules and meters. {@link Statekeeper}
 * opens the capabilities and iterates over them — it registers the checks, rules and meters and
 * runs the jobs; the HTTP server registers the routes — so adding a capability, or a route, job
 * or check to one, touches neither {@code ops} nor {@code Statekeeper}'s wiring of the others.
 * Its tables are declared the same way, statically, in a {@code Schema} (backups and {@code
 * verify} need them without opening anything); its settings in a settings record.
 */
public interface Capability {

  /** The capability's routes ({@code routes.maxBodyBytes()} is the body limit). */
  default void routes(Routes routes) {}

  /** Its background jobs; the core runs them on one runner and stops them on close. */
  default List<Job> jobs() {
    return List.of();
  }

  /** Its health checks, by name ({@code /health}'s {@code checks}); none is critical for readiness. */
  default Map<String, HealthCheck> healthChecks() {
    return Map.of();
  }

  /** Its alert rules, evaluated with the built-in ones every {@code alert-interval}. */
  default List<AlertCheck> alerts() {
    return List.of();
  }

  /** Registers its meters (gauges of its state, counters of its work). */
  default void registerMeters(MeterRegistry registry) {}
}
