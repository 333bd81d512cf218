package dev.statekeeper.tasks;

/** Filters and paging for listing tasks; null filters match everything. */
public record TaskQuery(String queue, TaskStatus status, Priority priority, Integer limit, String cursor) {

  public static TaskQuery all() {
    return new TaskQuery(null, null, null, null, null);
  }

  public TaskQuery withCursor(String c) {
    return new TaskQuery(queue, status, priority, limit, c);
  }

  public TaskQuery withLimit(int n) {
    return new TaskQuery(queue, status, priority, n, cursor);
  }
}
