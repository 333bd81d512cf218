package dev.statekeeper.memory;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.statekeeper.StatekeeperException;
import java.util.Locale;

/** What kind of memory an entry holds; written in lower case on the wire. */
public enum MemoryType {
  /** facts and knowledge ("alice prefers tea") */
  SEMANTIC,
  /** things that happened ("on Monday the deploy failed") */
  EPISODIC,
  /** how to do things (instructions, learned procedures) */
  PROCEDURAL;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The type of a wire name; {@code invalid_memory_type} for anything else. */
  public static MemoryType parse(String text) {
    if (text != null) {
      for (MemoryType t : values()) {
        if (t.wireName().equals(text)) {
          return t;
        }
      }
    }
    throw new StatekeeperException.InvalidInput(
        "invalid_memory_type",
        "type must be one of semantic, episodic, procedural; got " + (text == null ? "nothing" : "'" + text + "'"));
  }
}
