package dev.statekeeper.memory;

import dev.statekeeper.StatekeeperException;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
 * ({@link MemoryVectors#enqueue}), so the embedding worker never misses a change.
 */
final class MemoryRepository {

  /** A validated write, as stored: JSON already serialized. */
  record Content(MemoryType type, String valueJson, String text, String metadataJson) {}

  /** The state of an entry's row before a change: its version and whether that is a tombstone. */
  private record Current(long version, boolean deleted) {
    boolean live() {
      return !deleted;
    }
  }

  /** A search result before it becomes a {@link SearchHit}. */
  record Scored(MemoryEntry entry, double score) {}

  private static final int MAX_INSERT_RACES = 5;

  private final Store store;
  private final Dialect d;
  private final MemorySql sql;

  MemoryRepository(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.sql = MemorySql.of(d);
  }

  /**
   * Current, non-deleted entries of {@code tenant} whose text matches any of {@code terms}, best
   * first, within the subtrees of {@code prefixes} (null: every namespace; empty: none); {@code
   * type} may be null.
   */
  List<Scored> search(String tenant, List<String> terms, List<String> prefixes, MemoryType type, int limit) {
    List<Object> args = new ArrayList<>(List.of(sql.matchQuery(terms), tenant));
    StringBuilder conditions = new StringBuilder();
    if (prefixes != null) {
      conditions.append(" AND ").append(subtrees("e.namespace", prefixes, args));
    }
    if (type != null) {
      conditions.append(" AND e.type = ?");
      args.add(type.wireName());
    }
    args.add(limit);
    return store.read(
        "searching memory",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.search(conditions.toString()))) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              List<Scored> out = new ArrayList<>();
              while (rs.next()) {
                out.add(new Scored(MemoryRows.entry(rs, d), rs.getDouble("score")));
              }
              return out;
            }
          }
        });
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
      return new PutResult(written, cur == null || cur.deleted());
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
        c -> {
          Current cur = current(c, tenant, namespace, key);
          if (cur == null || !cur.live()) {
            throw notFound(namespace, key);
          }
          check(pre, cur, namespace, key);
          MemoryEntry tombstone =
              one(c, sql.tombstone(), List.of(actor, tenant, namespace, key, cur.version()), namespace, key);
          copyToHistory(c, tenant, namespace, key);
          MemoryVectors.enqueue(c, d, tenant, namespace, key, tombstone.version());
          return tombstone;
        });
  }

  private Current current(Connection c, String tenant, String namespace, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.lockCurrent())) {
      SqlArgs.bind(ps, d, tenant, namespace, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Current(rs.getLong(1), rs.getInt(2) == 1) : null;
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
          content.metadataJson(), actor);
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
            nullable(content.metadataJson()), actor, tenant, namespace, key, expected);
    return one(c, sql.update(), args, namespace, key);
  }

  private static Object nullable(String s) {
    return s == null ? SqlArgs.nullOf(java.sql.Types.VARCHAR) : s;
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

  // ---------------------------------------------------------------- reads

  /** The current version when it is not a tombstone. */
  Optional<MemoryEntry> current(String tenant, String namespace, String key) {
    return store.read(
        "reading memory " + namespace + "/" + key,
        c -> first(c, sql.live(), List.of(tenant, namespace, key)));
  }

  /** Whether the entry has a row at all (live or a tombstone). */
  boolean exists(String tenant, String namespace, String key) {
    return store.read(
        "reading memory " + namespace + "/" + key,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.exists())) {
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

  /**
   * Live entries of the subtree of {@code prefix} (every namespace when null), in (namespace, key)
   * order after ({@code afterNamespace}, {@code afterKey}), at most {@code limit}. Reads the
   * namespace itself and then its descendants as two ranges of the (tenant, namespace, key) index
   * (or of the by-type index), so a listing never reads outside its subtree.
   */
  List<MemoryEntry> list(
      String tenant, String prefix, MemoryType type, String afterNamespace, String afterKey, int limit) {
    return store.read(
        "listing memory",
        c -> {
          List<MemoryEntry> out = new ArrayList<>();
          if (prefix == null) {
            out.addAll(range(c, tenant, null, null, type, afterNamespace, afterKey, limit));
            return out;
          }
          boolean pastSelf = afterNamespace != null && afterNamespace.compareTo(prefix) > 0;
          if (!pastSelf) {
            String after = prefix.equals(afterNamespace) ? afterKey : null;
            List<Object> args = new ArrayList<>();
            args.add(tenant);
            if (type != null) args.add(type.wireName());
            args.add(prefix);
            if (after != null) args.add(after);
            args.add(limit);
            out.addAll(all(c, sql.namespace(type != null, after != null), args));
          }
          if (out.size() < limit) {
            out.addAll(
                range(
                    c, tenant, Namespaces.descendantsFrom(prefix), Namespaces.descendantsTo(prefix), type,
                    pastSelf ? afterNamespace : null, pastSelf ? afterKey : null, limit - out.size()));
          }
          return out;
        });
  }

  private List<MemoryEntry> range(
      Connection c, String tenant, String from, String to, MemoryType type, String afterNamespace,
      String afterKey, int limit) throws SQLException {
    List<Object> args = new ArrayList<>();
    args.add(tenant);
    if (type != null) args.add(type.wireName());
    if (from != null) {
      args.add(from);
      args.add(to);
    }
    if (afterNamespace != null) {
      args.add(afterNamespace);
      args.add(afterNamespace);
      args.add(afterKey);
    }
    args.add(limit);
    return all(c, sql.range(type != null, from != null, afterNamespace != null), args);
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
