package dev.statekeeper.tasks;

import java.time.Duration;
import java.util.List;

/**
 * Ask for up to {@code limit} runnable tasks from {@code queues} (optionally only of {@code
 * types}), leased to {@code agent} for {@code lease}; wait up to {@code maxWait} for one to arrive
 * when none is runnable. Null fields take the defaults: queue {@code default}, limit 1, the
 * configured default lease, no wait.
 */
public record ClaimRequest(
    String agent, List<String> queues, List<String> types, Integer limit, Duration lease, Duration maxWait) {

  public static ClaimRequest of(String agent) {
    return new ClaimRequest(agent, null, null, null, null, null);
  }

  public ClaimRequest withQueues(List<String> q) {
    return new ClaimRequest(agent, q, types, limit, lease, maxWait);
  }

  public ClaimRequest withTypes(List<String> t) {
    return new ClaimRequest(agent, queues, t, limit, lease, maxWait);
  }

  public ClaimRequest withLimit(int n) {
    return new ClaimRequest(agent, queues, types, n, lease, maxWait);
  }

  public ClaimRequest withLease(Duration d) {
    return new ClaimRequest(agent, queues, types, limit, d, maxWait);
  }

  public ClaimRequest withMaxWait(Duration d) {
    return new ClaimRequest(agent, queues, types, limit, lease, d);
  }
}
