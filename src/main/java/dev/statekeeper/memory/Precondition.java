package dev.statekeeper.memory;

/**
 * What must hold for a write or delete to go ahead (HTTP {@code If-Match} / {@code
 * If-None-Match}); when it does not, nothing changes and the call fails with {@code
 * PreconditionFailed} (412), carrying the current version (0 when there is no live entry).
 */
public record Precondition(Kind kind, long version) {

  public enum Kind {
    /** no condition: last writer wins (still one version per write, none lost) */
    NONE,
    /** {@code If-Match: "N"}: the current version is N */
    VERSION,
    /** {@code If-Match: *}: a live entry exists */
    EXISTS,
    /** {@code If-None-Match: *}: no live entry exists (create only) */
    ABSENT
  }

  public static final Precondition NONE = new Precondition(Kind.NONE, 0);
  public static final Precondition EXISTS = new Precondition(Kind.EXISTS, 0);
  public static final Precondition ABSENT = new Precondition(Kind.ABSENT, 0);

  public static Precondition ifVersion(long version) {
    return new Precondition(Kind.VERSION, version);
  }

  public Precondition {
    if (kind == null) {
      throw new IllegalArgumentException("kind is required");
    }
  }
}
