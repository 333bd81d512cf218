package dev.statekeeper.backup;

import dev.statekeeper.store.Schema;
import dev.statekeeper.store.Schema.Column;
import dev.statekeeper.store.Schema.Table;
import java.util.List;

/**
 * PostgreSQL: JSON is cast to {@code jsonb}; an identity column is restored with {@code
 * OVERRIDING SYSTEM VALUE} and its sequence moved past the restored rows; text is sorted by
 * {@code COLLATE "C"} (byte order, as SQLite sorts), whatever the database's collation.
 */
final class PostgresBackupSql implements BackupSql {

  static final BackupSql INSTANCE = new PostgresBackupSql();

  @Override
  public String insert(Table t, List<Column> cols) {
    boolean identity = t.identity() != null && cols.stream().anyMatch(c -> c.name().equals(t.identity()));
    return "INSERT INTO " + t.name() + " (" + String.join(", ", cols.stream().map(Column::name).toList()) + ")"
        + (identity ? " OVERRIDING SYSTEM VALUE" : "")
        + " VALUES (" + String.join(", ", cols.stream().map(c -> c.type() == Schema.Type.JSON ? "CAST(? AS jsonb)" : "?").toList())
        + ")";
  }

  /**
   * The identity's sequence moved past the restored rows, then {@code ANALYZE}: a restored table
   * has no statistics until autovacuum gets to it, and without them the planner picks plans that
   * walk whole ranges (a metadata filter over 100,000 entries: 78 ms instead of 1 ms).
   */
  @Override
  public List<String> afterRestore(Table t) {
    String analyze = "ANALYZE " + t.name();
    if (t.identity() == null) {
      return List.of(analyze);
    }
    return List.of("SELECT setval(pg_get_serial_sequence('" + t.name() + "', '" + t.identity() + "'), "
        + "COALESCE((SELECT MAX(" + t.identity() + ") FROM " + t.name() + "), 0) + 1, false)", analyze);
  }

  @Override
  public String orderedBy(Column col) {
    return col.type() == Schema.Type.TEXT ? col.name() + " COLLATE \"C\"" : col.name();
  }

  @Override
  public List<EngineCheck> engineChecks() {
    return List.of(new EngineCheck(
        "postgresql constraints validated", "SELECT conname || ' is NOT VALID' FROM pg_constraint WHERE NOT convalidated"));
  }
}
