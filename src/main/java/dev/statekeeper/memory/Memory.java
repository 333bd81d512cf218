package dev.statekeeper.memory;

import dev.statekeeper.Capability;
import dev.statekeeper.http.Routes;
import dev.statekeeper.ops.Health;
import dev.statekeeper.ops.HealthCheck;
import java.util.Map;
import dev.statekeeper.Action;
import dev.statekeeper.Authorizer;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.store.Store;
import dev.statekeeper.jobs.Job;
import dev.statekeeper.jobs.JobRunner;
import dev.statekeeper.search.Embedder;
import dev.statekeeper.search.RankFusion;
import dev.statekeeper.search.StopWords;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.Locale;

/**
 * Long-term memory: versioned entries under hierarchical namespaces ({@code user:alice:prefs}) and
 * keys — the one front door for the HTTP layer and for Java code embedding Statekeeper. Every
 * method acts within {@code caller.tenant()}; another tenant's entry is {@link
 * StatekeeperException.NotFound}.
 *
 * <p>Every write appends a version (the first is 1) and keeps the ones before it; a delete
 * appends a tombstone version, after which the entry reads as not found while its history stays.
 * Writes take an optional {@link Precondition} (HTTP {@code If-Match} / {@code If-None-Match:
 * *}) for compare-and-set: concurrent writers never lose an update silently — without a
 * precondition each write becomes its own version, with one a stale writer gets 412.
 *
 * <p>Old versions are removed only by the {@code memory-retention} rules (none by default).
 */
