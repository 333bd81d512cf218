package dev.statekeeper.keys;

import dev.statekeeper.Role;

/** A key just made: {@code key} is the secret, shown this once and stored only as a hash. */
public record CreatedKey(String id, String key, String tenant, String subject, Role role) {}
