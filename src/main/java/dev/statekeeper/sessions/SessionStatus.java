package dev.statekeeper.sessions;

import dev.statekeeper.WireName;
import java.util.Locale;

/** A session is active until terminated; terminated is final. Lower case on the wire. */
public enum SessionStatus implements WireName {
  ACTIVE,
  TERMINATED;

  static SessionStatus fromWire(String text) {
    return valueOf(text.toUpperCase(Locale.ROOT));
  }
}
