package dev.statekeeper.sessions;

import java.util.List;

/**
 * A page of a session's events in {@code seq} order; {@code nextAfterSeq} is the {@code
 * after_seq} of the next page, null when this page reached the end of the log.
 */
public record EventPage(List<SessionEvent> items, Long nextAfterSeq) {}
