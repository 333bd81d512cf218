package dev.statekeeper.ops;

import java.time.Instant;

/**
 * A rule that fired: while {@code endsAt} is null it is firing; then it is resolved.
 *
 * @param summary a sentence for people, from the latest evaluation
 * @param value the latest reading: refreshed on every evaluation while it fires; once resolved,
 *     the reading that resolved it
 * @param startsAt when it started firing, in whole seconds (UTC)
 * @param endsAt when it resolved, in whole seconds; null while firing
 */
public record Alert(
    String name, String severity, String summary, String value, String threshold, Instant startsAt, Instant endsAt) {

  public boolean firing() {
    return endsAt == null;
  }
}
