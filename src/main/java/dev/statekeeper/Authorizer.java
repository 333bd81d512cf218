package dev.statekeeper;

import java.sql.Connection;
import java.sql.SQLException;
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
   * In the transaction {@code c} that creates {@code resource} (a session, a document): an agent
   * or reader caller becomes its {@code owner}, so it can read, change and share what it made;
   * admin and root keys need no grant. Inside the creating transaction, so a failed create grants
   * nothing and a create that committed always carries its grant. Call {@link
   * GrantChange#announce()} on the result once that transaction has committed.
   */
  GrantChange grantCreator(Connection c, Caller caller, String resource) throws SQLException;

  /**
   * In the transaction {@code c} that deletes {@code resource} — with {@code subtree}, also every
   * resource below it ({@code memory:a} covers {@code memory:a:b}) — removes every grant on it, so
   * a later object with the same name starts with none; cached decisions of the tenant are
   * invalidated by the same transaction. Call {@link GrantChange#announce()} on the result once
   * that transaction has committed.
   */
  GrantChange removeGrants(Connection c, String tenant, String resource, boolean subtree) throws SQLException;

  /**
   * A grant change made inside a capability's transaction; {@link #announce()} tells this node's
   * caches and (through Redis) the other nodes once it has committed — announced before the
   * commit, another node could cache a decision made without it.
   */
  @FunctionalInterface
  interface GrantChange {
    GrantChange NONE = () -> {};

    void announce();
  }

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
        public GrantChange grantCreator(Connection c, Caller caller, String resource) {
          return GrantChange.NONE;
        }

        @Override
        public GrantChange removeGrants(Connection c, String tenant, String resource, boolean subtree) {
          return GrantChange.NONE;
        }
      };
}
