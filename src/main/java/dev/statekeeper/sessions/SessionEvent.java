package dev.statekeeper.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An event of a session's log.
 *
 * @param seq its place in the session: 1 for the first, and one more for each after it, with no
 *     gaps and no repeats whatever the number of concurrent appenders
 */
public record SessionEvent(long seq, String type, JsonNode data, Instant createdAt) {}
