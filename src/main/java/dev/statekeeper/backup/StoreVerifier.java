package dev.statekeeper.backup;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.Schema;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Integrity checks of a live store: the engine's own, then every capability's invariants ({@link Schema}). */
final class StoreVerifier {

  private StoreVerifier() {}

  static List<Backups.Finding> verify(Store store, Schema schema) {
    List<Backups.Finding> out = new ArrayList<>();
    int pending = store.pendingMigrations();
    out.add(new Backups.Finding("migrations", pending == 0,
        pending == 0 ? "schema version " + store.schemaVersion() : pending + " migrations pending; run 'statekeeper migrate'"));
    store.snapshot(
        "verifying the store",
        c -> {
          for (BackupSql.EngineCheck check : BackupSql.of(store.dialect()).engineChecks()) {
            List<String> problems = strings(c, check.problems());
            out.add(new Backups.Finding(check.name(), problems.isEmpty(),
                problems.isEmpty() ? "ok" : problems.size() + " found, first: " + problems.get(0)));
          }
          for (Schema.Invariant inv : schema.invariants()) {
            zero(out, c, inv.what(), inv.countSql());
          }
          return null;
        });
    return out;
  }

  private static void zero(List<Backups.Finding> out, Connection c, String what, String sql) throws SQLException {
    long n = count(c, sql);
    out.add(new Backups.Finding(what, n == 0, n == 0 ? "none" : n + " found"));
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          if (i > 1) row.append(' ');
          row.append(rs.getString(i));
        }
        out.add(row.toString());
      }
    }
    return out;
  }
}
