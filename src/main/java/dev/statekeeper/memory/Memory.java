package dev.statekeeper.memory;

import dev.statekeeper.Action;
import dev.statekeeper.Authorizer;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.store.Store;
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
public final class Memory implements AutoCloseable {

  private final MemoryRepository repository;
  private final StatekeeperConfig config;
  private final VersionRetention retention;
  private final Authorizer authz;

  private Memory(Store store, StatekeeperConfig config, InstantSource clock, Authorizer authz) {
    this.config = config;
    this.authz = authz;
    this.repository = MemoryRepository.forStore(store);
    this.retention = new VersionRetention(store, config.memoryRetention(), config.retentionInterval(), clock);
  }

  /**
   * Opens memory on {@code store}, enforcing {@code authz} on every call, and starts its retention
   * job (when rules are configured).
   */
  public static Memory start(Store store, StatekeeperConfig config, Authorizer authz) {
    Memory memory = new Memory(store, config, InstantSource.system(), authz);
    memory.retention.start();
    return memory;
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
    MemoryRepository.Content content = MemoryInput.content(write, config.maxMemoryValueBytes());
    return repository.put(
        caller.tenant(), namespace, key, content, precondition == null ? Precondition.NONE : precondition,
        caller.subject());
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
    return repository.delete(caller.tenant(), namespace, key, pre, caller.subject());
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
   * Searches the text of live entries. Mode {@code keyword} (also what a request without a mode
   * gets, until semantic search exists) ranks entries by how many of the query's words their
   * text holds, and how rare those words are; {@code semantic} and {@code hybrid} fail with
   * {@code search_mode_unavailable}. Entries without text are never found.
   */
  public List<SearchHit> search(Caller caller, SearchRequest request) {
    String mode = request.mode() == null ? "keyword" : request.mode().toLowerCase(Locale.ROOT);
    switch (mode) {
      case "keyword" -> {}
      case "semantic", "hybrid" ->
          throw new InvalidInput(
              "search_mode_unavailable",
              "search mode '" + mode + "' is not available yet (it needs embeddings); use \"mode\": \"keyword\"");
      default ->
          throw new InvalidInput(
              "invalid_search_mode", "mode must be one of keyword, semantic, hybrid; got '" + request.mode() + "'");
    }
    List<String> terms = MemoryInput.terms(request.query());
    String prefix = request.prefix() == null || request.prefix().isEmpty() ? null : Namespaces.prefix(request.prefix());
    MemoryType type = MemoryInput.type(request.type());
    int limit = MemoryInput.limit(request.limit(), MemoryInput.DEFAULT_SEARCH_LIMIT, MemoryInput.MAX_SEARCH_LIMIT);
    List<String> visible = visible(prefix, authz.readable(caller, "memory"));
    if (terms.isEmpty() || (visible != null && visible.isEmpty())) {
      return List.of(); // nothing but punctuation (no word can match), or nothing readable
    }
    List<String> prefixes = visible != null ? visible : prefix == null ? null : List.of(prefix);
    return repository.search(caller.tenant(), terms, prefixes, type, limit).stream()
        .map(s -> SearchHit.of(s.entry(), s.score()))
        .toList();
  }

  // ---------------------------------------------------------------- operations

  /** Runs one retention pass now instead of waiting for the next one; for tests and tools. */
  public void runRetentionNow() {
    retention.runOnce();
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

  @Override
  public void close() {
    retention.close();
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
