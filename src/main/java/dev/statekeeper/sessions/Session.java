package dev.statekeeper.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One conversation or run of an agent.
 *
 * @param state a JSON object, replaced whole under optimistic concurrency
 * @param version the version of {@code status} and {@code state} (the {@code ETag}); starts at
 *     1, and appending events does not change it
 * @param eventCount the {@code seq} of the last event appended (0 before the first); events
 *     removed by retention still count
 * @param updatedAt when the session last changed or had events appended
 */
public record Session(
    String id,
    SessionStatus status,
    String agent,
    String user,
    JsonNode state,
    long version,
    long eventCount,
    Instant createdAt,
    Instant updatedAt) {}
