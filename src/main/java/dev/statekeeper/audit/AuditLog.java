package dev.statekeeper.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.Caller;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What was removed for good, and by whom: a memory purge, a deleted session. A capability records
 * an entry in the transaction that removes the data, so the record exists exactly when the
 * removal happened; admins read them with {@code GET /v1/audit}. Backups carry the log.
 */
public final class AuditLog {

  /**
   * One record.
   *
   * @param id increasing within a store
   * @param action what was done ({@code memory.purge}, {@code session.delete})
   * @param target what it was done to ({@code memory:user:alice}, {@code session:s1})
   * @param detail what and how much was removed
   */
  public record Entry(long id, Instant at, String actor, String action, String target, JsonNode detail) {}

  private AuditLog() {}

  /** Records {@code action} on {@code target} by {@code caller}, in the caller's transaction. */
  public static void record(Connection c, Dialect d, Caller caller, String action, String target, Map<String, ?> detail)
      throws SQLException {
    String insert = switch (d) {
      case POSTGRES -> "INSERT INTO audit_log (tenant, at, actor, action, target, detail) VALUES (?, sk_now(), ?, ?, ?, CAST(? AS jsonb))";
      case SQLITE -> "INSERT INTO audit_log (tenant, at, actor, action, target, detail) VALUES (?, sk_now(), ?, ?, ?, ?)";
    };
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      SqlArgs.bind(ps, d, caller.tenant(), caller.subject(), action, target,
          JsonColumns.write(JsonColumns.mapper().valueToTree(detail)));
      ps.executeUpdate();
    }
  }

  /** The records of {@code tenant} before {@code beforeId} (null: the newest), newest first. */
  public static List<Entry> list(Store store, String tenant, Long beforeId, int limit) {
    Dialect d = store.dialect();
    return store.read(
        "reading the audit log",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(
              "SELECT id, at, actor, action, target, detail FROM audit_log"
                  + " WHERE tenant = ? AND id < ? ORDER BY id DESC LIMIT ?")) {
            SqlArgs.bind(ps, d, tenant, beforeId == null ? Long.MAX_VALUE : beforeId, limit);
            try (ResultSet rs = ps.executeQuery()) {
              List<Entry> out = new ArrayList<>();
              while (rs.next()) {
                out.add(new Entry(rs.getLong("id"), d.getInstant(rs, "at"), rs.getString("actor"), rs.getString("action"),
                    rs.getString("target"), JsonColumns.read(rs.getString("detail"))));
              }
              return out;
            }
          }
        });
  }
}
