package dev.statekeeper.keys;

import dev.statekeeper.Role;
import java.time.Instant;

/** An API key as listed: never its secret. {@code revokedAt} is null while it is valid. */
public record ApiKey(
    String id, String tenant, String subject, Role role, Instant createdAt, Instant revokedAt) {}
