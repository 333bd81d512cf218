package dev.statekeeper.sessions;

/**
 * Which sessions to list, newest first; null fields are not filtered on.
 *
 * @param agent only sessions with this agent
 * @param user only sessions with this user
 * @param status only sessions in this status ({@code active}, {@code terminated})
 * @param limit 1-1000, default 100
 * @param cursor the {@code next_cursor} of the page before, or null for the newest
 */
public record SessionQuery(String agent, String user, String status, Integer limit, String cursor) {

  /** Every session, newest first, 100 at a time. */
  public static SessionQuery newest() {
    return new SessionQuery(null, null, null, null, null);
  }

  public SessionQuery withCursor(String c) {
    return new SessionQuery(agent, user, status, limit, c);
  }

  public SessionQuery withLimit(Integer n) {
    return new SessionQuery(agent, user, status, n, cursor);
  }
}
