package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One entry of a task's audit trail; {@code attempt} is the task's attempt after the event. */
public record TaskEvent(
    Instant at,
    String actor,
    String action,
    String fromStatus,
    String toStatus,
    int attempt,
    JsonNode detail) {}
