package dev.statekeeper.memory;

import dev.statekeeper.StatekeeperException;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import dev.statekeeper.search.VectorLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes and reads of memory entries, running the statements of {@link MemorySql}.
 *
 * <p>Compare-and-set: a write locks the entry's row (PostgreSQL {@code FOR UPDATE}; on SQLite the
 * single writer runs one write at a time), checks the caller's precondition against the version
 * it read, and updates with {@code WHERE current_version = <that version>}. Concurrent writers of
 * one key therefore queue on its row and each sees the version the one before it made: every
 * write gets its own version number, and a writer whose {@code If-Match} went stale gets 412.
 *
 * <p>Every write and delete also puts a row in {@code embedding_outbox} in the same transaction
 * ({@link MemoryVectors#enqueue}), so the embedding worker never misses a change. A purge removes
 * the entry, its history and its queued work, and turns its vector into a removal that every
 * node's index follows.
 */
final class MemoryRepository {

  /** A validated write, as stored: JSON already serialized. */
  record Content(MemoryType type, String valueJson, String text, String metadataJson, Long ttlSeconds) {}

  /**
   * The state of an entry's row before a change: its version, whether that is a tombstone, and
   * whether it has expired (it then counts as absent, as a tombstone does).
   */
  private record Current(long version, boolean deleted, boolean expired) {
    boolean live() {
      return !deleted && !expired;
    }
  }

  /** A search result before it becomes a {@link SearchHit}; score null for a search without a query. */
  record Scored(MemoryEntry entry, Double score) {}

  /** One entry of a purge. */
  record Key(String tenant, String namespace, String key) {}

  /** One operation of a batch, validated. */
  sealed interface Op {
    String namespace();

    String key();

    Precondition precondition();

    record Put(String namespace, String key, Content content, Precondition precondition) implements Op {}

    record Delete(String namespace, String key, Precondition precondition) implements Op {}
  }

  /** What one operation of a batch did: the version written, or null for a delete of nothing. */
  record Applied(MemoryEntry entry, boolean created) {}

  private static final int MAX_INSERT_RACES = 5;

  private final Store store;
  private final Dialect d;
  private final MemorySql sql;

  MemoryRepository(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.sql = MemorySql.of(d);
  }

  // ---------------------------------------------------------------- writes

  /** Writes a new version; PreconditionFailed (nothing written) when {@code pre} does not hold. */
  PutResult put(String tenant, String namespace, String key, Content content, Precondition pre, String actor) {
    return store.write(
        "writing memory " + namespace + "/" + key, c -> put(c, tenant, namespace, key, content, pre, actor));
  }

  /** As {@link #put(String, String, String, Content, Precondition, String)}, in the caller's transaction. */
  PutResult put(Connection c, String tenant, String namespace, String key, Content content, Precondition pre, String actor)
      throws SQLException {
    for (int attempt = 0; attempt < MAX_INSERT_RACES; attempt++) {
      Current cur = current(c, tenant, namespace, key);
      check(pre, cur, namespace, key);
      MemoryEntry written;
      if (cur == null) {
        Optional<MemoryEntry> inserted = insertFirst(c, tenant, namespace, key, content, actor);
        if (inserted.isEmpty()) {
          continue; // another transaction created it since we looked: look again
        }
        written = inserted.get();
      } else {
        written = update(c, tenant, namespace, key, cur.version(), content, actor);
      }
      copyToHistory(c, tenant, namespace, key);
      MemoryVectors.enqueue(c, d, tenant, namespace, key, written.version());
      return new PutResult(written, cur == null || !cur.live());
    }
    throw new StatekeeperException.StoreUnavailable(
        "memory " + namespace + "/" + key + " kept being created concurrently; retry", null);
  }

  /** The current version (tombstones included), read in the caller's transaction. */
  Optional<MemoryEntry> currentIn(Connection c, String tenant, String namespace, String key) throws SQLException {
    return first(c, sql.current(), List.of(tenant, namespace, key));
  }

  /** Writes a tombstone version; NotFound when there is no live entry. */
  MemoryEntry delete(String tenant, String namespace, String key, Precondition pre, String actor) {
    return store.write(
        "deleting memory " + namespace + "/" + key,
        c -> delete(c, tenant, namespace, key, pre, actor, /* absentIsNotFound= */ true));
  }

  /** A tombstone in the caller's transaction; null (nothing written) for an absent entry unless {@code absentIsNotFound}. */
  private MemoryEntry delete(
      Connection c, String tenant, String namespace, String key, Precondition pre, String actor, boolean absentIsNotFound)
      throws SQLException {
    Current cur = current(c, tenant, namespace, key);
    check(pre, cur, namespace, key);
    if (cur == null || !cur.live()) {
      if (absentIsNotFound) {
        throw notFound(namespace, key);
      }
      return null;
    }
    MemoryEntry tombstone =
        one(c, sql.tombstone(), List.of(actor, tenant, namespace, key, cur.version()), namespace, key);
    copyToHistory(c, tenant, namespace, key);
    MemoryVectors.enqueue(c, d, tenant, namespace, key, tombstone.version());
    return tombstone;
  }

  /**
   * Applies {@code ops} in one transaction: all or none. A failed precondition throws {@link
   * StatekeeperException.PreconditionFailed} naming the operation's index, and nothing is written.
   * Operations on different keys commute, so they run in key order (each key's own operations in
   * the order given): concurrent batches then take their row locks in one order and never
   * deadlock each other. A delete of an absent entry without a precondition changes nothing.
   */
  List<Applied> batch(String tenant, List<Op> ops, String actor) {
    Integer[] order = new Integer[ops.size()];
    for (int i = 0; i < order.length; i++) order[i] = i;
    java.util.Arrays.sort(order, Comparator.<Integer, String>comparing(i -> ops.get(i).namespace())
        .thenComparing(i -> ops.get(i).key()).thenComparing(i -> i));
    return store.write(
        "writing a batch of " + ops.size() + " memory operations",
        c -> {
          Applied[] out = new Applied[ops.size()];
          for (int i : order) {
            Op op = ops.get(i);
            try {
              out[i] = switch (op) {
                case Op.Put p -> {
                  PutResult r = put(c, tenant, p.namespace(), p.key(), p.content(), p.precondition(), actor);
                  yield new Applied(r.entry(), r.created());
                }
                case Op.Delete del -> new Applied(
                    delete(c, tenant, del.namespace(), del.key(), del.precondition(), actor, false), false);
              };
            } catch (StatekeeperException.PreconditionFailed e) {
              throw new StatekeeperException.PreconditionFailed("ops[" + i + "]: " + e.getMessage(), e.currentVersion(), i);
            }
          }
          return List.of(out);
        });
  }

  private Current current(Connection c, String tenant, String namespace, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.lockCurrent())) {
      SqlArgs.bind(ps, d, tenant, namespace, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Current(rs.getLong(1), rs.getInt(2) == 1, rs.getInt(3) == 1) : null;
      }
    }
  }

  private static void check(Precondition pre, Current cur, String namespace, String key) {
    boolean live = cur != null && cur.live();
    long version = live ? cur.version() : 0;
    String what = "memory " + namespace + "/" + key;
    switch (pre.kind()) {
      case NONE -> {}
      case VERSION -> {
        if (!live) {
          throw new StatekeeperException.PreconditionFailed(
              what + " does not exist (If-Match expected version " + pre.version()
                  + "); create it with If-None-Match: *",
              0);
        }
        if (version != pre.version()) {
          throw new StatekeeperException.PreconditionFailed(
              what + " is at version " + version + ", not " + pre.version(), version);
        }
      }
      case EXISTS -> {
        if (!live) {
          throw new StatekeeperException.PreconditionFailed(what + " does not exist (If-Match: *)", 0);
        }
      }
      case ABSENT -> {
        if (live) {
          throw new StatekeeperException.PreconditionFailed(
              what + " already exists at version " + version + " (If-None-Match: *)", version);
        }
      }
    }
  }

  private Optional<MemoryEntry> insertFirst(
      Connection c, String tenant, String namespace, String key, Content content, String actor)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.insertFirst())) {
      SqlArgs.bind(
          ps, d, tenant, namespace, key, content.type().wireName(), content.valueJson(), content.text(),
          content.metadataJson(), actor, ttl(content), ttl(content));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(MemoryRows.entry(rs, d)) : Optional.empty();
      }
    }
  }

  private MemoryEntry update(
      Connection c, String tenant, String namespace, String key, long expected, Content content, String actor)
      throws SQLException {
    List<Object> args =
        List.of(
            content.type().wireName(), nullable(content.valueJson()), nullable(content.text()),
            nullable(content.metadataJson()), actor, ttl(content), ttl(content), tenant, namespace, key, expected);
    return one(c, sql.update(), args, namespace, key);
  }

  private static Object ttl(Content content) {
    return content.ttlSeconds() == null ? SqlArgs.nullOf(Types.BIGINT) : content.ttlSeconds();
  }

  private static Object nullable(String s) {
    return s == null ? SqlArgs.nullOf(Types.VARCHAR) : s;
  }

  /** Runs a change of one locked row; any other row count is a bug (the row was locked). */
  private MemoryEntry one(Connection c, String dml, List<Object> args, String namespace, String key)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(dml)) {
      SqlArgs.bind(ps, d, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<MemoryEntry> rows = MemoryRows.entries(rs, d);
        if (rows.size() != 1) {
          throw new IllegalStateException(
              "a change of the locked memory entry " + namespace + "/" + key + " touched " + rows.size()
                  + " rows, which indicates a bug");
        }
        return rows.get(0);
      }
    }
  }

  /** Appends the entry's (new) current version to its history, as one copy of the row. */
  private void copyToHistory(Connection c, String tenant, String namespace, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.copyToHistory())) {
      SqlArgs.bind(ps, d, tenant, namespace, key);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException(
            "copying memory " + namespace + "/" + key + " to its history found no row, which indicates a bug");
      }
    }
  }

  private static StatekeeperException.NotFound notFound(String namespace, String key) {
    return new StatekeeperException.NotFound("memory_not_found", "no memory entry " + namespace + "/" + key);
  }

  // ---------------------------------------------------------------- TTL and purge

  /** Moves a live entry's expiry ahead by its TTL; false when it has none (or is not live). */
  boolean refreshTtl(String tenant, String namespace, String key) {
    return store.writeSingleStatement(
        "refreshing the TTL of memory " + namespace + "/" + key,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.refreshTtl())) {
            SqlArgs.bind(ps, d, tenant, namespace, key);
            return ps.executeUpdate() == 1;
          }
        });
  }

  /** Purges up to {@code limit} entries whose TTL has passed, oldest expiry first, in one transaction. */
  Purged sweepExpired(int limit) {
    return store.write(
        "removing expired memory entries",
        c -> {
          List<Key> keys = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql.expired())) {
            SqlArgs.bind(ps, d, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) keys.add(new Key(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
          }
          return purge(c, keys);
        });
  }

  /** What a purge removed. */
  record Purged(long entries, long versions, long vectors, long queued) {
    Purged plus(Purged o) {
      return new Purged(entries + o.entries, versions + o.versions, vectors + o.vectors, queued + o.queued);
    }

    static final Purged NONE = new Purged(0, 0, 0, 0);
  }

  /**
   * Removes {@code keys} for good, in the caller's transaction: the entries (live, tombstones or
   * expired), their whole history and queued embedding work; their vector rows become removals
   * that every node's index follows, at version 1, so that a later write of the same key (whose
   * versions start at 1 again) is embedded again.
   */
  Purged purge(Connection c, List<Key> keys) throws SQLException {
    if (keys.isEmpty()) return Purged.NONE;
    long entries = 0;
    long versions = 0;
    long queued = 0;
    long vectors = 0;
    try (PreparedStatement ps = c.prepareStatement(sql.purgeEntry())) {
      entries = batched(ps, keys);
    }
    try (PreparedStatement ps = c.prepareStatement(sql.purgeVersions())) {
      versions = batched(ps, keys);
    }
    try (PreparedStatement ps = c.prepareStatement(sql.purgeOutbox())) {
      queued = batched(ps, keys);
    }
    List<Key> withRow = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.vectorRow())) {
      for (Key k : keys) {
        SqlArgs.bind(ps, d, k.tenant(), k.namespace(), k.key());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            withRow.add(k);
            vectors += rs.getInt(1);
          }
        }
      }
    }
    if (!withRow.isEmpty()) {
      long seq = VectorLog.lastSeq(c, d, "memory_vectors", MemoryVectors.SEQ_LOCK);
      try (PreparedStatement ps = c.prepareStatement(sql.purgeVector())) {
        for (Key k : withRow) {
          SqlArgs.bind(ps, d, ++seq, k.tenant(), k.namespace(), k.key());
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    return new Purged(entries, versions, vectors, queued);
  }

  /** Every entry key of the subtree of {@code prefix}, tombstones and expired ones included. */
  List<Key> keysIn(Connection c, String tenant, String prefix) throws SQLException {
    List<Object> args = new ArrayList<>(List.of(tenant));
    String subtree = subtree("namespace", prefix, args);
    try (PreparedStatement ps = c.prepareStatement(sql.keysIn(subtree))) {
      SqlArgs.bind(ps, d, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<Key> out = new ArrayList<>();
        while (rs.next()) out.add(new Key(tenant, rs.getString(1), rs.getString(2)));
        return out;
      }
    }
  }

  private long batched(PreparedStatement ps, List<Key> keys) throws SQLException {
    for (Key k : keys) {
      SqlArgs.bind(ps, d, k.tenant(), k.namespace(), k.key());
      ps.addBatch();
    }
    return sum(ps.executeBatch());
  }

  private static long sum(int[] counts) {
    long n = 0;
    for (int x : counts) n += Math.max(0, x);
    return n;
  }

  // ---------------------------------------------------------------- reads

  /** The current version when it is live (not a tombstone, not expired). */
  Optional<MemoryEntry> current(String tenant, String namespace, String key) {
    return store.read(
        "reading memory " + namespace + "/" + key,
        c -> first(c, sql.live(), List.of(tenant, namespace, key)));
  }

  /** Whether the entry has a row at all (live, a tombstone or expired). */
  boolean exists(String tenant, String namespace, String key) {
    return one(sql.exists(), tenant, namespace, key);
  }

  /** Whether the entry has expired: its versions read as absent too, until the sweeper purges them. */
  boolean expired(String tenant, String namespace, String key) {
    return one(sql.hasExpired(), tenant, namespace, key);
  }

  private boolean one(String statement, String tenant, String namespace, String key) {
    return store.read(
        "reading memory " + namespace + "/" + key,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(statement)) {
            SqlArgs.bind(ps, d, tenant, namespace, key);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next();
            }
          }
        });
  }

  Optional<MemoryEntry> version(String tenant, String namespace, String key, long version) {
    return store.read(
        "reading memory " + namespace + "/" + key + " version " + version,
        c -> first(c, sql.version(), List.of(tenant, namespace, key, version)));
  }

  /** Versions after {@code afterVersion}, oldest first, at most {@code limit}. */
  List<MemoryEntry> history(String tenant, String namespace, String key, long afterVersion, int limit) {
    return store.read(
        "reading the history of memory " + namespace + "/" + key,
        c -> all(c, sql.history(), List.of(tenant, namespace, key, afterVersion, limit)));
  }

  /** Where a listing resumes: after this (namespace, key) in the listing's order. */
  record Position(String namespace, String key) {}

  /**
   * What a listing reads. {@code namespace}: exactly that namespace; else {@code prefix}: its
   * subtree; neither: every namespace. Keys are bounded by {@code startAfter} and {@code
   * endBefore} in every namespace read.
   */
  record Listing(
      String prefix, String namespace, MemoryType type, boolean descending, String startAfter, String endBefore,
      MemoryFilter filter) {}

  /**
   * Live entries in (namespace, key) order, or its reverse, after {@code resume}, at most {@code
   * limit}. A subtree is read as two ranges of the (tenant, namespace, key) index (or of the
   * by-type index): the namespace itself, then its descendants ({@code desc}: the other way
   * round), so a listing never reads outside its subtree, and reading the newest key of a
   * namespace is one index lookup however many entries it holds.
   */
  List<MemoryEntry> list(String tenant, Listing l, Position resume, int limit) {
    return store.read(
        "listing memory",
        c -> {
          if (l.namespace() != null) {
            return self(c, tenant, l, l.namespace(), resume == null ? null : resume.key(), limit);
          }
          if (l.prefix() == null) {
            return range(c, tenant, l, null, null, resume, limit);
          }
          String prefix = l.prefix();
          String from = Namespaces.descendantsFrom(prefix);
          String to = Namespaces.descendantsTo(prefix);
          // where the resume point lies against the namespace itself (it may be outside the subtree
          // when several readable subtrees are merged): before it, at it, or past it in the order
          int at = resume == null ? -1 : Integer.signum(resume.namespace().compareTo(prefix)) * (l.descending() ? -1 : 1);
          List<MemoryEntry> out = new ArrayList<>();
          if (!l.descending()) {
            if (at <= 0) out.addAll(self(c, tenant, l, prefix, at == 0 ? resume.key() : null, limit));
            if (out.size() < limit) out.addAll(range(c, tenant, l, from, to, resume, limit - out.size()));
          } else {
            out.addAll(range(c, tenant, l, from, to, resume, limit));
            if (out.size() < limit && at <= 0) {
              out.addAll(self(c, tenant, l, prefix, at == 0 ? resume.key() : null, limit - out.size()));
            }
          }
          return out;
        });
  }

  private List<MemoryEntry> self(Connection c, String tenant, Listing l, String namespace, String afterKey, int limit)
      throws SQLException {
    List<Object> args = new ArrayList<>();
    args.add(tenant);
    if (l.type() != null) args.add(l.type().wireName());
    args.add(namespace);
    if (l.startAfter() != null) args.add(l.startAfter());
    if (l.endBefore() != null) args.add(l.endBefore());
    if (afterKey != null) args.add(afterKey);
    String filter = sql.filter(l.filter(), args);
    args.add(limit);
    return all(c, sql.namespace(shape(l, afterKey != null, filter)), args);
  }

  private List<MemoryEntry> range(
      Connection c, String tenant, Listing l, String from, String to, Position resume, int limit) throws SQLException {
    List<Object> args = new ArrayList<>();
    args.add(tenant);
    if (l.type() != null) args.add(l.type().wireName());
    if (from != null) {
      args.add(from);
      args.add(to);
    }
    if (resume != null) {
      args.add(resume.namespace());
      args.add(resume.namespace());
      args.add(resume.key());
    }
    if (l.startAfter() != null) args.add(l.startAfter());
    if (l.endBefore() != null) args.add(l.endBefore());
    String filter = sql.filter(l.filter(), args);
    args.add(limit);
    return all(c, sql.range(shape(l, resume != null, filter), from != null), args);
  }

  private static MemorySql.Listing shape(Listing l, boolean resume, String filter) {
    return new MemorySql.Listing(l.type() != null, l.descending(), l.startAfter() != null, l.endBefore() != null, resume, filter);
  }

  /**
   * Live entries within the subtrees of {@code prefixes} (null: everywhere; empty: none), most
   * recently updated first: a search without a query.
   */
  List<Scored> browse(String tenant, List<String> prefixes, MemoryType type, MemoryFilter filter, int limit) {
    List<Object> args = new ArrayList<>(List.of(tenant));
    String conditions = conditions(prefixes, type, filter, args);
    args.add(limit);
    return store.read("listing memory for a search", c -> scored(c, sql.browse(conditions), args));
  }

  /**
   * Current, live entries of {@code tenant} whose text matches any of {@code terms}, best first,
   * within the subtrees of {@code prefixes} (null: every namespace; empty: none); {@code type} may
   * be null.
   */
  List<Scored> search(String tenant, List<String> terms, List<String> prefixes, MemoryType type, MemoryFilter filter, int limit) {
    List<Object> args = new ArrayList<>(List.of(sql.matchQuery(terms), tenant));
    String conditions = conditions(prefixes, type, filter, args);
    args.add(limit);
    return store.read("searching memory", c -> scored(c, sql.search(conditions), args));
  }

  private String conditions(List<String> prefixes, MemoryType type, MemoryFilter filter, List<Object> args) {
    StringBuilder conditions = new StringBuilder();
    if (prefixes != null) {
      conditions.append(" AND ").append(subtrees("e.namespace", prefixes, args));
    }
    if (type != null) {
      conditions.append(" AND e.type = ?");
      args.add(type.wireName());
    }
    conditions.append(sql.filter(filter, args));
    return conditions.toString();
  }

  private List<Scored> scored(Connection c, String statement, List<Object> args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      SqlArgs.bind(ps, d, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<Scored> out = new ArrayList<>();
        while (rs.next()) {
          double score = rs.getDouble("score");
          Double scored = rs.wasNull() ? null : score; // before reading the other columns
          out.add(new Scored(MemoryRows.entry(rs, d), scored));
        }
        return out;
      }
    }
  }

  /** Which of {@code ids} (entries of {@code tenant}) {@code filter} keeps. */
  Set<MemoryVectors.EntryId> matching(String tenant, List<MemoryVectors.EntryId> ids, MemoryFilter filter) {
    if (ids.isEmpty() || filter.isEmpty()) return new HashSet<>(ids);
    List<Object> args = new ArrayList<>();
    String statement = null;
    for (MemoryVectors.EntryId id : ids) {
      args.add(tenant);
      args.add(id.namespace());
      args.add(id.key());
      String f = sql.filter(filter, args);
      if (statement == null) statement = sql.matching(ids.size(), f);
    }
    String s = statement;
    return store.read(
        "filtering memory search results",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(s)) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              Set<MemoryVectors.EntryId> out = new HashSet<>();
              while (rs.next()) out.add(new MemoryVectors.EntryId(tenant, rs.getString(1), rs.getString(2)));
              return out;
            }
          }
        });
  }

  /** Namespaces holding live entries within the subtrees of {@code prefixes} (null: all), in order, at most {@code limit}. */
  List<String> namespaces(String tenant, List<String> prefixes, int limit) {
    List<Object> args = new ArrayList<>(List.of(tenant));
    String conditions = prefixes == null ? "" : " AND " + subtrees("e.namespace", prefixes, args);
    args.add(limit);
    return store.read(
        "listing memory namespaces",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.namespaces(conditions))) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              List<String> out = new ArrayList<>();
              while (rs.next()) out.add(rs.getString(1));
              return out;
            }
          }
        });
  }

  // ---------------------------------------------------------------- helpers

  /** {@code column} within the subtree of {@code prefix}, by whole segments; adds its arguments. */
  static String subtree(String column, String prefix, List<Object> args) {
    args.add(prefix);
    args.add(Namespaces.descendantsFrom(prefix));
    args.add(Namespaces.descendantsTo(prefix));
    return "(" + column + " = ? OR (" + column + " >= ? AND " + column + " < ?))";
  }

  /** {@code column} within any of the subtrees of {@code prefixes} (none when empty); adds its arguments. */
  static String subtrees(String column, List<String> prefixes, List<Object> args) {
    if (prefixes.isEmpty()) {
      return "1 = 0";
    }
    List<String> any = new ArrayList<>(prefixes.size());
    for (String p : prefixes) {
      any.add(subtree(column, p, args));
    }
    return "(" + String.join(" OR ", any) + ")";
  }

  private Optional<MemoryEntry> first(Connection c, String statement, List<Object> args) throws SQLException {
    List<MemoryEntry> rows = all(c, statement, args);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  private List<MemoryEntry> all(Connection c, String statement, List<Object> args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      SqlArgs.bind(ps, d, args);
      try (ResultSet rs = ps.executeQuery()) {
        return MemoryRows.entries(rs, d);
      }
    }
  }
}
