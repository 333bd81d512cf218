package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.statekeeper.Action;
import dev.statekeeper.Authorizer;
import dev.statekeeper.Capability;
import dev.statekeeper.Cursors;
import dev.statekeeper.http.Routes;
import dev.statekeeper.ops.AlertCheck;
import dev.statekeeper.ops.AlertRule;
import dev.statekeeper.ops.Alerts;
import dev.statekeeper.ops.Health;
import dev.statekeeper.ops.HealthCheck;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.Ids;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.Store;
import dev.statekeeper.jobs.Job;
import dev.statekeeper.jobs.JobRunner;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The task queue: the one front door to tasks for the HTTP layer and for Java code embedding
 * Statekeeper. Every method acts within {@code caller.tenant()}; another tenant's task is {@link
 * StatekeeperException.NotFound}.
 *
 * <p>Lifecycle: pending → claimed → completed / failed / cancelled. A claim leases a task to one
 * agent and increments {@code attempt}; heartbeats extend the lease; an expired lease returns the
 * task to pending (failed on its last attempt). Agents pass their {@code attempt} to fence their
 * actions: a holder whose lease lapsed and whose task was claimed again gets {@code 409} and
 * changes nothing.
 */
public final class Tasks implements Capability, AutoCloseable {

  private static final Pattern CURSOR_ID = Pattern.compile("[0-9a-f-]{36}");

  private final TaskRepository repository;
  private final TaskCounts counts;
  private final StatekeeperConfig config;
  private final ClaimSignals signals = new ClaimSignals();
  private final Arrivals arrivals;
  private final LeaseReaper reaper;
  private final PostgresTaskListener listener; // PostgreSQL only
  private final PostgresTaskNotifier notifier; // PostgreSQL only
  private volatile boolean stopWaiting; // set before a shutdown: claims no longer long-poll
  private final Timer claimTimer;
  private final Timer emptyClaimTimer;
  private final Map<Priority, Timer> pickupTimers = new EnumMap<>(Priority.class);

  private final Authorizer authz;
  private final JobRunner ownRunner; // null when the caller's runner runs the jobs
  private final InstantSource clock;
  private final TaskGauges gauges;
  /** A task's queue never changes: cached to check agents' access without a read per call. */
  private final Cache<TaskRef, String> queues = Caffeine.newBuilder().maximumSize(200_000).build();

  private record TaskRef(String tenant, String id) {}

  private Tasks(
      Store store, StatekeeperConfig config, InstantSource clock, Authorizer authz, MeterRegistry meters, JobRunner ownRunner) {
    this.ownRunner = ownRunner;
    this.clock = clock;
    this.gauges = new TaskGauges(this::census, config.tasks().metricsRefresh());
    this.authz = authz;
    String nodeId = Ids.next();
    boolean postgres = store.dialect() == Dialect.POSTGRES;
    this.config = config;
    this.repository = new TaskRepository(store);
    this.counts = new TaskCounts(store);
    this.listener = postgres ? new PostgresTaskListener(store, signals, nodeId) : null;
    this.notifier = postgres ? new PostgresTaskNotifier(store, nodeId) : null;
    this.arrivals = new Arrivals(signals, notifier);
    this.reaper =
        new LeaseReaper(
            repository, arrivals, config.tasks().reaperInterval(), config.tasks().idempotencyRetention(), clock);
    this.claimTimer = claimTimer(meters, "claimed");
    this.emptyClaimTimer = claimTimer(meters, "empty");
    for (Priority p : Priority.values()) {
      pickupTimers.put(
          p,
          Timer.builder("statekeeper.task.pickup")
              .description("How long a task waited, runnable, before an agent claimed it (database clock)")
              .tag("priority", p.name())
              .serviceLevelObjectives(LATENCY_BUCKETS)
              .register(meters));
    }
    FunctionCounter.builder("statekeeper.tasks.leases.expired", reaper, LeaseReaper::leasesExpired)
        .description("Leases this node's reaper found expired")
        .register(meters);
    FunctionCounter.builder("statekeeper.tasks.deadlines.missed", reaper, LeaseReaper::deadlinesMissed)
        .description("Deadlines this node's reaper settled as violated")
        .register(meters);
    Gauge.builder("statekeeper.tasks.claims.waiting", signals, ClaimSignals::waiting)
        .description("Claim calls long-polling on this node")
        .register(meters);
  }

