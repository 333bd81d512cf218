package dev.statekeeper;

import java.util.Set;

/**
 * What agent and reader keys may do, decided from access grants; admin keys may do anything in
 * their tenant and root keys anything anywhere. Capabilities call it before acting, so the
 * embedded API and the HTTP layer enforce the same rules.
 *
 * <p>The 404/403 rule: a caller who may not even read a resource gets {@link
 * StatekeeperException.NotFound} — exactly what a missing resource answers, so nothing about
 * other people's resources leaks; a caller who may read it but not do this gets {@link
 * StatekeeperException.Forbidden}. Creating something where the caller may not write is 403.
 */
public interface Authorizer {

  /**
   * Returns when {@code caller} may do {@code action} on {@code resource} ({@code
   * task:<id>}, {@code memory:<namespace>}, {@code queue:<name>}, …); {@code parents} are the
   * resources it inherits grants from when the caller already knows them (a task's queue).
   */
  void require(Caller caller, Action action, String resource, String... parents);

  /**
   * The 404/403 rule for one existing object, the one place every capability applies it: a caller
   * who may not even read {@code resource} gets {@code unreadable} (the capability's own "not
   * found", exactly what a missing object answers); one who may read it but not do {@code action}
   * gets 403 — {@code read_only_key} for a reader key (which never writes), else {@code
   * access_denied}.
   *
   * @param what the capability's objects, for the reader's message ("sessions")
   */
  default void requireOn(
      Caller caller, Action action, String resource, java.util.function.Supplier<? extends RuntimeException> unreadable,
      String what, String... parents) {
    if (!allowed(caller, Action.READ, resource, parents)) {
      throw unreadable.get();
    }
    if (action == Action.READ) {
      return;
    }
    if (caller.role() == Role.READER) {
      throw new StatekeeperException.Forbidden(
          "read_only_key", "a reader key cannot change " + what + " (subject " + caller.subject() + ")");
    }
    require(caller, action, resource, parents);
  }

  /** Whether {@code caller} may do {@code action} on {@code resource}, without throwing. */
  boolean allowed(Caller caller, Action action, String resource, String... parents);

  /**
   * The resources of one type ({@code queue}, {@code task}, {@code memory}, {@code session}) the
   * caller may read, for filtering listings inside the query: {@code all} for admin and root.
   * For {@code memory} the names are namespace prefixes that cover their subtrees.
   */
  Readable readable(Caller caller, String type);

  /**
   * Records that {@code caller} has just created {@code resource} (a session): an agent or reader
   * becomes its {@code owner}, so it can read, change and share what it made. Admin and root keys
   * need no grant. Called after the resource exists, never before, so a failed create grants
   * nothing.
   */
  void created(Caller caller, String resource);

  /** Names of readable resources of one type (without the {@code type:} prefix). */
  record Readable(boolean all, Set<String> names) {
    public static final Readable ALL = new Readable(true, Set.of());

    public boolean none() {
      return !all && names.isEmpty();
    }
  }

  /** Lets everything through: for tests of other capabilities and for trusted embedded use. */
  Authorizer ALLOW_ALL =
      new Authorizer() {
        @Override
        public void require(Caller caller, Action action, String resource, String... parents) {}

        @Override
        public boolean allowed(Caller caller, Action action, String resource, String... parents) {
          return true;
        }

        @Override
        public Readable readable(Caller caller, String type) {
          return Readable.ALL;
        }

        @Override
        public void created(Caller caller, String resource) {}
      };
}
