package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A task to create. Only {@code type} is required; the rest default as the contract says (queue
 * {@code default}, payload {@code {}}, priority NORMAL, 3 attempts, runnable now, the priority's
 * default SLA deadline). {@code idempotencyKey} is used by batch creation; single creation takes
 * the key as a separate argument (the HTTP header).
 */
public record NewTask(
    String type,
    String queue,
    JsonNode payload,
    Priority priority,
    Integer maxAttempts,
    Instant runAfter,
    Instant deadline,
    String idempotencyKey) {

  /** A task of {@code type} with every other field defaulted. */
  public static NewTask of(String type) {
    return new NewTask(type, null, null, null, null, null, null, null);
  }

  public NewTask withQueue(String q) {
    return new NewTask(type, q, payload, priority, maxAttempts, runAfter, deadline, idempotencyKey);
  }

  public NewTask withPayload(JsonNode p) {
    return new NewTask(type, queue, p, priority, maxAttempts, runAfter, deadline, idempotencyKey);
  }

  public NewTask withPriority(Priority p) {
    return new NewTask(type, queue, payload, p, maxAttempts, runAfter, deadline, idempotencyKey);
  }

  public NewTask withMaxAttempts(int n) {
    return new NewTask(type, queue, payload, priority, n, runAfter, deadline, idempotencyKey);
  }

  public NewTask withRunAfter(Instant t) {
    return new NewTask(type, queue, payload, priority, maxAttempts, t, deadline, idempotencyKey);
  }

  public NewTask withDeadline(Instant t) {
    return new NewTask(type, queue, payload, priority, maxAttempts, runAfter, t, idempotencyKey);
  }

  public NewTask withIdempotencyKey(String k) {
    return new NewTask(type, queue, payload, priority, maxAttempts, runAfter, deadline, k);
  }
}
