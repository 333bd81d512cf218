package dev.statekeeper.sessions;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A session is active until terminated; terminated is final. Lower case on the wire. */
public enum SessionStatus {
  ACTIVE,
  TERMINATED;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static SessionStatus fromWire(String text) {
    return valueOf(text.toUpperCase(Locale.ROOT));
  }
}
