package dev.statekeeper.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.store.Schema.Column;
import dev.statekeeper.store.Schema.Table;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Loads a verified backup into a store, all in one transaction. */
final class Restorer {

  private static final int BATCH = 1000;

  private Restorer() {}

  static Map<String, Long> restore(Store store, dev.statekeeper.store.Schema schema, Path dir, boolean force, Progress progress) {
    String current = store.schemaVersion();
    List<String> problems = BackupReader.check(dir, schema, current, Progress.NONE);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("the backup in " + dir + " does not verify: " + String.join("; ", problems));
    }
    Manifest m;
    try {
      m = Manifest.read(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Dialect d = store.dialect();
    return store.write(
        "restoring " + dir,
        c -> {
          Map<String, Long> existing = counts(c, schema);
          long rows = existing.values().stream().mapToLong(Long::longValue).sum();
          if (rows > 0) {
            if (!force) {
              throw new IllegalStateException(
                  "the store is not empty (" + describe(existing) + "); restore into an empty store, "
                      + "or pass --force to replace everything in it");
            }
            for (int i = schema.tables().size() - 1; i >= 0; i--) {
              try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM " + schema.tables().get(i).name());
              }
            }
            for (var derived : schema.derived()) {
              if (derived.emptiedByRestore()) {
                try (Statement s = c.createStatement()) {
                  s.executeUpdate("DELETE FROM " + derived.name());
                }
              }
            }
          }
          Map<String, Long> restored = new LinkedHashMap<>();
          for (Manifest.TableFile f : m.tables()) {
            restored.put(f.name(), load(c, d, schema, dir, f, progress));
          }
          // A new identity: decisions cached in a shared Redis for the data this replaced (or for
          // the store the backup came from) must never answer for the restored grants.
          try (PreparedStatement ps = c.prepareStatement("UPDATE store_identity SET id = ?")) {
            ps.setString(1, java.util.UUID.randomUUID().toString());
            ps.executeUpdate();
          }
          for (Table t : schema.tables()) {
            for (String after : BackupSql.of(d).afterRestore(t)) {
              try (Statement s = c.createStatement()) {
                s.execute(after);
              }
            }
          }
          return restored;
        });
  }

  static Map<String, Long> counts(Connection c, dev.statekeeper.store.Schema schema) throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Table t : schema.tables()) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + t.name())) {
        rs.next();
        counts.put(t.name(), rs.getLong(1));
      }
    }
    return counts;
  }

  private static String describe(Map<String, Long> counts) {
    List<String> parts = new ArrayList<>();
    counts.forEach((t, n) -> {
      if (n > 0) parts.add(t + ": " + n + " rows");
    });
    return String.join(", ", parts);
  }

  /**
   * Runs a batch of restored rows. A refused batch is reported by table and row, with the
   * database's reason but never the statement: PostgreSQL's batch error quotes the whole INSERT
   * with its values, which printed every document text of the batch.
   */
  private static void executeBatch(PreparedStatement ps, Table t, long firstRow) throws SQLException {
    try {
      ps.executeBatch();
    } catch (java.sql.BatchUpdateException e) {
      SQLException reason = e.getNextException() != null ? e.getNextException() : e;
      String message = reason.getMessage() == null ? "" : reason.getMessage().lines().findFirst().orElse("");
      if (message.startsWith("Batch entry")) {
        message = "the database refused it"; // the driver's own text quotes the statement
      }
      long row = firstRow + Math.max(0, failedEntry(e)) + 1;
      throw new SQLException(t.name() + ".jsonl row " + row + " could not be restored: " + message, reason.getSQLState(), reason);
    }
  }

  /** The index of the first refused entry of a batch, or -1 when the driver does not say. */
  private static int failedEntry(java.sql.BatchUpdateException e) {
    int[] counts = e.getUpdateCounts();
    if (counts == null) return -1;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == java.sql.Statement.EXECUTE_FAILED) return i;
    }
    return counts.length < BATCH ? counts.length : -1;
  }

  private static long load(Connection c, Dialect d, dev.statekeeper.store.Schema schema, Path dir, Manifest.TableFile f,
      Progress progress) throws SQLException {
    Table t = schema.table(f.name());
    List<Column> cols = f.columns().stream().map(t::column).toList();
    String sql = BackupSql.of(d).insert(t, cols);
    progress.start("restore " + t.name(), f.rows());
    long[] n = {0};
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      BackupReader.rows(
          dir,
          f,
          (JsonNode row) -> {
            for (int i = 0; i < cols.size(); i++) {
              RowCodec.bind(ps, i + 1, row.get(cols.get(i).name()), cols.get(i), d);
            }
            ps.addBatch();
            if (++n[0] % BATCH == 0) {
              executeBatch(ps, t, n[0] - BATCH);
              progress.advance(BATCH);
            }
          });
      executeBatch(ps, t, n[0] - n[0] % BATCH);
    }
    progress.advance(n[0] % BATCH);
    progress.done();
    return n[0];
  }
}