  /** Bucket bounds of latency histograms, in Prometheus' {@code le} labels. */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
    Duration.ofMinutes(5)
  };

  private static Timer claimTimer(MeterRegistry meters, String outcome) {
    return Timer.builder("statekeeper.task.claim")
        .description("Duration of one claim query (not the long-poll wait around it)")
        .tag("outcome", outcome)
        .serviceLevelObjectives(java.util.Arrays.copyOf(LATENCY_BUCKETS, 12))
        .register(meters);
  }

  /**
   * Opens the task queue on {@code store} and runs its background jobs (the lease reaper; on
   * PostgreSQL the cross-node listener and notifier) on a runner of its own, stopped by {@link
   * #close}.
   */
  public static Tasks start(Store store, StatekeeperConfig config) {
    JobRunner runner = JobRunner.standalone();
    Tasks tasks = new Tasks(store, config, store.clock().instantSource(), Authorizer.ALLOW_ALL,
        new io.micrometer.core.instrument.composite.CompositeMeterRegistry(), runner);
    runner.startAll(tasks.jobs());
    return tasks;
  }

  /**
   * Opens the task queue enforcing {@code authz}, recording its meters in {@code meters}; its
   * {@link #jobs} are the caller's to run (Statekeeper runs every capability's).
   */
  public static Tasks open(Store store, StatekeeperConfig config, Authorizer authz, MeterRegistry meters) {
    return new Tasks(store, config, store.clock().instantSource(), authz, meters, null);
  }

  // ---------------------------------------------------------------- as a capability

  @Override
  public void routes(Routes routes) {
    new TaskRoutes(this, routes.maxBodyBytes()).register(routes);
  }

  /** The lease reaper's: DEGRADED when it has not finished a pass for ten intervals (at least 10 s). */
  @Override
  public Map<String, HealthCheck> healthChecks() {
    Duration interval = config.tasks().reaperInterval();
    Duration stale = interval.multipliedBy(10).compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : interval.multipliedBy(10);
    Instant started = clock.instant();
    return Map.of("lease_reaper", () -> {
      ReaperStatus r = reaperStatus();
      Instant since = r.lastRun() != null ? r.lastRun() : started;
      Duration age = Duration.between(since, clock.instant());
      Map<String, Object> d = new java.util.LinkedHashMap<>();
      d.put("last_run", r.lastRun() == null ? null : r.lastRun().toString());
      d.put("seconds_since_last_run", r.lastRun() == null ? null : Math.round(age.toMillis() / 10.0) / 100.0);
      d.put("leases_expired", r.leasesExpired());
      d.put("deadlines_missed", r.deadlinesMissed());
      d.put("failures", r.failures());
      if (age.compareTo(stale) > 0) {
        d.put("reason", "no pass finished in " + age.toSeconds() + " s");
        return Health.degraded(d);
      }
      return Health.up(d);
    });
  }

  /** SLA compliance of CRITICAL tasks settled within the hour, below {@code alert-sla-min}. */
  @Override
  public List<AlertCheck> alerts() {
    Double slaMin = config.tasks().alertSlaMinPercent();
    if (slaMin == null) {
      return List.of();
    }
    double min = slaMin;
    return List.of(new AlertCheck(
        new AlertRule("StatekeeperSlaComplianceLow", "critical",
            "SLA compliance of CRITICAL tasks settled within the last hour", "< " + Alerts.pct(min)),
        () -> {
          double ratio = gauges.current().map(c -> c.slaComplianceRecent(Priority.CRITICAL)).orElse(Double.NaN);
          if (Double.isNaN(ratio)) return AlertCheck.Outcome.no("no data");
          String value = Alerts.pct(100 * ratio);
          return 100 * ratio < min
              ? new AlertCheck.Outcome(true, value, "only " + value + " of CRITICAL tasks settled in the last hour met their deadline")
              : AlertCheck.Outcome.no(value);
        }));
  }

  /** The task gauges over every tenant (from the cached census). */
  @Override
  public void registerMeters(MeterRegistry registry) {
    gauges.register(registry);
  }

  /** The background jobs of the task queue. */
  @Override
  public List<Job> jobs() {
    List<Job> jobs = new ArrayList<>(List.of(reaper.job()));
    if (listener != null) {
      jobs.add(listener.job());
      jobs.add(notifier.job());
    }
    return jobs;
  }

  // ---------------------------------------------------------------- create and read

  /**
   * Creates a task. With an {@code idempotencyKey} seen before in this tenant (within the
   * retention, 24 hours by default), returns the task the first request made ({@code created ==
   * false}) when the request is the same, and fails with {@code idempotency_key_reused} when not.
   */
  public CreateResult create(Caller caller, NewTask task, String idempotencyKey) {
    NewTask keyed = task.withIdempotencyKey(idempotencyKey);
    return createAll(caller, List.of(keyed)).get(0);
  }

  /** Creates up to 1,000 tasks at once, all or nothing; each may carry its own idempotency key. */
  public List<CreateResult> createBatch(Caller caller, List<NewTask> tasks) {
    if (tasks == null || tasks.isEmpty() || tasks.size() > TaskInput.MAX_BATCH) {
      throw new InvalidInput(
          "invalid_batch",
          "a batch holds 1 to " + TaskInput.MAX_BATCH + " tasks; got " + (tasks == null ? 0 : tasks.size()));
    }
    return createAll(caller, tasks);
  }

  private List<CreateResult> createAll(Caller caller, List<NewTask> tasks) {
    List<TaskRepository.Prepared> prepared = new ArrayList<>(tasks.size());
    for (int i = 0; i < tasks.size(); i++) {
      NewTask t = tasks.get(i);
      if (t == null) {
        throw new InvalidInput("invalid_task", "task " + i + " of the batch is null");
      }
      try {
        prepared.add(prepare(t));
      } catch (InvalidInput e) {
        throw tasks.size() == 1 ? e : new InvalidInput(e.code(), "task " + i + " of the batch: " + e.getMessage());
      }
    }
    requireWriter(caller);
    for (String queue : new java.util.TreeSet<>(prepared.stream().map(TaskRepository.Prepared::queue).toList())) {
      authz.require(caller, Action.WRITE, "queue:" + queue);
    }
    List<CreateResult> results = repository.create(caller.tenant(), caller.subject(), prepared);
    results.forEach(r -> remember(caller.tenant(), r.task()));
    List<String> queues = new ArrayList<>();
    for (CreateResult r : results) {
      if (r.created()) {
        queues.add(r.task().queue());
      }
    }
    arrivals.arrived(caller.tenant(), queues, queues.size());
    return results;
  }

  private TaskRepository.Prepared prepare(NewTask t) {
    TaskInput.type(t.type());
    String queue = TaskInput.queue(t.queue());
    JsonNode payload = TaskInput.payload(t.payload());
    Priority priority = t.priority() == null ? Priority.NORMAL : t.priority();
    int maxAttempts = TaskInput.maxAttempts(t.maxAttempts());
    String key = TaskInput.idempotencyKey(t.idempotencyKey());
    NewTask normalized =
        new NewTask(t.type(), queue, payload, priority, maxAttempts, t.runAfter(), t.deadline(), key);
    return new TaskRepository.Prepared(
        Ids.next(),
        normalized,
        queue,
        priority,
        maxAttempts,
        t.deadline() == null ? config.tasks().slaDeadline(priority).orElse(null) : null,
        key,
        key == null ? null : TaskInput.requestHash(normalized, queue, payload, priority, maxAttempts));
  }

  public Task get(Caller caller, String id) {
    Task t = repository.get(caller.tenant(), id).orElseThrow(() -> notFound(id));
    remember(caller.tenant(), t);
    check(caller, Action.READ, id, t.queue());
    return t;
  }

  /** Tasks in creation order, filtered; {@code nextCursor} continues after the last one returned. */
  public TaskPage list(Caller caller, TaskQuery query) {
    int limit = TaskInput.listLimit(query.limit());
    if (query.queue() != null) {
      TaskInput.queue(query.queue());
    }
    String afterId = decodeCursor(query.cursor());
    Authorizer.Readable readableQueues = authz.readable(caller, "queue");
    Authorizer.Readable readableTasks = readableQueues.all() ? Authorizer.Readable.ALL : authz.readable(caller, "task");
    if (readableQueues.none() && readableTasks.none()) {
      return new TaskPage(List.of(), null);
    }
    List<Task> rows = repository.list(caller.tenant(), query, afterId, limit, readableQueues, readableTasks);
    if (rows.size() <= limit) {
      return new TaskPage(rows, null);
    }
    List<Task> page = rows.subList(0, limit);
    return new TaskPage(List.copyOf(page), encodeCursor(page.get(limit - 1).id()));
  }

  public List<TaskEvent> events(Caller caller, String id) {
    authorize(caller, Action.READ, id);
    List<TaskEvent> events = repository.events(caller.tenant(), id);
    if (events.isEmpty()) {
      throw notFound(id);
    }
    return events;
  }

  /**
   * Counts over every tenant, for operators: by priority and status, SLA outcomes, oldest runnable
   * pending age. Scans the tasks table: cache the result (the metrics do, for a few seconds).
   */
  public TaskCensus census() {
    return counts.census();
  }

  /** Counts by status and priority, oldest waiting age, and SLA outcomes; {@code queue} may be null. */
  public TaskStats stats(Caller caller, String queue) {
    if (queue != null) {
      authz.require(caller, Action.READ, "queue:" + TaskInput.queue(queue));
      return counts.stats(caller.tenant(), queue, Authorizer.Readable.ALL);
    }
    return counts.stats(caller.tenant(), null, authz.readable(caller, "queue"));
  }

  /** The resources a task inherits grants from (its queue); empty when there is no such task. */
  public List<String> parentsOf(String tenant, String id) {
    String queue = queueOf(tenant, id);
    return queue == null ? List.of() : List.of("queue:" + queue);
  }

  private String queueOf(String tenant, String id) {
    TaskRef ref = new TaskRef(tenant, id);
    String q = queues.getIfPresent(ref);
    if (q == null) {
      q = repository.get(tenant, id).map(Task::queue).orElse(null);
      if (q != null) queues.put(ref, q);
    }
    return q;
  }

  private void remember(String tenant, Task t) {
    queues.put(new TaskRef(tenant, t.id()), t.queue());
  }

  /** Checks access to an existing task (NotFound when it does not exist or the caller may not read it). */
  private void authorize(Caller caller, Action action, String id) {
    if (authz == Authorizer.ALLOW_ALL || caller.role() == Role.ADMIN || caller.role() == Role.ROOT) {
      return; // admins act in their whole tenant; no need to look the task up first
    }
    String queue = queueOf(caller.tenant(), id);
    if (queue == null) {
      throw notFound(id);
    }
    check(caller, action, id, queue);
  }

  /** A task the caller may not read answers exactly as a missing one; one it may read but not change, 403. */
  private void check(Caller caller, Action action, String id, String queue) {
    authz.requireOn(caller, action, "task:" + id, () -> notFound(id), "tasks", "queue:" + queue);
  }

  // ---------------------------------------------------------------- changes by clients

  /**
   * Changes a pending task. {@code expectedVersion} is the version the caller last saw (null
   * means any, as {@code If-Match: *}); a stale one fails with {@link
   * StatekeeperException.PreconditionFailed}.
   */
  public Task patch(Caller caller, String id, Long expectedVersion, TaskPatch patch) {
    requireWriter(caller);
    authorize(caller, Action.WRITE, id);
    if (patch.priority() == null && patch.payload() == null && patch.runAfter() == null) {
      throw new InvalidInput(
          "empty_patch", "nothing to change: give at least one of priority, payload, run_after");
    }
    TaskPatch checked =
        new TaskPatch(
            patch.priority(),
            patch.payload() == null ? null : TaskInput.payload(patch.payload()),
            patch.runAfter());
    Optional<Task> changed =
        repository.patch(caller.tenant(), id, expectedVersion, checked, caller.subject());
    if (changed.isPresent()) {
      return changed.get();
    }
    Task current = get(caller, id);
    if (expectedVersion != null && current.version() != expectedVersion) {
      throw new StatekeeperException.PreconditionFailed(
          "task " + id + " is at version " + current.version() + ", not " + expectedVersion,
          current.version());
    }
    throw new StatekeeperException.Conflict(
        "task_not_pending",
        "only pending tasks can be changed; task " + id + " is " + current.status().wireName());
  }

  /** Cancels a pending or claimed task; a claimed task's holder then gets 409 on its next call. */
  public Task cancel(Caller caller, String id, String reason) {
    requireWriter(caller);
    authorize(caller, Action.WRITE, id);
    String checkedReason = TaskInput.reason(reason);
    return repository
        .cancel(caller.tenant(), id, checkedReason, caller.subject())
        .orElseThrow(() -> notFound(id));
  }

  // ---------------------------------------------------------------- changes by agents

  /**
   * Claims up to {@code limit} runnable tasks, highest priority first, then oldest. With a wait,
   * blocks until at least one is claimed or the wait ends (then returns an empty list).
   */
  public List<Task> claim(Caller caller, ClaimRequest request) {
    requireWriter(caller);
    String agent = TaskInput.agent(request.agent());
    List<String> queues = TaskInput.queues(request.queues());
    List<String> types = TaskInput.types(request.types());
    int limit = TaskInput.claimLimit(request.limit());
    Duration lease = lease(request.lease());
    Duration wait = request.maxWait() == null ? Duration.ZERO : request.maxWait();
    if (wait.isNegative() || wait.compareTo(Duration.ofSeconds(TaskInput.MAX_WAIT_SECONDS)) > 0) {
      throw new InvalidInput(
          "invalid_wait", "wait_seconds must be between 0 and " + TaskInput.MAX_WAIT_SECONDS
              + "; got " + wait.toSeconds());
    }
    String tenant = caller.tenant();
    for (String queue : queues) {
      authz.require(caller, Action.WRITE, "queue:" + queue);
    }
    LeaseHolder holder = new LeaseHolder(caller.subject(), agent);
    if (wait.isZero()) {
      return claimOnce(tenant, holder, queues, types, limit, lease);
    }
    long deadline = System.nanoTime() + wait.toNanos();
    int handOver = 0; // hops left of a wake-up this call could not use
    while (true) {
      ClaimSignals.Waiter waiter = signals.register(tenant, queues);
      List<Task> claimed;
      try {
        claimed = claimOnce(tenant, holder, queues, types, limit, lease);
      } catch (RuntimeException e) {
        signals.unregister(waiter, tenant, queues);
        throw e;
      }
      long remaining = deadline - System.nanoTime();
      if (!claimed.isEmpty() || remaining <= 0 || stopWaiting) {
        signals.unregister(waiter, tenant, queues);
        return claimed;
      }
      if (handOver > 1 && types != null) {
        // Woken for a task our type filter excludes: let the next waiter try it. Done while we
        // are still registered behind the others, so the hand-over never comes back to us first.
        signals.signal(tenant, queues, 1, handOver - 1);
      }
      try {
        handOver =
            waiter.await(Duration.ofNanos(Math.min(remaining, config.tasks().claimPollInterval().toNanos())))
                ? waiter.hops()
                : 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      } finally {
        signals.unregister(waiter, tenant, queues);
      }
    }
  }

  private List<Task> claimOnce(
      String tenant, LeaseHolder holder, List<String> queues, List<String> types, int limit, Duration lease) {
    long t0 = System.nanoTime();
    List<Task> claimed = repository.claim(tenant, holder, queues, types, limit, lease);
    (claimed.isEmpty() ? emptyClaimTimer : claimTimer).record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    for (Task t : claimed) {
      // both times are the database's: run_after, and updated_at set by the claim
      Duration waited = Duration.between(t.runAfter(), t.updatedAt());
      pickupTimers.get(t.priority()).record(waited.isNegative() ? Duration.ZERO : waited);
      remember(tenant, t);
    }
    return claimed;
  }

  /**
   * Extends the lease of a task the agent holds to {@code lease} from now (default: the configured
   * lease). The lease is held by the caller's subject and {@code agent} together, on {@code
   * attempt} (required: the fencing token the claim returned).
   */
  public Task heartbeat(Caller caller, String id, String agent, Integer attempt, Duration lease) {
    requireWriter(caller);
    authorize(caller, Action.WRITE, id);
    LeaseHolder holder = holder(caller, agent);
    int a = TaskInput.attempt(attempt);
    return repository
        .heartbeat(caller.tenant(), id, holder, a, lease(lease))
        .orElseThrow(() -> leaseNotHeld(caller, id, holder, a));
  }

  /** Completes a task the caller holds (subject, agent and attempt); settles its SLA as met or violated. */
  public Task complete(Caller caller, String id, String agent, Integer attempt, JsonNode result) {
    requireWriter(caller);
    authorize(caller, Action.WRITE, id);
    LeaseHolder holder = holder(caller, agent);
    int a = TaskInput.attempt(attempt);
    String resultJson = JsonColumns.write(TaskInput.result(result));
    return repository
        .complete(caller.tenant(), id, holder, a, resultJson)
        .orElseThrow(() -> leaseNotHeld(caller, id, holder, a));
  }

  /**
   * Fails the current attempt of a task the caller holds. With {@code retry} and attempts left,
   * the task becomes pending again after an exponential backoff with jitter; otherwise it is
   * failed for good.
   */
  public Task fail(Caller caller, String id, String agent, Integer attempt, String error, boolean retry) {
    requireWriter(caller);
    authorize(caller, Action.WRITE, id);
    LeaseHolder holder = holder(caller, agent);
    int a = TaskInput.attempt(attempt);
    String e = TaskInput.error(error);
    // "Equal jitter": half the delay is fixed, half random, so retries of one burst spread out.
    double jitter = 0.5 + 0.5 * ThreadLocalRandom.current().nextDouble();
    return repository
        .fail(caller.tenant(), id, holder, a, e, retry, config.tasks().retryBaseDelay(), config.tasks().retryMaxDelay(), jitter)
        .orElseThrow(() -> leaseNotHeld(caller, id, holder, a));
  }

  private static LeaseHolder holder(Caller caller, String agent) {
    return new LeaseHolder(caller.subject(), TaskInput.agent(agent));
  }

  // ---------------------------------------------------------------- operations

  /**
   * Runs one pass of the background sweep now (expired leases, missed deadlines, old idempotency
   * keys) instead of waiting for the next tick; for tests and tools.
   */
  public void sweepNow() {
    reaper.job().runNow();
  }

  /** When the lease reaper last finished a pass (null before the first), and its failure count. */
  public ReaperStatus reaperStatus() {
    return new ReaperStatus(
        reaper.job().lastRun(), reaper.leasesExpired(), reaper.deadlinesMissed(), reaper.job().failures());
  }

  /** Figures of the background sweep, for health checks and metrics. */
  public record ReaperStatus(Instant lastRun, long leasesExpired, long deadlinesMissed, long failures) {}

  /**
   * Ends every long-polling claim now, and makes later claims return at once instead of waiting:
   * the HTTP server calls this when it stops, so its graceful stop need not wait for long polls.
   */
  public void stopWaiting() {
    stopWaiting = true;
    signals.wakeAll();
  }

  /** How many claim calls are long-polling on this node right now. */
  public int waitingClaims() {
    return signals.waiting();
  }

  /** Ends long polls and the PostgreSQL listener's wait; stops the jobs when they run on a runner of its own. */
  @Override
  public void close() {
    if (listener != null) {
      listener.close();
    }
    if (ownRunner != null) {
      ownRunner.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  private Duration lease(Duration requested) {
    Duration lease = requested == null ? config.tasks().defaultLease() : requested;
    if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(config.tasks().maxLease()) > 0) {
      throw new InvalidInput(
          "invalid_lease", "lease_seconds must be between 1 and " + config.tasks().maxLease().toSeconds()
              + "; got " + lease.toSeconds());
    }
    return lease;
  }

  private RuntimeException leaseNotHeld(Caller caller, String id, LeaseHolder holder, int attempt) {
    Task t = repository.get(caller.tenant(), id).orElse(null);
    if (t == null) {
      return notFound(id);
    }
    if (t.status() != TaskStatus.CLAIMED) {
      return new StatekeeperException.Conflict(
          "lease_not_held", "task " + id + " is " + t.status().wireName() + "; " + holder.actor() + " holds no lease on it");
    }
    LeaseHolder current = new LeaseHolder(t.claimedBySubject() == null ? holder.subject() : t.claimedBySubject(), t.claimedBy());
    if (!current.equals(holder)) {
      return new StatekeeperException.Conflict(
          "lease_not_held",
          "task " + id + " is held by " + current.actor() + " (attempt " + t.attempt() + "), not by " + holder.actor());
    }
    if (attempt != t.attempt()) {
      return new StatekeeperException.Conflict(
          "lease_not_held",
          "attempt " + attempt + " of task " + id + " is over; the task is on attempt " + t.attempt());
    }
    return new StatekeeperException.Conflict(
        "lease_expired", "the lease of " + holder.actor() + " on task " + id + " expired at " + t.leaseExpiresAt());
  }

  private static void requireWriter(Caller caller) {
    if (caller.role() == Role.READER) {
      throw new StatekeeperException.Forbidden(
          "read_only_key", "a reader key cannot change tasks (subject " + caller.subject() + ")");
    }
  }

  private static StatekeeperException.NotFound notFound(String id) {
    return new StatekeeperException.NotFound("task_not_found", "no task " + id);
  }

  private static String encodeCursor(String id) {
    return Cursors.encode(id);
  }

  private static String decodeCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    String id = Cursors.decode(cursor);
    if (id != null && CURSOR_ID.matcher(id).matches()) {
      return id;
    }
    throw Cursors.invalid();
  }
}
