package dev.statekeeper.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.Role;
import dev.statekeeper.sessions.NewEvent;
import dev.statekeeper.tasks.NewTask;
import java.util.List;

/** Request bodies of the HTTP contract, bound strictly by {@link Json}. */
final class Bodies {

  private Bodies() {}

  record Batch(List<NewTask> tasks) {}

  record Claim(
      String agent,
      List<String> queues,
      List<String> types,
      Integer limit,
      Integer leaseSeconds,
      Integer waitSeconds) {}

  record Heartbeat(String agent, Integer attempt, Integer leaseSeconds) {}

  record Complete(String agent, Integer attempt, JsonNode result) {}

  record Fail(String agent, Integer attempt, String error, Boolean retry) {}

  record Cancel(String reason) {}

  record NewKey(String tenant, String subject, Role role) {}

  /** One event ({@code type}, {@code data}) or a batch ({@code events}), not both. */
  record Append(String type, JsonNode data, List<NewEvent> events) {}

  record State(JsonNode state) {}

  /** A body that carries nothing (an empty body reads as {@code {}}). */
  record Empty() {}
}