public final class Memory implements Capability, AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Memory.class);

  private final MemoryRepository repository;
  private final StatekeeperConfig config;
  private final VersionRetention retention;
  private final Authorizer authz;

  private final Embedder embedder;
  private final MemoryVectors vectors;
  private final VectorIndex index;
  private final EmbeddingWorker worker;

  private final JobRunner ownRunner; // null when the caller's runner runs the jobs
  private final InstantSource clock;
  private final Store store;

  private Memory(Store store, StatekeeperConfig config, Authorizer authz, Embedder embedder, JobRunner ownRunner) {
    this.config = config;
    this.authz = authz;
    this.ownRunner = ownRunner;
    this.store = store;
    this.clock = store.clock().instantSource();
    this.repository = new MemoryRepository(store);
    this.retention = new VersionRetention(store, config.memory().memoryRetention(), config.jobs().retentionInterval());
    this.embedder = embedder;
    this.vectors = new MemoryVectors(store);
    this.index = new VectorIndex(vectors, embedder.model(), INDEX_REFRESH);
    this.worker = new EmbeddingWorker(vectors, embedder, index::wake, EMBED_BATCH, WORKER_POLL);
    this.ttlSweeper = Job.every("memory_ttl_sweeper", config.jobs().retentionInterval(),
            () -> repository.sweepExpired(SWEEP_BATCH).entries() == SWEEP_BATCH)
        .describedAs("the sweeper of expired memory entries");
  }

  private final Job ttlSweeper;

  /** How often the in-memory index looks for vectors other nodes stored. */
  static final Duration INDEX_REFRESH = Duration.ofMillis(500);

  /** How often the embedding worker looks for work queued by other nodes (this node's writes wake it). */
  static final Duration WORKER_POLL = Duration.ofSeconds(1);

  static final int EMBED_BATCH = 32;

  /**
   * Opens memory on {@code store}, enforcing {@code authz} on every call, with the local embedding
   * model (see {@link #start(Store, StatekeeperConfig, Authorizer, Embedder)}).
   */
  public static Memory start(Store store, StatekeeperConfig config, Authorizer authz) {
    return start(store, config, authz, Embedder.localMiniLm());
  }

  /**
   * Opens memory on {@code store}, enforcing {@code authz} on every call, and starts its
   * background jobs: retention (when rules are configured), the embedding worker (which first
   * queues every entry whose text has no vector from {@code embedder}'s model) and the in-memory
   * vector index, which loads the stored vectors and then follows their change log.
   */
  public static Memory start(Store store, StatekeeperConfig config, Authorizer authz, Embedder embedder) {
    JobRunner runner = JobRunner.standalone();
    return start(new Memory(store, config, authz, embedder, runner), runner);
  }

  /**
   * Opens memory as {@link #start(Store, StatekeeperConfig, Authorizer, Embedder)} does, but its
   * {@link #jobs} are the caller's to run (Statekeeper runs every capability's).
   */
  public static Memory open(Store store, StatekeeperConfig config, Authorizer authz, Embedder embedder) {
    return reconciled(new Memory(store, config, authz, embedder, null));
  }

  private static Memory start(Memory memory, JobRunner runner) {
    runner.startAll(reconciled(memory).jobs());
    return memory;
  }

  /** Queues the entries whose text has no vector of the current model (old data, restores). */
  private static Memory reconciled(Memory memory) {
    Embedder embedder = memory.embedder;
    try {
      int queued = memory.vectors.reconcile(embedder.model());
      if (queued > 0) {
        log.info("{} memory entries have no embedding from {} yet; queued for the background worker", queued, embedder.model());
      }
    } catch (RuntimeException e) { // e.g. the schema is not migrated yet; the worker retries its own work
      log.warn("could not queue memory entries that lack embeddings: {}", e.toString());
    }
    return memory;
  }

  // ---------------------------------------------------------------- as a capability

  @Override
  public void routes(Routes routes) {
    new MemoryRoutes(this, routes.maxBodyBytes()).register(routes);
  }

  /**
   * {@code embeddings}: UP while the embedding worker keeps up; DEGRADED (never DOWN: keyword
   * search and every write still work) when it failed several times in a row, so recent writes are
   * not found semantically until it recovers.
   */
  @Override
  public Map<String, HealthCheck> healthChecks() {
    return Map.of("embeddings", () -> {
      EmbeddingStatus s = embeddingStatus();
      Map<String, Object> d = new java.util.LinkedHashMap<>();
      d.put("model", s.model());
      d.put("backlog", s.backlog());
      d.put("oldest_pending_age_seconds",
          s.oldestPending() == null ? null : Math.max(0, java.time.Duration.between(s.oldestPending(), Instant.now()).toSeconds()));
      d.put("last_success", s.lastSuccess() == null ? null : s.lastSuccess().toString());
      d.put("failures_in_a_row", s.failuresInARow());
      d.put("indexed", s.indexed());
      d.put("vector_scan", dev.statekeeper.search.Vectors.implementation());
      if (s.degraded()) {
        d.put("reason", "the embedding worker failed " + s.failuresInARow() + " times in a row: " + s.lastError());
        return Health.degraded(d);
      }
      return Health.up(d);
    });
  }

  /** The background jobs of memory: the vector index follower, the embedding worker, retention (with rules). */
  @Override
  public List<Job> jobs() {
    List<Job> jobs = new ArrayList<>(List.of(index.job(), worker.job(), ttlSweeper));
    retention.job().ifPresent(jobs::add);
    return jobs;
  }

  // ---------------------------------------------------------------- writes

  /**
   * Writes a new version of {@code namespace}/{@code key}. {@code created} is true when there was
   * no live entry before (a first write, or a write after a delete).
   */
  public PutResult put(Caller caller, String namespace, String key, MemoryWrite write, Precondition precondition) {
    Namespaces.namespace(namespace);
    Namespaces.key(key);
    require(caller, Action.WRITE, namespace);
    MemoryRepository.Content content = MemoryInput.content(write, config.memory().maxMemoryValueBytes());
    PutResult r =
        repository.put(
            caller.tenant(), namespace, key, content, precondition == null ? Precondition.NONE : precondition,
            caller.subject());
    worker.wake();
    return r;
  }

  /**
   * Deletes the entry by writing a tombstone version, which is returned. Not found when there is
   * no live entry; {@link Precondition#ABSENT} makes no sense here and is refused.
   */
  public MemoryEntry delete(Caller caller, String namespace, String key, Precondition precondition) {
    Namespaces.namespace(namespace);
    Namespaces.key(key);
    require(caller, Action.DELETE, namespace);
    Precondition pre = precondition == null ? Precondition.NONE : precondition;
    if (pre.kind() == Precondition.Kind.ABSENT) {
      throw new InvalidInput("invalid_precondition", "If-None-Match: * cannot apply to a delete");
    }
    MemoryEntry tombstone = repository.delete(caller.tenant(), namespace, key, pre, caller.subject());
    worker.wake();
    return tombstone;
  }

  /**
   * Applies the operations of {@code batch} in one transaction, all or none: a failed
   * precondition is 412 naming the operation ({@code ops[3]: …}, {@code op_index} in the problem)
   * and nothing is written; so is any invalid operation (400). The caller needs write access to
   * every namespace written. A delete of an entry that does not exist changes nothing (its
   * result has no entry) unless it has an {@code if_version}.
   */
  public List<MemoryBatch.Result> batch(Caller caller, MemoryBatch batch) {
    List<MemoryRepository.Op> ops = MemoryInput.batch(batch, config.memory().maxMemoryValueBytes());
    for (MemoryRepository.Op op : ops) {
      require(caller, op instanceof MemoryRepository.Op.Delete ? Action.DELETE : Action.WRITE, op.namespace());
    }
    List<MemoryRepository.Applied> applied = repository.batch(caller.tenant(), ops, caller.subject());
    worker.wake();
    List<MemoryBatch.Result> out = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      MemoryRepository.Op op = ops.get(i);
      out.add(new MemoryBatch.Result(op instanceof MemoryRepository.Op.Delete ? "delete" : "put", op.namespace(), op.key(),
          applied.get(i).entry(), applied.get(i).created()));
    }
    return out;
  }

  /**
   * What a purge removed, for good: entries (live, deleted or expired), their versions, their
   * vectors and their queued embedding work; the grants on the subtree (a subtree purge). Backups
   * taken before still hold the data.
   */
  public record PurgeResult(String target, long entries, long versions, long vectors, long queued) {}

  /**
   * Removes {@code namespace}/{@code key} for good: the entry, its whole history, its vector and
   * queued work. Irreversible (unlike {@link #delete}, which writes a tombstone and keeps the
   * history); admin keys only; recorded in the audit log. Not found when the key was never
   * written (or was purged already).
   */
  public PurgeResult purge(Caller caller, String namespace, String key) {
    Namespaces.namespace(namespace);
    Namespaces.key(key);
    requireAdmin(caller, "purging memory");
    String target = "memory:" + namespace + "/" + key;
    PurgeResult r = store.write("purging memory " + namespace + "/" + key, c -> {
      MemoryRepository.Purged p =
          repository.purge(c, List.of(new MemoryRepository.Key(caller.tenant(), namespace, key)));
      if (p.entries() == 0) {
        throw notFound(namespace, key);
      }
      return recorded(c, caller, target, p);
    });
    worker.wake();
    return r;
  }

  /**
   * Removes the whole subtree of {@code prefix} for good: every entry in it and below, their
   * history, vectors and queued work, and the grants on the subtree (cached decisions too), in one
   * transaction. Irreversible; admin keys only; recorded in the audit log (also when the subtree
   * was empty).
   */
  public PurgeResult purgeSubtree(Caller caller, String prefix) {
    Namespaces.prefix(prefix);
    requireAdmin(caller, "purging memory");
    String target = "memory:" + prefix;
    SubtreePurge r = store.write("purging memory " + prefix, c -> {
      MemoryRepository.Purged p = repository.purge(c, repository.keysIn(c, caller.tenant(), prefix));
      Authorizer.GrantChange grants = authz.removeGrants(c, caller.tenant(), target, /* subtree= */ true);
      return new SubtreePurge(recorded(c, caller, target, p), grants);
    });
    r.grants().announce();
    worker.wake();
    return r.result();
  }

  /** A subtree's purge and the change of the grants on it, to announce once committed. */
  private record SubtreePurge(PurgeResult result, Authorizer.GrantChange grants) {}

  /**
   * What a purge of {@code target} removed, recorded in the audit log in the purge's own
   * transaction when it removed anything (a subtree with nothing in it leaves no record).
   */
  private PurgeResult recorded(java.sql.Connection c, Caller caller, String target, MemoryRepository.Purged p)
      throws java.sql.SQLException {
    PurgeResult done = new PurgeResult(target, p.entries(), p.versions(), p.vectors(), p.queued());
    if (p.entries() > 0) {
      dev.statekeeper.audit.AuditLog.record(c, store.dialect(), caller, "memory.purge", target, detail(done));
    }
    return done;
  }

  private static java.util.Map<String, Object> detail(PurgeResult r) {
    java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("entries", r.entries());
    d.put("versions", r.versions());
    d.put("vectors", r.vectors());
    d.put("queued", r.queued());
    return d;
  }

  private static void requireAdmin(Caller caller, String doing) {
    if (caller.role() != Role.ADMIN && caller.role() != Role.ROOT) {
      throw new StatekeeperException.Forbidden("admin_required", doing + " is for admin keys (it cannot be undone)");
    }
  }

  /** Purges every expired entry now, in batches, instead of waiting for the sweeper; how many. For tests and tools. */
  public long sweepExpiredNow() {
    long n = 0;
    while (true) {
      MemoryRepository.Purged p = repository.sweepExpired(SWEEP_BATCH);
      n += p.entries();
      if (p.entries() < SWEEP_BATCH) {
        return n;
      }
    }
  }

  /** Entries the TTL sweeper purges per transaction. */
  static final int SWEEP_BATCH = 500;

  // ---------------------------------------------------------------- reads

  /** The current version; not found when there is none, it is a tombstone or it has expired. */
  public MemoryEntry get(Caller caller, String namespace, String key) {
    return get(caller, namespace, key, false);
  }

  /**
   * The current version, as {@link #get(Caller, String, String)}; with {@code refreshTtl}, an
   * entry with a TTL first gets its expiry moved that far ahead again (a change of the entry's
   * lifetime, not of its content: no new version). Reader keys cannot refresh.
   */
  public MemoryEntry get(Caller caller, String namespace, String key, boolean refreshTtl) {
    Namespaces.namespace(namespace);
    Namespaces.key(key);
    require(caller, refreshTtl ? Action.WRITE : Action.READ, namespace);
    if (refreshTtl) {
      repository.refreshTtl(caller.tenant(), namespace, key);
    }
    return repository.current(caller.tenant(), namespace, key).orElseThrow(() -> notFound(namespace, key));
  }

  /** Version {@code version} as it was written (a tombstone reads with {@code deleted} true). */
  public MemoryEntry get(Caller caller, String namespace, String key, long version) {
    Namespaces.namespace(namespace);
    Namespaces.key(key);
    require(caller, Action.READ, namespace);
    if (version < 1) {
      throw new InvalidInput("invalid_version", "version must be 1 or more; got " + version);
    }
    // the statement leaves out an expired entry's versions, and exists() the expired entry itself
    return repository
        .version(caller.tenant(), namespace, key, version)
        .orElseThrow(
            () ->
                repository.exists(caller.tenant(), namespace, key)
                    ? new StatekeeperException.NotFound(
                        "memory_version_not_found",
                        "memory " + namespace + "/" + key + " has no version " + version
                            + " (never written, or removed by retention)")
                    : notFound(namespace, key));
  }

  /**
   * The versions of an entry, oldest first (tombstones included), {@code limit} (1-1000, default
   * 100) at a time; not found when the entry was never written.
   */
  public MemoryPage history(Caller caller, String namespace, String key, Integer limit, String cursor) {
    Namespaces.namespace(namespace);
    Namespaces.key(key);
    require(caller, Action.READ, namespace);
    int n = MemoryInput.limit(limit, MemoryInput.DEFAULT_LIST_LIMIT, MemoryInput.MAX_LIST_LIMIT);
    long after = MemoryInput.decodeHistoryCursor(cursor);
    List<MemoryEntry> rows = repository.history(caller.tenant(), namespace, key, after, n + 1);
    // the statement leaves out an expired entry's versions: an empty page past the first is 404
    // only when the entry has expired meanwhile
    if (rows.isEmpty() && (after == 0 || repository.expired(caller.tenant(), namespace, key))) {
      throw notFound(namespace, key); // the current version is never removed, so an entry has one
    }
    return page(rows, n, MemoryInput::historyCursor);
  }

  /**
   * Live entries in the subtree of {@code query.prefix()} (whole segments: {@code user:al} does
   * not match {@code user:alice}), or of exactly {@code query.namespace()}, in (namespace, key)
   * order or its reverse ({@code order=desc}), keys bounded by {@code start_after} and {@code
   * end_before}, kept by {@code filter}. Each bound is part of the index range read, so the newest
   * key of a namespace costs one lookup however many it holds.
   */
  public MemoryPage list(Caller caller, MemoryQuery query) {
    if (query.prefix() != null && !query.prefix().isEmpty() && query.namespace() != null && !query.namespace().isEmpty()) {
      throw new InvalidInput("invalid_parameter", "give prefix (a subtree) or namespace (exactly one), not both");
    }
    String namespace = query.namespace() == null || query.namespace().isEmpty() ? null : Namespaces.namespace(query.namespace());
    String prefix = namespace != null ? namespace
        : query.prefix() == null || query.prefix().isEmpty() ? null : Namespaces.prefix(query.prefix());
    String startAfter = query.startAfter() == null || query.startAfter().isEmpty() ? null : Namespaces.key(query.startAfter());
    String endBefore = query.endBefore() == null || query.endBefore().isEmpty() ? null : Namespaces.key(query.endBefore());
    boolean desc = MemoryInput.descending(query.order());
    MemoryRepository.Listing listing = new MemoryRepository.Listing(
        namespace == null ? prefix : null, namespace, MemoryInput.type(query.type()), desc, startAfter, endBefore,
        MemoryFilter.parse(query.filter()));
    int n = MemoryInput.limit(query.limit(), MemoryInput.DEFAULT_LIST_LIMIT, MemoryInput.MAX_LIST_LIMIT);
    String[] after = MemoryInput.decodeListCursor(query.cursor());
    MemoryRepository.Position resume = after == null ? null : new MemoryRepository.Position(after[0], after[1]);
    List<String> visible = visible(prefix, authz.readable(caller, "memory"));
    if (visible == null || (namespace != null && visible.contains(namespace))) {
      return page(repository.list(caller.tenant(), listing, resume, n + 1), n, MemoryInput::listCursor);
    }
    if (namespace != null) {
      return page(List.of(), n, MemoryInput::listCursor); // readable only below it, which is not listed
    }
    // Each readable subtree is one indexed range; the pages merge in the listing's order.
    List<MemoryEntry> rows = new ArrayList<>();
    for (String p : visible) {
      MemoryRepository.Listing part = new MemoryRepository.Listing(
          p, null, listing.type(), desc, startAfter, endBefore, listing.filter());
      rows.addAll(repository.list(caller.tenant(), part, resume, n + 1));
    }
    Comparator<MemoryEntry> order = Comparator.comparing(MemoryEntry::namespace).thenComparing(MemoryEntry::key);
    rows.sort(desc ? order.reversed() : order);
    return page(rows.size() > n + 1 ? rows.subList(0, n + 1) : rows, n, MemoryInput::listCursor);
  }

  /**
   * The namespaces that hold live entries the caller may read, in order: within the subtree of
   * {@code prefix} (null: all), ending with the segments of {@code suffix} (null: any), cut to
   * their first {@code maxDepth} segments (null: whole) and then counted once; {@code offset} and
   * {@code limit} (1-1000, default 100) page through them.
   */
  public List<String> namespaces(Caller caller, String prefix, String suffix, Integer maxDepth, Integer limit, Integer offset) {
    String p = prefix == null || prefix.isEmpty() ? null : Namespaces.prefix(prefix);
    String sfx = suffix == null || suffix.isEmpty() ? null : Namespaces.suffix(suffix);
    if (maxDepth != null && (maxDepth < 1 || maxDepth > Namespaces.MAX_SEGMENTS)) {
      throw new InvalidInput("invalid_max_depth", "max_depth must be between 1 and " + Namespaces.MAX_SEGMENTS + "; got " + maxDepth);
    }
    int n = MemoryInput.limit(limit, MemoryInput.DEFAULT_LIST_LIMIT, MemoryInput.MAX_LIST_LIMIT);
    int skip = MemoryInput.offset(offset);
    List<String> visible = visible(p, authz.readable(caller, "memory"));
    List<String> prefixes = visible != null ? visible : p == null ? null : List.of(p);
    if (prefixes != null && prefixes.isEmpty()) {
      return List.of();
    }
    // Namespaces are few next to entries; the distinct ones are read whole (at most this many)
    // and cut here, where segments are easy to count.
    List<String> all = repository.namespaces(caller.tenant(), prefixes, MAX_NAMESPACES_READ);
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (String ns : all) {
      if (sfx != null && !(ns.equals(sfx) || ns.endsWith(":" + sfx))) continue;
      out.add(maxDepth == null ? ns : Namespaces.truncate(ns, maxDepth));
    }
    return out.stream().sorted().skip(skip).limit(n).toList();
  }

  /** The most distinct namespaces a namespace listing reads. */
  static final int MAX_NAMESPACES_READ = 100_000;

  /**
   * Searches the text of live entries; entries without text are never found. Modes:
   *
   * <ul>
   *   <li>{@code keyword}: entries holding the query's words, ranked by how many and how rare
   *       (BM25 on SQLite, {@code ts_rank} on PostgreSQL); sees a write at once.
   *   <li>{@code semantic}: entries whose text means something close to the query, by cosine
   *       similarity of embeddings (score in [-1, 1]); sees a write once the background worker
   *       embedded it, normally within a second or two. Only vectors of the entry's current
   *       version count: an overwritten or deleted entry's old vector is never returned.
   *   <li>{@code hybrid} (what a request without a mode gets): both rankings fused by reciprocal
   *       rank ({@link RankFusion}, k = 60), so an entry not embedded yet is still found by its
   *       words. The keyword side leaves out English stop words ({@link StopWords}). If the query cannot be embedded, hybrid answers from the keyword side alone.
   * </ul>
   *
   * Every mode filters by tenant, prefix (whole segments), type and what the caller may read.
   */
  public List<SearchHit> search(Caller caller, SearchRequest request) {
    String mode = request.mode() == null ? "hybrid" : request.mode(); // spelt exactly, as every enum
    if (!List.of("keyword", "semantic", "hybrid").contains(mode)) {
      throw new InvalidInput(
          "invalid_search_mode", "mode must be one of keyword, semantic, hybrid; got '" + request.mode() + "'");
    }
    boolean browse = request.query() == null || request.query().isBlank();
    List<String> terms = browse ? List.of() : dev.statekeeper.search.SearchTerms.of(request.query());
    String prefix = request.prefix() == null || request.prefix().isEmpty() ? null : Namespaces.prefix(request.prefix());
    MemoryType type = MemoryInput.type(request.type());
    MemoryFilter filter = MemoryFilter.parse(request.filter());
    int limit = MemoryInput.limit(request.limit(), MemoryInput.DEFAULT_SEARCH_LIMIT, MemoryInput.MAX_SEARCH_LIMIT);
    int offset = MemoryInput.offset(request.offset());
    List<String> visible = visible(prefix, authz.readable(caller, "memory"));
    if ((!browse && terms.isEmpty()) || (visible != null && visible.isEmpty())) {
      return List.of(); // nothing but punctuation (no word can match), or nothing readable
    }
    List<String> prefixes = visible != null ? visible : prefix == null ? null : List.of(prefix);
    String tenant = caller.tenant();
    int wanted = limit + offset;
    List<MemoryRepository.Scored> ranked =
        browse ? repository.browse(tenant, prefixes, type, filter, wanted)
        : switch (mode) {
          case "keyword" -> repository.search(tenant, terms, prefixes, type, filter, wanted);
          case "semantic" -> semantic(tenant, embedder.embedQuery(request.query()), prefixes, type, filter, wanted);
          default -> hybrid(tenant, request.query(), terms, prefixes, type, filter, wanted);
        };
    return ranked.stream().skip(offset).limit(limit).map(s -> SearchHit.of(s.entry(), s.score())).toList();
  }

  /** How deep each side of a hybrid search looks before the rankings are fused. */
  private static int fusionDepth(int limit) {
    return Math.max(50, limit * 2);
  }

  private List<MemoryRepository.Scored> hybrid(
      String tenant, String query, List<String> terms, List<String> prefixes, MemoryType type, MemoryFilter filter,
      int limit) {
    int depth = fusionDepth(limit);
    List<String> content = StopWords.without(terms);
    List<MemoryRepository.Scored> keyword =
        content.isEmpty() ? List.of() : repository.search(tenant, content, prefixes, type, filter, depth);
    List<MemoryRepository.Scored> semantic;
    try {
      semantic = semantic(tenant, embedder.embedQuery(query), prefixes, type, filter, depth);
    } catch (RuntimeException e) {
      log.warn("embedding a query failed; hybrid search answers by keyword alone: {}", e.toString());
      semantic = List.of();
    }
    List<RankFusion.Fused<MemoryRepository.Scored>> fused =
        RankFusion.fuse(List.of(keyword, semantic), s -> s.entry().namespace() + '\u0000' + s.entry().key());
    List<MemoryRepository.Scored> out = new ArrayList<>();
    for (var f : fused.subList(0, Math.min(limit, fused.size()))) {
      out.add(new MemoryRepository.Scored(f.item().entry(), f.score()));
    }
    return out;
  }

  /**
   * The nearest vectors from the index, checked against the entries' current rows: a candidate
   * whose entry was deleted, has expired, or was overwritten since it was embedded, is dropped;
   * so is one that {@code filter} does not keep. With a filter the index is asked for more
   * candidates ({@link #FILTERED_CANDIDATES} times as many), since the filter drops some after
   * the nearest were chosen.
   */
  private List<MemoryRepository.Scored> semantic(
      String tenant, float[] query, List<String> prefixes, MemoryType type, MemoryFilter filter, int limit) {
    int candidatesWanted = filter.isEmpty() ? limit + 10 : limit * FILTERED_CANDIDATES + 10;
    List<dev.statekeeper.search.VectorSlab.Hit<VectorIndex.Item>> candidates =
        index.search(tenant, query, prefixes, type, candidatesWanted);
    List<MemoryVectors.EntryId> ids = new ArrayList<>(candidates.size());
    for (var c : candidates) {
      ids.add(new MemoryVectors.EntryId(tenant, c.item().namespace(), c.item().key()));
    }
    java.util.Map<MemoryVectors.EntryId, MemoryEntry> live = vectors.live(tenant, ids);
    java.util.Set<MemoryVectors.EntryId> kept = repository.matching(tenant, new ArrayList<>(live.keySet()), filter);
    Instant now = clock.instant();
    List<MemoryRepository.Scored> out = new ArrayList<>();
    for (int i = 0; i < candidates.size() && out.size() < limit; i++) {
      MemoryEntry e = live.get(ids.get(i));
      if (e != null && e.version() == candidates.get(i).item().version() && e.text() != null
          && (e.expiresAt() == null || e.expiresAt().isAfter(now)) && kept.contains(ids.get(i))) {
        out.add(new MemoryRepository.Scored(e, (double) candidates.get(i).score()));
      }
    }
    return out;
  }

  /** How many more candidates a filtered semantic search takes from the index. */
  static final int FILTERED_CANDIDATES = 5;

  // ---------------------------------------------------------------- operations

  /** Runs one retention pass now instead of waiting for the next one; for tests and tools. */
  public void runRetentionNow() {
    retention.runNow();
  }

  /** What the retention job has done since start. */
  public RetentionStatus retentionStatus() {
    return new RetentionStatus(retention.lastRun(), retention.removed(), retention.failures());
  }

  /**
   * Figures of the memory retention job, for health checks and metrics.
   *
   * @param lastRun when the last pass finished (null before the first)
   * @param versionsRemoved old versions removed since start
   * @param failures passes that failed since start
   */
  public record RetentionStatus(Instant lastRun, long versionsRemoved, long failures) {}

  /**
   * Figures of semantic search, for the {@code embeddings} health check.
   *
   * @param model the embedding model
   * @param backlog outbox rows waiting (entries written or deleted, not embedded yet)
   * @param oldestPending when the oldest of them was written (null when none)
   * @param lastSuccess when this node last stored vectors (null before the first time)
   * @param failuresInARow embedding attempts that failed since the last success
   * @param lastError the last failure (null when none)
   * @param indexed vectors in this node's index
   * @param embedded entries this node embedded since start
   */
  public record EmbeddingStatus(
      String model, long backlog, Instant oldestPending, Instant lastSuccess, int failuresInARow, String lastError,
      long indexed, long embedded) {

    /** True when the worker keeps failing: searches then miss recent writes semantically. */
    public boolean degraded() {
      return failuresInARow >= dev.statekeeper.search.EmbeddingLoop.DEGRADED_AFTER;
    }
  }

  /** The state of the embedding worker and index; reads the outbox size from the store. */
  public EmbeddingStatus embeddingStatus() {
    dev.statekeeper.search.EmbeddingQueue.Backlog b = vectors.queue.backlog();
    return new EmbeddingStatus(
        embedder.model(), b.rows(), b.oldest(), worker.lastSuccess(), worker.failuresInARow(), worker.lastError(),
        index.size(), worker.embedded());
  }

  /**
   * Registers the meters of semantic search: entries embedded, and failed passes of the embedding
   * worker and of the index refresh as {@code statekeeper_background_failures_total{loop}}.
   */
  @Override
  public void registerMeters(io.micrometer.core.instrument.MeterRegistry registry) {
    io.micrometer.core.instrument.FunctionCounter.builder("statekeeper.memory.embedded", worker, EmbeddingWorker::embedded)
        .description("memory entries embedded by this node's worker")
        .register(registry);
  }

  /** Embeds and indexes everything due now, on the calling thread; for tests and tools. */
  public void embedPendingNow() {
    worker.drain(() -> vectors.queue.backlog().rows());
    index.refresh();
  }

  @Override
  public void close() {
    if (ownRunner != null) ownRunner.close();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The one place that decides who may read or write one namespace: reader keys never write;
   * agent and reader keys need a grant on {@code memory:<namespace>} or on an ancestor namespace
   * (403 {@code access_denied} otherwise: the caller named the namespace, so refusing reveals
   * nothing); admin keys act anywhere in their tenant.
   */
  private void require(Caller caller, Action action, String namespace) {
    if (action != Action.READ && caller.role() == Role.READER) {
      throw new StatekeeperException.Forbidden(
          "read_only_key", "a reader key cannot change memory (subject " + caller.subject() + ")");
    }
    authz.require(caller, action, "memory:" + namespace);
  }

  /**
   * The parts of the subtree of {@code prefix} (null: every namespace) that {@code readable}
   * covers, as prefixes of disjoint subtrees in order; null when the caller may read all of it.
   * Readable names are namespaces whose grants cover their subtrees.
   */
  static List<String> visible(String prefix, Authorizer.Readable readable) {
    if (readable.all()) {
      return null;
    }
    TreeSet<String> parts = new TreeSet<>();
    for (String name : readable.names()) {
      if (prefix == null || name.equals(prefix) || name.startsWith(prefix + ":")) {
        parts.add(name); // a readable subtree inside the listing
      } else if (prefix.startsWith(name + ":")) {
        return null; // the whole listing lies inside a readable subtree
      }
    }
    List<String> disjoint = new ArrayList<>();
    for (String p : parts) { // sorted, so an ancestor comes before its descendants
      if (disjoint.stream().noneMatch(d -> p.startsWith(d + ":"))) {
        disjoint.add(p);
      }
    }
    return disjoint;
  }

  private static StatekeeperException.NotFound notFound(String namespace, String key) {
    return new StatekeeperException.NotFound("memory_not_found", "no memory entry " + namespace + "/" + key);
  }

  private static MemoryPage page(List<MemoryEntry> rows, int limit, java.util.function.Function<MemoryEntry, String> cursor) {
    if (rows.size() <= limit) {
      return new MemoryPage(List.copyOf(rows), null);
    }
    List<MemoryEntry> page = List.copyOf(rows.subList(0, limit));
    return new MemoryPage(page, cursor.apply(page.get(limit - 1)));
  }
}
