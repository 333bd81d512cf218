package dev.statekeeper.memory;

import dev.statekeeper.WireName;

/** What kind of memory an entry holds; written in lower case on the wire. */
public enum MemoryType implements WireName {
  /** facts and knowledge ("alice prefers tea") */
  SEMANTIC,
  /** things that happened ("on Monday the deploy failed") */
  EPISODIC,
  /** how to do things (instructions, learned procedures) */
  PROCEDURAL;

  /** The type of a wire name; {@code invalid_memory_type} for anything else. */
  public static MemoryType parse(String text) {
    return WireName.parse(MemoryType.class, MemoryType::wireName, text, "invalid_memory_type", "type", "nothing");
  }
}
