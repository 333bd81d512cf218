package dev.statekeeper.sessions;

import dev.statekeeper.Capability;
import dev.statekeeper.audit.AuditLog;
import dev.statekeeper.http.Routes;
import dev.statekeeper.Action;
import dev.statekeeper.Authorizer;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.store.Ids;
import dev.statekeeper.store.Store;
import dev.statekeeper.jobs.Job;
import dev.statekeeper.jobs.JobRunner;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Sessions: one conversation or run of an agent, with an append-only event log and a mutable
 * JSON state — the one front door for the HTTP layer and for Java code embedding Statekeeper.
 * Every method acts within {@code caller.tenant()}; another tenant's session is {@link
 * StatekeeperException.NotFound}.
 *
 * <p>Events get gap-free sequence numbers per session (1, 2, 3, …) however many clients append
 * at once, and a batch gets consecutive ones. The state is replaced whole under optimistic
 * concurrency (its {@code version}). A terminated session is final: appends and state changes
 * fail with {@code 409 session_terminated}.
 */
public final class Sessions implements Capability, AutoCloseable {

  private final SessionRepository repository;
  private final StatekeeperConfig config;
  private final EventRetention retention;
  private final Authorizer authz;
  private final JobRunner ownRunner; // null when the caller's runner runs the jobs
  private final dev.statekeeper.store.Dialect dialect;

  private Sessions(Store store, StatekeeperConfig config, Authorizer authz, JobRunner ownRunner) {
    this.config = config;
    this.authz = authz;
    this.ownRunner = ownRunner;
    this.repository = new SessionRepository(store);
    this.dialect = store.dialect();
    this.retention = new EventRetention(repository, config.sessions().sessionEventRetention(), config.jobs().retentionInterval());
  }

  /**
   * Opens sessions on {@code store}, enforcing {@code authz} on every call, and runs the event
   * retention job (when configured) on a runner of its own, stopped by {@link #close}.
   */
  public static Sessions start(Store store, StatekeeperConfig config, Authorizer authz) {
    JobRunner runner = JobRunner.standalone();
    Sessions sessions = new Sessions(store, config, authz, runner);
    runner.startAll(sessions.jobs());
    return sessions;
  }

  /** Opens sessions enforcing {@code authz}; its {@link #jobs} are the caller's to run. */
  public static Sessions open(Store store, StatekeeperConfig config, Authorizer authz) {
    return new Sessions(store, config, authz, null);
  }

  @Override
  public void routes(Routes routes) {
    new SessionRoutes(this, routes.maxBodyBytes()).register(routes);
  }

  /** The background jobs of sessions: event retention, when configured. */
  @Override
  public List<Job> jobs() {
    return retention.job().stream().toList();
  }

  /**
   * Creates an active session; {@code 409 session_exists} when the id is taken in this tenant.
   * Any agent key may create one and becomes its {@code owner} (a grant on {@code session:<id>});
   * reader keys may not.
   */
  public Session create(Caller caller, NewSession session) {
    NewSession s = session == null ? NewSession.create() : session;
    String id = s.id() == null ? Ids.next() : SessionInput.id(s.id());
    requireWriter(caller);
    String agent = SessionInput.name("agent", s.agent());
    String user = SessionInput.name("user", s.user());
    String state = SessionInput.state(s.state(), config.sessions().maxStateBytes());
    SessionRepository.Created created =
        repository
            .create(caller.tenant(), id, agent, user, state, c -> authz.grantCreator(c, caller, "session:" + id))
            .orElseThrow(
                () -> new StatekeeperException.Conflict("session_exists", "a session with id " + id + " exists already"));
    created.grants().announce();
    return created.session();
  }

  public Session get(Caller caller, String id) {
    existing(id);
    authorize(caller, Action.READ, id);
    return repository.get(caller.tenant(), id).orElseThrow(() -> notFound(id));
  }

