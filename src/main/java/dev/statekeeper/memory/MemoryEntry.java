package dev.statekeeper.memory;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One version of a memory entry: the current one (from a read or a write) or an older one (from
 * history or {@code ?version=N}).
 *
 * @param version 1 for the first write, one more for every write or delete after it
 * @param value null only in a tombstone
 * @param text what keyword search looks at, or null
 * @param deleted true for a tombstone: the version a delete wrote
 * @param createdAt when the entry was created (again, after a delete)
 * @param updatedAt when this version was written
 * @param writtenBy the subject of the caller who wrote this version
 * @param ttlSeconds the time to live this version was written with, or null (it never expires)
 * @param expiresAt when the entry stops being readable (a read with {@code refresh_ttl} moves it
 *     ahead by {@code ttlSeconds}), or null
 */
public record MemoryEntry(
    String namespace,
    String key,
    long version,
    MemoryType type,
    JsonNode value,
    String text,
    JsonNode metadata,
    boolean deleted,
    Instant createdAt,
    Instant updatedAt,
    String writtenBy,
    Long ttlSeconds,
    Instant expiresAt) {}
