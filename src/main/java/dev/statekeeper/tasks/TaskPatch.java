package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** Changes to a pending task; a null field is left as it is. */
public record TaskPatch(Priority priority, JsonNode payload, Instant runAfter) {}
