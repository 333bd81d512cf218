package dev.statekeeper.sessions;

import java.util.List;

/**
 * A page of a session's events. Oldest first, {@code nextAfterSeq} is the {@code after_seq} of
 * the next page; newest first, {@code nextBeforeSeq} is the {@code before_seq} of the next page.
 * Each is null when this page reached the end of the range (and the other is always null).
 */
public record EventPage(List<SessionEvent> items, Long nextAfterSeq, Long nextBeforeSeq) {

  public EventPage(List<SessionEvent> items, Long nextAfterSeq) {
    this(items, nextAfterSeq, null);
  }
}
