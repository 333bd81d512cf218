package dev.statekeeper.memory;

import java.util.List;

/** One page of entries or versions; {@code nextCursor} continues after it, null on the last page. */
public record MemoryPage(List<MemoryEntry> items, String nextCursor) {}
