package dev.statekeeper.ops;

import java.time.Instant;

/**
 * A rule that fired: while {@code endsAt} is null it is firing; then it is resolved.
 *
 * @param value the reading that made it fire (or the last one before it resolved), for people
 */
public record Alert(
    String name, String severity, String summary, String value, String threshold, Instant startsAt, Instant endsAt) {

  public boolean firing() {
    return endsAt == null;
  }
}
