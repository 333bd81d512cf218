package dev.statekeeper.access;

import dev.statekeeper.Capability;
import dev.statekeeper.http.Routes;
import dev.statekeeper.ops.Health;
import dev.statekeeper.ops.HealthCheck;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.statekeeper.Action;
import dev.statekeeper.Authorizer;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.store.Redis;
import dev.statekeeper.store.Store;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Access grants and checks. A grant {@code (resource, relation, subject)} gives its subject the
 * relation's actions on the resource and — for memory — on every namespace below it; a task
 * inherits the grants of its queue; subjects include teams ({@code team:<name>#member}) and
 * everyone ({@code *}).
 *
 * <p>Checks answer from three levels: Caffeine in this process, then Redis shared by all nodes
 * (when configured), then the database. Every decision is cached under the tenant's access
 * epoch, which every grant change increments in its own transaction; a node learns a new epoch
 * from Redis at once and from the database at least every {@code epoch-refresh} (≤ 1 s) — so
 * a revoked grant is refused everywhere within a second even when Redis is down, and Redis is
 * never the source of truth. Cache keys are records (in process) and SHA-256 of a
 * length-prefixed encoding that starts with the store's identity (in Redis): no two different
 * checks share a key, nor two stores sharing one Redis, nor one store before and after a restore.
 *
 * <p>Concurrency: Caffeine caches are thread-safe and load each key once at a time; counters
 * are atomics; {@link #parents} is a concurrent map filled at start.
 */
public final class Access implements Authorizer, Capability {

  /** The Redis channel on which grant changes are announced. */
  public static final String CHANNEL = "statekeeper:access";
  private static final Duration DECISION_TTL = Duration.ofMinutes(10);

  private final GrantRepository grants;
  private final Redis redis; // null without Redis
  private volatile String storeIdentity;
  private volatile java.util.function.Supplier<dev.statekeeper.LocalCacheStats> keyCache; // null: not reported // read on first use; what Redis keys and announcements carry
  private final LoadingCache<String, Long> epochs;
  private final LoadingCache<CheckKey, Decision> decisions;
  private final LoadingCache<ReadableKey, Readable> readables;
  private final Map<String, BiFunction<String, String, List<String>>> parents = new ConcurrentHashMap<>();
  private final AtomicLong allowed = new AtomicLong();
  private final AtomicLong denied = new AtomicLong();
  private final AtomicLong l1Misses = new AtomicLong();
  private final AtomicLong l2Hits = new AtomicLong();
  private final AtomicLong dbLoads = new AtomicLong();
  private final AtomicLong invalidations = new AtomicLong();
  private final Timer checkLatency;

  /** A check as cached: every field takes part in equality, so nothing can collide. */
  private record CheckKey(String tenant, long epoch, String subject, Action action, String resource, List<String> parents) {}

  private record ReadableKey(String tenant, long epoch, String subject, String type) {}

  /**
   * @param redis the shared second level, or null (then every miss of this node's cache reads the
   *     database)
   * @param epochRefresh how long a node trusts the tenant epoch it read without an announcement:
   *     the bound on staleness when announcements are lost (Redis down)
   * @param meters where checks, their latency, hits and misses per cache level and invalidations
   *     are counted
   */
  public Access(Store store, Redis redis, Duration epochRefresh, MeterRegistry meters) {
    this.grants = new GrantRepository(store);
    this.redis = redis;
    this.epochs = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(epochRefresh).build(grants::epoch);
    this.decisions =
        Caffeine.newBuilder().maximumSize(200_000).expireAfterWrite(DECISION_TTL).recordStats().build(this::loadDecision);
    this.readables =
        Caffeine.newBuilder().maximumSize(20_000).expireAfterWrite(DECISION_TTL).build(this::loadReadable);
    this.checkLatency =
        Timer.builder("statekeeper.access.check")
            .description("Time to decide an access check, from whichever cache level or the database answered")
            .publishPercentileHistogram()
            .register(meters);
    registerCheckMeters(meters);
  }

  private void registerCheckMeters(MeterRegistry meters) {
    // level "local": this node's Caffeine (cache_gets_total{cache="access_decisions",level="local"})
    CaffeineCacheMetrics.monitor(meters, decisions, "access_decisions", "level", "local");
    if (redis != null) {
      // level "redis": what the local misses found in the shared cache (the rest read the database)
      FunctionCounter.builder("cache.gets", this, a -> a.l2Hits.get())
          .tags("cache", "access_decisions", "level", "redis", "result", "hit")
          .description("The number of times cache lookup methods have returned a cached value.")
          .register(meters);
      FunctionCounter.builder("cache.gets", this, a -> a.l1Misses.get() - a.l2Hits.get())
          .tags("cache", "access_decisions", "level", "redis", "result", "miss")
          .description("The number of times cache lookup methods have returned an uncached (newly loaded) value.")
          .register(meters);
    }
    FunctionCounter.builder("statekeeper.access.checks", this, a -> a.allowed.get())
        .tag("result", "allowed").description("Access checks decided, by result").register(meters);
    FunctionCounter.builder("statekeeper.access.checks", this, a -> a.denied.get())
        .tag("result", "denied").description("Access checks decided, by result").register(meters);
    FunctionCounter.builder("statekeeper.access.database.loads", this, a -> a.dbLoads.get())
        .description("Access decisions computed from the database (missed by every cache level)").register(meters);
    FunctionCounter.builder("statekeeper.access.invalidations", this, a -> a.invalidations.get())
        .description("Grant-change announcements received from other nodes").register(meters);
  }

  /** How to find the parents of a resource type (a task's queue), for checks that do not name them. */
  public void registerParents(String type, BiFunction<String, String, List<String>> resolver) {
    parents.put(type, resolver);
  }

  // ---------------------------------------------------------------- grants

  public Grant grant(Caller caller, Grant g) {
    Grant checked = validate(g);
    requireWriter(caller);
    requireShare(caller, checked.resource());
    long epoch = grants.add(caller.tenant(), checked);
    announce(caller.tenant(), epoch);
    return checked;
  }

  /** Removes a grant; NotFound when there is none such. */
  public Grant revoke(Caller caller, Grant g) {
    Grant checked = validate(g);
    requireWriter(caller);
    requireShare(caller, checked.resource());
    long epoch = grants.remove(caller.tenant(), checked);
    if (epoch < 0) {
      throw new StatekeeperException.NotFound("grant_not_found", "no such grant: " + describe(checked));
    }
    announce(caller.tenant(), epoch);
    return checked;
  }

  /** Grants of the tenant, optionally of one resource and/or subject. Admins see all; others those they may share. */
  public List<Grant> list(Caller caller, String resource, String subject) {
    if (resource != null) Names.resource(resource);
    if (subject != null) Names.subject(subject);
    List<Grant> all = grants.list(caller.tenant(), resource, subject);
    if (isAdmin(caller)) {
      return all;
    }
    return all.stream().filter(x -> allowed(caller, Action.SHARE, x.resource())).toList();
  }

  // ---------------------------------------------------------------- checks

  /** Whether {@code subject} may do {@code action} on {@code resource}, and why. */
  public Decision check(Caller caller, String subject, Action action, String resource) {
    Names.caller(subject);
    Names.resource(resource);
    if (!isAdmin(caller) && !subject.equals(caller.subject())) {
      throw new StatekeeperException.Forbidden("check_forbidden", "only admin keys check other subjects than their own");
    }
    return decide(caller.tenant(), subject, action, resource, resolveParents(caller.tenant(), resource));
  }

  @Override
  public void require(Caller caller, Action action, String resource, String... parentResources) {
    if (isAdmin(caller)) return;
    List<String> ps = List.of(parentResources);
    if (decide(caller.tenant(), caller.subject(), action, resource, ps).allowed()) return;
    if (action != Action.READ && decide(caller.tenant(), caller.subject(), Action.READ, resource, ps).allowed()) {
      throw new StatekeeperException.Forbidden(
          "access_denied", caller.subject() + " may read " + resource + " but not " + action.wireName() + " it");
    }
    if (resource.startsWith("queue:") || resource.startsWith("memory:")) {
      // containers named by the caller: saying "no" reveals nothing that the name did not
      throw new StatekeeperException.Forbidden("access_denied", caller.subject() + " may not " + action.wireName() + " " + resource);
    }
    throw new StatekeeperException.NotFound("not_found", "no " + resource.replaceFirst(":", " "));
  }

  @Override
  public boolean allowed(Caller caller, Action action, String resource, String... parentResources) {
    return isAdmin(caller) || decide(caller.tenant(), caller.subject(), action, resource, List.of(parentResources)).allowed();
  }

  @Override
  public Readable readable(Caller caller, String type) {
    if (isAdmin(caller)) return Readable.ALL;
    return readables.get(new ReadableKey(caller.tenant(), epochs.get(caller.tenant()), caller.subject(), type));
  }

  @Override
  public GrantChange grantCreator(java.sql.Connection c, Caller caller, String resource) throws java.sql.SQLException {
    if (isAdmin(caller)) return GrantChange.NONE;
    Names.resource(resource);
    long epoch = grants.add(c, caller.tenant(), new Grant(resource, Relation.OWNER, caller.subject()));
    return () -> announce(caller.tenant(), epoch);
  }

  @Override
  public GrantChange removeGrants(java.sql.Connection c, String tenant, String resource, boolean subtree)
      throws java.sql.SQLException {
    Names.resource(resource);
    long epoch = grants.removeOn(c, tenant, resource, subtree);
    return epoch < 0 ? GrantChange.NONE : () -> announce(tenant, epoch);
  }

  private Decision decide(String tenant, String subject, Action action, String resource, List<String> parentResources) {
    long t0 = System.nanoTime();
    Decision d = decisions.get(new CheckKey(tenant, epochs.get(tenant), subject, action, resource, parentResources));
    checkLatency.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    (d.allowed() ? allowed : denied).incrementAndGet();
    return d;
  }

  private Decision loadDecision(CheckKey k) {
    l1Misses.incrementAndGet();
    String redisKey = redis == null ? null : "sk:acl:" + digest(storeIdentity(), k);
    if (redis != null) {
      var cached = redis.get(redisKey);
      if (cached.isPresent()) {
        l2Hits.incrementAndGet();
        return new Decision(cached.get().charAt(0) == '1', cached.get().substring(1));
      }
    }
    dbLoads.incrementAndGet();
    Decision d = compute(k);
    if (redis != null) {
      redis.set(redisKey, (d.allowed() ? "1" : "0") + d.reason(), DECISION_TTL);
    }
    return d;
  }

  private Decision compute(CheckKey k) {
    Set<String> resources = new LinkedHashSet<>(Names.withAncestors(k.resource()));
    for (String p : k.parents()) resources.addAll(Names.withAncestors(p));
    List<String> teams = grants.teams(k.tenant(), k.subject());
    Set<String> subjects = new LinkedHashSet<>(List.of(k.subject(), "*"));
    teams.forEach(t -> subjects.add("team:" + t + "#member"));
    Grant best = null;
    int bestRank = Integer.MAX_VALUE;
    List<String> order = new ArrayList<>(resources);
    for (Grant g : grants.matching(k.tenant(), resources, subjects)) {
      if (!g.relation().permits(k.action())) continue;
      int rank = order.indexOf(g.resource()) * 3 + (g.subject().equals(k.subject()) ? 0 : g.subject().equals("*") ? 2 : 1);
      if (rank < bestRank) {
        best = g;
        bestRank = rank;
      }
    }
    if (best == null) {
      return new Decision(false, "no grant gives " + k.subject() + " " + k.action().wireName() + " on " + k.resource());
    }
    String who = best.subject().equals(k.subject()) ? k.subject()
        : best.subject().equals("*") ? "everyone (*)"
        : k.subject() + " as member of " + best.subject().replace("#member", "");
    String what = best.resource().equals(k.resource()) ? best.resource() : best.resource() + ", which covers " + k.resource();
    return new Decision(true, who + " is " + best.relation().wireName() + " of " + what);
  }

  private Readable loadReadable(ReadableKey k) {
    Set<String> subjects = new LinkedHashSet<>(List.of(k.subject(), "*"));
    grants.teams(k.tenant(), k.subject()).forEach(t -> subjects.add("team:" + t + "#member"));
    Set<String> names = new TreeSet<>();
    for (Grant g : grants.readableOfType(k.tenant(), k.type(), subjects)) {
      names.add(g.resource().substring(k.type().length() + 1));
    }
    return new Readable(false, Set.copyOf(names));
  }

  private List<String> resolveParents(String tenant, String resource) {
    var resolver = parents.get(Names.type(resource));
    return resolver == null ? List.of() : resolver.apply(tenant, resource.substring(resource.indexOf(':') + 1));
  }

  // ---------------------------------------------------------------- invalidation

  private void announce(String tenant, long epoch) {
    epochs.put(tenant, epoch);
    if (redis != null) {
      redis.publish(CHANNEL, storeIdentity() + "|" + tenant.length() + ":" + tenant + epoch);
    }
  }

  /**
   * This store's identity, in every Redis key and announcement: another store sharing the Redis
   * (or this one before a restore) has another, so its decisions and epochs are never taken for
   * this store's.
   */
  private String storeIdentity() {
    String id = storeIdentity;
    if (id == null) {
      id = grants.storeIdentity();
      storeIdentity = id;
    }
    return id;
  }

  /** After a (re)subscription: announcements may have been missed, so re-read every epoch. */
  public void resynchronize() {
    epochs.invalidateAll();
  }

  /** An announcement from another node ({@link #CHANNEL}): that tenant's epoch moved on. */
  public void onAnnouncement(String message) {
    int bar = message.indexOf('|');
    if (bar < 0 || !message.substring(0, bar).equals(storeIdentity())) {
      return; // another store's (or an older version's) announcement
    }
    message = message.substring(bar + 1);
    int colon = message.indexOf(':');
    int len = Integer.parseInt(message.substring(0, colon));
    String tenant = message.substring(colon + 1, colon + 1 + len);
    long epoch = Long.parseLong(message.substring(colon + 1 + len));
    invalidations.incrementAndGet();
    Long known = epochs.getIfPresent(tenant);
    if (known == null || known < epoch) {
      epochs.put(tenant, epoch);
    }
  }

  // ---------------------------------------------------------------- helpers

  private void requireShare(Caller caller, String resource) {
    if (!isAdmin(caller)) {
      List<String> ps = resolveParents(caller.tenant(), resource);
      if (!decide(caller.tenant(), caller.subject(), Action.SHARE, resource, ps).allowed()) {
        throw new StatekeeperException.Forbidden("share_forbidden", caller.subject() + " may not share " + resource);
      }
    }
  }

  /** A reader key never writes anything, grants included, whatever its subject owns. */
  private static void requireWriter(Caller caller) {
    if (caller.role() == Role.READER) {
      throw new StatekeeperException.Forbidden(
          "read_only_key", "a reader key cannot change grants (subject " + caller.subject() + ")");
    }
  }

  private static boolean isAdmin(Caller caller) {
    return caller.role() == Role.ADMIN || caller.role() == Role.ROOT;
  }

  private static Grant validate(Grant g) {
    if (g == null || g.relation() == null) {
      throw new StatekeeperException.InvalidInput("invalid_grant", "a grant needs resource, relation and subject");
    }
    Names.resource(g.resource());
    Names.subject(g.subject());
    Names.relationFits(g.resource(), g.relation());
    return g;
  }

  private static String describe(Grant g) {
    return "(" + g.resource() + ", " + g.relation().wireName() + ", " + g.subject() + ")";
  }

  /** SHA-256 over each field prefixed by its length: an encoding without delimiters to collide on. */
  private static String digest(String storeIdentity, CheckKey k) {
    StringBuilder b = new StringBuilder();
    for (String f : List.of(storeIdentity, k.tenant(), Long.toString(k.epoch()), k.subject(), k.action().wireName(), k.resource())) {
      b.append(f.length()).append(':').append(f);
    }
    for (String p : k.parents()) b.append(p.length()).append(':').append(p);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  // ---------------------------------------------------------------- as a capability

  @Override
  public void routes(Routes routes) {
    new AccessRoutes(this, routes.maxBodyBytes()).register(routes);
  }

  /**
   * Also reports {@code keyCache}'s figures in the {@code cache} check: the other cache of every
   * request (API keys), so one check shows what this node answers from memory.
   */
  public void reportAlso(java.util.function.Supplier<dev.statekeeper.LocalCacheStats> keyCache) {
    this.keyCache = keyCache;
  }

  /**
   * {@code cache}: this node's caches (access decisions and API keys: entries, hits, misses, hit
   * ratio), always UP; with Redis also the shared one — DEGRADED (never DOWN, since Redis is never
   * the source of truth) when it does not answer: answers then come from the database and this
   * node's cache, whose decisions live at most {@code access-epoch-refresh}.
   */
  @Override
  public Map<String, HealthCheck> healthChecks() {
    return Map.of("cache", this::cacheHealth);
  }

  private Health cacheHealth() {
    Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("access_decisions", cacheDetails(decisionCacheStats()));
    if (keyCache != null) {
      d.put("api_keys", cacheDetails(keyCache.get()));
    }
    Status a = status();
    d.put("access_checks", a.allowed() + a.denied());
    d.put("access_local_misses", a.l1Misses());
    d.put("access_database_loads", a.dbLoads());
    if (redis == null) {
      d.put("redis", "not configured");
      return Health.up(d);
    }
    d.put("access_redis_hits", a.l2Hits());
    d.put("redis", redis.describe());
    d.put("breaker", redis.breakerState());
    d.put("subscribed", redis.subscribed());
    d.put("failures", redis.failures());
    var ping = redis.ping();
    if (ping.isPresent() && redis.healthy()) {
      d.put("latency_ms", ping.get().toNanos() / 1e6);
      return Health.up(d);
    }
    d.put("reason", ping.isEmpty() ? "Redis does not answer" : "circuit breaker " + redis.breakerState());
    return Health.degraded(d);
  }

  private static Map<String, Object> cacheDetails(dev.statekeeper.LocalCacheStats s) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("size", s.size());
    m.put("hits", s.hits());
    m.put("misses", s.misses());
    m.put("hit_ratio", Double.isNaN(s.hitRatio()) ? null : Math.round(s.hitRatio() * 1000) / 1000.0); // JSON has no NaN
    return m;
  }

  /** Counters for health and metrics. */
  public record Status(long allowed, long denied, long l1Misses, long l2Hits, long dbLoads, long invalidations, String redis) {}

  public Status status() {
    return new Status(allowed.get(), denied.get(), l1Misses.get(), l2Hits.get(), dbLoads.get(), invalidations.get(),
        redis == null ? "not configured" : redis.healthy() ? "UP" : "DEGRADED (" + redis.breakerState() + ")");
  }

  /** This node's cache of decisions (the first level of {@link #check}), for {@code /health}. */
  public dev.statekeeper.LocalCacheStats decisionCacheStats() {
    var stats = decisions.stats();
    return new dev.statekeeper.LocalCacheStats(decisions.estimatedSize(), stats.hitCount(), stats.missCount());
  }

  /** The same decision as {@link #check}, computed from the database with no cache at all. */
  Decision checkUncached(String tenant, String subject, Action action, String resource) {
    return compute(new CheckKey(tenant, -1, subject, action, resource, resolveParents(tenant, resource)));
  }

  /** Drops every cached decision of this node (for tests of the uncached path). */
  public void clearCaches() {
    decisions.invalidateAll();
    readables.invalidateAll();
    epochs.invalidateAll();
  }
}
