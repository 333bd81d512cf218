package dev.statekeeper.store;

import java.time.InstantSource;
import java.util.Optional;

/**
 * Where the "now" of every statement comes from: {@code sk_now()} in the SQL of both stores. In
 * production it is the database's own clock ({@link #DATABASE}: PostgreSQL's {@code
 * statement_timestamp()}; the machine's clock for the embedded SQLite), so lease and deadline
 * arithmetic never mixes two machines' clocks. Tests give a settable {@link InstantSource}
 * instead ({@link #of}), so leases expire, backoffs end and deadlines pass without sleeping.
 */
public final class DatabaseClock {

  /** The database's own clock: what every server uses. */
  public static final DatabaseClock DATABASE = new DatabaseClock(null);

  private final InstantSource override;

  private DatabaseClock(InstantSource override) {
    this.override = override;
  }

  /** Statements take {@code source}'s instant as "now" (tests: a settable clock). */
  public static DatabaseClock of(InstantSource source) {
    return new DatabaseClock(java.util.Objects.requireNonNull(source, "source"));
  }

  /** The JVM-side clock that goes with it: the override, else the system's. */
  public InstantSource instantSource() {
    return override == null ? InstantSource.system() : override;
  }

  /** The clock that replaces the database's, if any. */
  Optional<InstantSource> override() {
    return Optional.ofNullable(override);
  }

  /** Epoch milliseconds of "now", as SQLite's {@code sk_now()} answers it. */
  long sqliteMillis() {
    return override == null ? System.currentTimeMillis() : override.millis();
  }
}