  /**
   * Appends events (1 to 1,000) in the order given and returns them with their {@code seq}.
   * All or nothing: one invalid event appends none.
   */
  public List<SessionEvent> append(Caller caller, String id, List<NewEvent> events) {
    existing(id);
    authorize(caller, Action.WRITE, id);
    if (events == null || events.isEmpty() || events.size() > SessionInput.MAX_BATCH) {
      throw new InvalidInput(
          "invalid_events",
          "an append holds 1 to " + SessionInput.MAX_BATCH + " events; got " + (events == null ? 0 : events.size()));
    }
    List<SessionRepository.PreparedEvent> prepared = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      NewEvent e = events.get(i);
      try {
        if (e == null) {
          throw new InvalidInput("invalid_events", "an event may not be null");
        }
        prepared.add(
            new SessionRepository.PreparedEvent(
                SessionInput.eventType(e.type()), SessionInput.data(e.data(), config.sessions().maxEventBytes())));
      } catch (InvalidInput ex) {
        throw events.size() == 1 ? ex : new InvalidInput(ex.code(), "event " + i + ": " + ex.getMessage());
      } catch (StatekeeperException.PayloadTooLarge ex) {
        throw events.size() == 1
            ? ex
            : new StatekeeperException.PayloadTooLarge(ex.code(), "event " + i + ": " + ex.getMessage());
      }
    }
    List<SessionEvent> appended = repository.append(caller.tenant(), id, prepared);
    if (appended.isEmpty()) {
      throw notActive(caller, id);
    }
    if (appended.size() != prepared.size()) {
      throw new IllegalStateException(
          "appending " + prepared.size() + " events to session " + id + " wrote " + appended.size()
              + ", which indicates a bug");
    }
    return appended;
  }

  /** Appends one event; see {@link #append(Caller, String, List)}. */
  public SessionEvent append(Caller caller, String id, NewEvent event) {
    return append(caller, id, java.util.Collections.singletonList(event)).get(0);
  }

  /**
   * Events with {@code seq > afterSeq} (null: from the start), in order, {@code limit} (1-1000,
   * default 100) at a time.
   */
  public EventPage events(Caller caller, String id, Long afterSeq, Integer limit) {
    return events(caller, id, afterSeq, null, null, limit);
  }

  /**
   * Events with {@code afterSeq < seq < beforeSeq} (either null: unbounded on that side), {@code
   * order} {@code asc} (the default: oldest first) or {@code desc} (newest first: the latest
   * events of a long log without reading the rest), {@code limit} (1-1000, default 100) at a time.
   */
  public EventPage events(Caller caller, String id, Long afterSeq, Long beforeSeq, String order, Integer limit) {
    existing(id);
    authorize(caller, Action.READ, id);
    long after = SessionInput.afterSeq(afterSeq);
    long before = SessionInput.beforeSeq(beforeSeq);
    boolean newestFirst = SessionInput.newestFirst(order);
    int n = SessionInput.limit(limit);
    List<SessionEvent> rows = repository.events(caller.tenant(), id, after, before, newestFirst, n + 1);
    if (rows.isEmpty() && repository.get(caller.tenant(), id).isEmpty()) {
      throw notFound(id);
    }
    Long last = rows.size() > n ? rows.get(n - 1).seq() : null; // one more was there: a next page exists
    rows = rows.size() > n ? rows.subList(0, n) : rows;
    return newestFirst ? new EventPage(rows, null, last) : new EventPage(rows, last, null);
  }

  /**
   * Replaces the state of an active session. {@code expectedVersion} is the version the caller
   * last saw (null: any); a stale one fails with {@link StatekeeperException.PreconditionFailed}.
   */
  public Session replaceState(Caller caller, String id, Long expectedVersion, com.fasterxml.jackson.databind.JsonNode state) {
    existing(id);
    authorize(caller, Action.WRITE, id);
    if (state == null || state.isNull()) {
      throw new InvalidInput("invalid_state", "state is required: a JSON object");
    }
    String json = SessionInput.state(state, config.sessions().maxStateBytes());
    return repository
        .replaceState(caller.tenant(), id, expectedVersion, json)
        .orElseThrow(
            () -> {
              Session current = repository.get(caller.tenant(), id).orElseThrow(() -> notFound(id));
              if (current.status() == SessionStatus.TERMINATED) {
                return (RuntimeException) terminated(id);
              }
              return new StatekeeperException.PreconditionFailed(
                  "session " + id + " is at version " + current.version() + ", not " + expectedVersion,
                  current.version());
            });
  }

  /** Terminates a session; terminating a terminated session returns it unchanged. */
  public Session terminate(Caller caller, String id) {
    existing(id);
    authorize(caller, Action.WRITE, id);
    return repository
        .terminate(caller.tenant(), id)
        .orElseGet(() -> repository.get(caller.tenant(), id).orElseThrow(() -> notFound(id)));
  }

  /**
   * The sessions the caller may read, in id order after {@code afterId} (null: from the start),
   * {@code limit} (1-1000, default 100) at a time; for exports and tools (the HTTP API has no
   * session listing).
   */
  public List<Session> list(Caller caller, String afterId, Integer limit) {
    int n = SessionInput.limit(limit);
    Authorizer.Readable readable = authz.readable(caller, "session");
    return repository.list(caller.tenant(), afterId, readable.all() ? null : readable.names(), n);
  }

  /**
   * The sessions the caller may read, newest first (by creation), filtered by {@code query}'s
   * agent, user and status; page on with {@link SessionPage#nextCursor()}. One backwards range of
   * the index {@code sessions_newest}: a page costs the same however many sessions came before.
   */
  public SessionPage list(Caller caller, SessionQuery query) {
    SessionQuery q = query == null ? SessionQuery.newest() : query;
    String agent = SessionInput.name("agent", q.agent());
    String user = SessionInput.name("user", q.user());
    SessionStatus status = SessionInput.status(q.status());
    int n = SessionInput.limit(q.limit());
    SessionRepository.Position after = SessionInput.position(q.cursor());
    Authorizer.Readable readable = authz.readable(caller, "session");
    List<Session> rows =
        repository.newest(caller.tenant(), readable.all() ? null : readable.names(), agent, user, status, after, n + 1);
    return rows.size() > n
        ? new SessionPage(rows.subList(0, n), SessionInput.cursor(rows.get(n - 1)))
        : new SessionPage(rows, null);
  }

  /**
   * Deletes a session for good: its row, state and events, the grants on it (and the decisions
   * cached from them, on every node), in one transaction that also writes an audit record
   * ({@code session.delete}). Owner or admin; an editor gets 403, a reader 403 {@code
   * read_only_key}. A later session with the same id starts with no grants and no events.
   * Returns how many events were removed.
   */
  public long delete(Caller caller, String id) {
    existing(id);
    authorize(caller, Action.DELETE, id);
    String resource = "session:" + id;
    SessionRepository.Deleted deleted = repository
        .delete(caller.tenant(), id, (c, events) -> {
          AuditLog.record(c, dialect, caller, "session.delete", resource, java.util.Map.of("events", events));
          return authz.removeGrants(c, caller.tenant(), resource, /* subtree= */ false);
        })
        .orElseThrow(() -> notFound(id));
    deleted.grants().announce();
    return deleted.events();
  }

  // ---------------------------------------------------------------- operations

  /** Runs one retention pass now instead of waiting for the next one; for tests and tools. */
  public void runRetentionNow() {
    retention.runNow();
  }

  public RetentionStatus retentionStatus() {
    return new RetentionStatus(retention.lastRun(), retention.removed(), retention.failures());
  }

  /**
   * Figures of the session event retention job, for health checks and metrics.
   *
   * @param lastRun when the last pass finished (null before the first)
   * @param eventsRemoved events removed since start
   * @param failures passes that failed since start
   */
  public record RetentionStatus(Instant lastRun, long eventsRemoved, long failures) {}

  @Override
  public void close() {
    if (ownRunner != null) ownRunner.close();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The one place that decides who may read or change a session: agent and reader keys need a
   * grant on {@code session:<id>} (the creator owns it). A session the caller may not read answers
   * exactly as a missing one (404); one it may read but not change, 403. Admin keys act on every
   * session of their tenant.
   */
  private void authorize(Caller caller, Action action, String id) {
    authz.requireOn(caller, action, "session:" + id, () -> notFound(id), "sessions");
  }

  private static void requireWriter(Caller caller) {
    if (caller.role() == Role.READER) {
      throw new StatekeeperException.Forbidden(
          "read_only_key", "a reader key cannot change sessions (subject " + caller.subject() + ")");
    }
  }

  /** An id no session can have (not of the id alphabet) is simply not found; nothing is read. */
  private static void existing(String id) {
    if (id == null || !SessionInput.ID.matcher(id).matches()) {
      throw notFound(id);
    }
  }

  private RuntimeException notActive(Caller caller, String id) {
    return repository.get(caller.tenant(), id).isPresent() ? terminated(id) : notFound(id);
  }

  private static StatekeeperException.Conflict terminated(String id) {
    return new StatekeeperException.Conflict("session_terminated", "session " + id + " is terminated");
  }

  private static StatekeeperException.NotFound notFound(String id) {
    return new StatekeeperException.NotFound("session_not_found", "no session " + id);
  }
}
