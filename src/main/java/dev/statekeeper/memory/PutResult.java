package dev.statekeeper.memory;

/** A write's outcome: the new version, and whether it created the entry (201) or changed it (200). */
public record PutResult(MemoryEntry entry, boolean created) {}
