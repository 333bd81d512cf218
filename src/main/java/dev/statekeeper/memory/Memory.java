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

  private Memory(Store store, StatekeeperConfig config, Authorizer authz, Embedder embedder, JobRunner ownRunner) {
    this.config = config;
    this.authz = authz;
    this.ownRunner = ownRunner;
    this.repository = new MemoryRepository(store);
    this.retention = new VersionRetention(store, config.memory().memoryRetention(), config.jobs().retentionInterval());
    this.embedder = embedder;
    this.vectors = new MemoryVectors(store);
    this.index = new VectorIndex(vectors, embedder.model(), INDEX_REFRESH);
    this.worker = new EmbeddingWorker(vectors, embedder, index::wake, EMBED_BATCH, WORKER_POLL);
  }

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
    List<Job> jobs = new ArrayList<>(List.of(index.job(), worker.job()));
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

  // ---------------------------------------------------------------- reads

  /** The current version; not found when there is none or it is a tombstone. */
  public MemoryEntry get(Caller caller, String namespace, String key) {
    Namespaces.namespace(namespace);
    Namespaces.key(key);
    require(caller, Action.READ, namespace);
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
    if (rows.isEmpty() && after == 0) {
      throw notFound(namespace, key); // the current version is never removed, so an entry has one
    }
    return page(rows, n, MemoryInput::historyCursor);
  }

  /**
   * Live entries in the subtree of {@code query.prefix()} (whole segments: {@code user:al} does
   * not match {@code user:alice}), in (namespace, key) order.
   */
  public MemoryPage list(Caller caller, MemoryQuery query) {
    String prefix = query.prefix() == null || query.prefix().isEmpty() ? null : Namespaces.prefix(query.prefix());
    MemoryType type = MemoryInput.type(query.type());
    int n = MemoryInput.limit(query.limit(), MemoryInput.DEFAULT_LIST_LIMIT, MemoryInput.MAX_LIST_LIMIT);
    String[] after = MemoryInput.decodeListCursor(query.cursor());
    List<String> visible = visible(prefix, authz.readable(caller, "memory"));
    String afterNamespace = after == null ? null : after[0];
    String afterKey = after == null ? null : after[1];
    if (visible == null) {
      return page(repository.list(caller.tenant(), prefix, type, afterNamespace, afterKey, n + 1), n, MemoryInput::listCursor);
    }
    // Each readable subtree is one indexed range; the pages merge in (namespace, key) order.
    List<MemoryEntry> rows = new ArrayList<>();
    for (String p : visible) {
      rows.addAll(repository.list(caller.tenant(), p, type, afterNamespace, afterKey, n + 1));
    }
    rows.sort(Comparator.comparing(MemoryEntry::namespace).thenComparing(MemoryEntry::key));
    return page(rows.size() > n + 1 ? rows.subList(0, n + 1) : rows, n, MemoryInput::listCursor);
  }

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
    List<String> terms = dev.statekeeper.search.SearchTerms.of(request.query());
    String prefix = request.prefix() == null || request.prefix().isEmpty() ? null : Namespaces.prefix(request.prefix());
    MemoryType type = MemoryInput.type(request.type());
    int limit = MemoryInput.limit(request.limit(), MemoryInput.DEFAULT_SEARCH_LIMIT, MemoryInput.MAX_SEARCH_LIMIT);
    List<String> visible = visible(prefix, authz.readable(caller, "memory"));
    if (terms.isEmpty() || (visible != null && visible.isEmpty())) {
      return List.of(); // nothing but punctuation (no word can match), or nothing readable
    }
    List<String> prefixes = visible != null ? visible : prefix == null ? null : List.of(prefix);
    String tenant = caller.tenant();
    List<MemoryRepository.Scored> ranked =
        switch (mode) {
          case "keyword" -> repository.search(tenant, terms, prefixes, type, limit);
          case "semantic" -> semantic(tenant, embedder.embedQuery(request.query()), prefixes, type, limit);
          default -> hybrid(tenant, request.query(), terms, prefixes, type, limit);
        };
    return ranked.stream().map(s -> SearchHit.of(s.entry(), s.score())).toList();
  }

  /** How deep each side of a hybrid search looks before the rankings are fused. */
  private static int fusionDepth(int limit) {
    return Math.min(MemoryInput.MAX_SEARCH_LIMIT, Math.max(50, limit * 2));
  }

  private List<MemoryRepository.Scored> hybrid(
      String tenant, String query, List<String> terms, List<String> prefixes, MemoryType type, int limit) {
    int depth = fusionDepth(limit);
    List<String> content = StopWords.without(terms);
    List<MemoryRepository.Scored> keyword =
        content.isEmpty() ? List.of() : repository.search(tenant, content, prefixes, type, depth);
    List<MemoryRepository.Scored> semantic;
    try {
      semantic = semantic(tenant, embedder.embedQuery(query), prefixes, type, depth);
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
   * whose entry was deleted, or overwritten since it was embedded, is dropped.
   */
  private List<MemoryRepository.Scored> semantic(
      String tenant, float[] query, List<String> prefixes, MemoryType type, int limit) {
    List<dev.statekeeper.search.VectorSlab.Hit<VectorIndex.Item>> candidates =
        index.search(tenant, query, prefixes, type, limit + 10);
    List<MemoryVectors.EntryId> ids = new ArrayList<>(candidates.size());
    for (var c : candidates) {
      ids.add(new MemoryVectors.EntryId(tenant, c.item().namespace(), c.item().key()));
    }
    java.util.Map<MemoryVectors.EntryId, MemoryEntry> live = vectors.live(tenant, ids);
    List<MemoryRepository.Scored> out = new ArrayList<>();
    for (int i = 0; i < candidates.size() && out.size() < limit; i++) {
      MemoryEntry e = live.get(ids.get(i));
      if (e != null && e.version() == candidates.get(i).item().version() && e.text() != null) {
        out.add(new MemoryRepository.Scored(e, candidates.get(i).score()));
      }
    }
    return out;
  }

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
