package dev.statekeeper.sessions;

import java.util.List;

/** One page of sessions, newest first; {@code nextCursor} continues after it, null on the last page. */
public record SessionPage(List<Session> items, String nextCursor) {}
