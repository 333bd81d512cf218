package dev.statekeeper.ops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The registry behind {@code /health} and {@code /health/ready}, in the shape of Spring Boot
 * Actuator's health groups. Capabilities add their checks here ({@code sk.health().register(...)}):
 * a <em>critical</em> check (the database) that is DOWN makes the whole instance DOWN and not
 * ready; any other check that is DOWN or DEGRADED makes it DEGRADED (it still serves).
 *
 * <p>Checks run concurrently, each on a virtual thread, and each gets {@link #TIMEOUT}.
 *
 * <p>Concurrency: the list of checks is copy-on-write; registering is rare, checking frequent.
 */
public final class HealthChecks {

  /** How long one check may take before it counts as DOWN. */
  public static final Duration TIMEOUT = Duration.ofSeconds(2);

  private record Entry(String name, HealthCheck check, boolean critical) {}

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  /** Adds a check whose failure degrades the instance (it keeps serving). */
  public void register(String name, HealthCheck check) {
    add(new Entry(name, check, false));
  }

  /** Adds a check without which the instance cannot serve: DOWN makes it DOWN and not ready. */
  public void registerCritical(String name, HealthCheck check) {
    add(new Entry(name, check, true));
  }

  private void add(Entry e) {
    if (!e.name().matches("[a-z][a-z0-9_]{0,63}")) {
      throw new IllegalArgumentException("a health check name is lower_snake_case; got '" + e.name() + "'");
    }
    if (entries.stream().anyMatch(x -> x.name().equals(e.name()))) {
      throw new IllegalArgumentException("a health check named '" + e.name() + "' is already registered");
    }
    entries.add(e);
  }

  /** Runs every check. */
  public HealthReport check() {
    return run(entries);
  }

  /** Runs only the critical checks: what {@code /health/ready} answers. */
  public HealthReport readiness() {
    return run(entries.stream().filter(Entry::critical).toList());
  }

  private static HealthReport run(List<Entry> selected) {
    Map<String, CompletableFuture<Health>> running = new LinkedHashMap<>();
    for (Entry e : selected) {
      running.put(
          e.name(),
          CompletableFuture.supplyAsync(() -> safely(e.check()), task -> Thread.ofVirtual().name("health-" + e.name()).start(task)));
    }
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Map<String, Health> results = new LinkedHashMap<>();
    Health.Status overall = Health.Status.UP;
    for (Entry e : selected) {
      Health h = await(running.get(e.name()), deadline);
      results.put(e.name(), h);
      Health.Status contributes =
          h.status() == Health.Status.DOWN && !e.critical() ? Health.Status.DEGRADED : h.status();
      overall = overall.worse(contributes);
    }
    return new HealthReport(overall, results);
  }

  private static Health safely(HealthCheck check) {
    try {
      Health h = check.check();
      return h != null ? h : Health.down(Map.of("error", "the check answered nothing"));
    } catch (Exception e) {
      return Health.down(Map.of("error", String.valueOf(e.getMessage() != null ? e.getMessage() : e)));
    }
  }

  private static Health await(CompletableFuture<Health> f, long deadline) {
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return Health.down(Map.of("error", "no answer within " + TIMEOUT.toMillis() + " ms"));
    } catch (ExecutionException e) {
      return Health.down(Map.of("error", String.valueOf(e.getCause())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.down(Map.of("error", "interrupted"));
    }
  }
}
