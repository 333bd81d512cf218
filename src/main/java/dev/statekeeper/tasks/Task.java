package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A work item as stored. {@code version} increases with every change; {@code attempt} counts
 * claims and, with {@code claimedBy} (the agent name the claim gave) and {@code claimedBySubject}
 * (the subject of the key that claimed), fences a lease: an agent acts on a task only while it
 * holds the current attempt's unexpired lease, through a key of the same subject.
 */
public record Task(
    String id,
    String queue,
    String type,
    JsonNode payload,
    Priority priority,
    TaskStatus status,
    int attempt,
    int maxAttempts,
    long version,
    Instant createdAt,
    Instant updatedAt,
    Instant runAfter,
    String claimedBy,
    String claimedBySubject,
    Instant leaseExpiresAt,
    Instant deadline,
    SlaStatus slaStatus,
    JsonNode result,
    String error) {}
