package dev.statekeeper.support;

import dev.statekeeper.store.DatabaseClock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clock of a test: real time plus an offset that {@link #advance} moves forward, so time goes
 * on as usual (ordering, timeouts) and a test can jump past a lease, a backoff or a deadline at
 * once instead of sleeping. Give it to the store with {@link #database()}: every statement's
 * {@code sk_now()} then reads it.
 */
public final class TestClock implements InstantSource {

  private final AtomicLong offsetMillis = new AtomicLong();

  @Override
  public Instant instant() {
    return Instant.now().plusMillis(offsetMillis.get());
  }

  /** Moves the clock {@code d} forward (never back: stored times only ever grow). */
  public void advance(Duration d) {
    if (d.isNegative()) throw new IllegalArgumentException("a test clock only moves forward");
    offsetMillis.addAndGet(d.toMillis());
  }

  /** The store's "now", taken from this clock. */
  public DatabaseClock database() {
    return DatabaseClock.of(this);
  }
}
