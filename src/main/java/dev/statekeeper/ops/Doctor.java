package dev.statekeeper.ops;

import dev.statekeeper.StatekeeperConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The pre-launch check behind {@code statekeeper doctor}: the JVM and machine, the settings, the
 * data directory and disk, and the store (reachable, migrated, intact, configured safely, clocks
 * agreeing). It only reads: it never migrates, never takes the SQLite writer, never starts a
 * server. Each check that does not pass says how to fix it in one line.
 */
public final class Doctor {

  private Doctor() {}

  /**
   * Runs every check. {@code config} is null when the settings did not validate ({@code
   * configError} says why); the checks that need settings are then skipped.
   *
   * @param args the command line, to spot secrets passed as arguments
   */
  public static List<DoctorCheck> run(StatekeeperConfig config, String configError, List<String> args) {
    List<DoctorCheck> out = new ArrayList<>();
    EnvironmentChecks.all().forEach(c -> out.add(safely(c.name(), c.check())));
    if (config == null) {
      out.add(DoctorCheck.fail("configuration", configError,
          "correct the setting named above (command line, STATEKEEPER_* environment or --config file)"));
      return out;
    }
    out.add(DoctorCheck.pass("configuration", "valid; store: " + config.store().describeStore()));
    SettingsChecks.all(config, args).forEach(c -> out.add(safely(c.name(), c.check())));
    StorageChecks.all(config).forEach(c -> out.add(safely(c.name(), c.check())));
    return out;
  }

  /** Worst status of a report: FAIL, else WARN, else PASS. */
  public static DoctorCheck.Status overall(List<DoctorCheck> checks) {
    if (checks.stream().anyMatch(c -> c.status() == DoctorCheck.Status.FAIL)) return DoctorCheck.Status.FAIL;
    if (checks.stream().anyMatch(c -> c.status() == DoctorCheck.Status.WARN)) return DoctorCheck.Status.WARN;
    return DoctorCheck.Status.PASS;
  }

  /** A named check; a check that throws fails with the exception's message. */
  record Named(String name, Callable<DoctorCheck> check) {}

  private static DoctorCheck safely(String name, Callable<DoctorCheck> check) {
    try {
      return check.call();
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      return DoctorCheck.fail(name, "the check itself failed: " + message, "see the message; run with STATEKEEPER_LOG_LEVEL=DEBUG for more");
    }
  }
}
