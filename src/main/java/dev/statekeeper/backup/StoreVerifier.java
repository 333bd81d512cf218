package dev.statekeeper.backup;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Integrity checks of a live store: the engine's own, then Statekeeper's invariants. */
final class StoreVerifier {

  private StoreVerifier() {}

  static List<Backups.Finding> verify(Store store) {
    List<Backups.Finding> out = new ArrayList<>();
    int pending = store.pendingMigrations();
    out.add(new Backups.Finding("migrations", pending == 0,
        pending == 0 ? "schema version " + store.schemaVersion() : pending + " migrations pending; run 'statekeeper migrate'"));
    store.snapshot(
        "verifying the store",
        c -> {
          if (store.dialect() == Dialect.SQLITE) {
            List<String> integrity = strings(c, "PRAGMA integrity_check");
            boolean ok = integrity.size() == 1 && integrity.get(0).equals("ok");
            out.add(new Backups.Finding("sqlite integrity_check", ok, ok ? "ok" : String.join("; ", integrity)));
            List<String> fk = strings(c, "PRAGMA foreign_key_check");
            out.add(new Backups.Finding("sqlite foreign_key_check", fk.isEmpty(), fk.isEmpty() ? "ok" : fk.size() + " violations"));
          } else {
            long unvalidated = count(c, "SELECT COUNT(*) FROM pg_constraint WHERE NOT convalidated");
            out.add(new Backups.Finding("postgresql constraints validated", unvalidated == 0,
                unvalidated == 0 ? "ok" : unvalidated + " constraints are NOT VALID"));
          }
          zero(out, c, "task events without their task",
              "SELECT COUNT(*) FROM task_events e WHERE NOT EXISTS "
                  + "(SELECT 1 FROM tasks t WHERE t.tenant = e.tenant AND t.id = e.task_id)");
          zero(out, c, "tasks without a creation event",
              "SELECT COUNT(*) FROM tasks t WHERE NOT EXISTS (SELECT 1 FROM task_events e WHERE e.tenant = t.tenant "
                  + "AND e.task_id = t.id AND e.action IN ('created', 'imported'))");
          zero(out, c, "idempotency keys naming a missing task",
              "SELECT COUNT(*) FROM task_idempotency_keys k WHERE NOT EXISTS "
                  + "(SELECT 1 FROM tasks t WHERE t.tenant = k.tenant AND t.id = k.task_id)");
          zero(out, c, "claimed tasks without a lease or holder",
              "SELECT COUNT(*) FROM tasks WHERE status = 'claimed' AND (lease_expires_at IS NULL OR claimed_by IS NULL)");
          zero(out, c, "pending tasks with no attempt left",
              "SELECT COUNT(*) FROM tasks WHERE status = 'pending' AND attempt >= max_attempts");
          zero(out, c, "tasks with a deadline but no SLA status, or the reverse",
              "SELECT COUNT(*) FROM tasks WHERE (deadline IS NULL AND sla_status IN ('pending', 'met')) "
                  + "OR (deadline IS NOT NULL AND sla_status = 'none' AND status <> 'cancelled')");
          zero(out, c, "session events without their session",
              "SELECT COUNT(*) FROM session_events e WHERE NOT EXISTS "
                  + "(SELECT 1 FROM sessions s WHERE s.tenant = e.tenant AND s.id = e.session_id)");
          zero(out, c, "session events numbered beyond their session's event count",
              "SELECT COUNT(*) FROM session_events e JOIN sessions s ON s.tenant = e.tenant AND s.id = e.session_id "
                  + "WHERE e.seq > s.event_count");
          zero(out, c, "memory entries whose current version is missing from their history",
              "SELECT COUNT(*) FROM memory_entries e WHERE NOT EXISTS (SELECT 1 FROM memory_versions v WHERE "
                  + "v.tenant = e.tenant AND v.namespace = e.namespace AND v.key = e.key AND v.version = e.current_version)");
          zero(out, c, "memory versions without their entry, or newer than its current version",
              "SELECT COUNT(*) FROM memory_versions v WHERE NOT EXISTS (SELECT 1 FROM memory_entries e WHERE "
                  + "e.tenant = v.tenant AND e.namespace = v.namespace AND e.key = v.key AND e.current_version >= v.version)");
          zero(out, c, "tenants with grants but no access epoch",
              "SELECT COUNT(DISTINCT g.tenant) FROM access_grants g WHERE NOT EXISTS "
                  + "(SELECT 1 FROM access_epochs e WHERE e.tenant = g.tenant)");
          long identities = count(c, "SELECT COUNT(*) FROM store_identity");
          out.add(new Backups.Finding("the store has one identity", identities == 1,
              identities == 1 ? "ok" : identities + " rows in store_identity"));
          long roots = count(c, "SELECT COUNT(*) FROM api_keys WHERE role = 'root' AND revoked_at IS NULL");
          out.add(new Backups.Finding("a valid root key exists", roots > 0,
              roots > 0 ? roots + " valid root keys" : "none: make one with 'statekeeper keys create --role root'"));
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
