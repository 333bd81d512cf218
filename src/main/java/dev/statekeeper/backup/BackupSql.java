package dev.statekeeper.backup;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.Schema.Column;
import dev.statekeeper.store.Schema.Table;
import java.util.List;

/**
 * The SQL of backups, restores and verify that differs between the stores, for any table of the
 * schema: {@link PostgresBackupSql} and {@link SqliteBackupSql}. Statements are built from the
 * table's declaration ({@code store/Schema}), not written per table, so a new table needs nothing
 * here.
 */
interface BackupSql {

  static BackupSql of(Dialect d) {
    return d == Dialect.POSTGRES ? PostgresBackupSql.INSTANCE : SqliteBackupSql.INSTANCE;
  }

  /** Inserts one row of {@code t} with {@code cols}, identity values included. */
  String insert(Table t, List<Column> cols);

  /** What runs after {@code t} was restored (an identity's sequence moved past its rows). */
  List<String> afterRestore(Table t);

  /** Sorts {@code text} the same way in both stores (byte order). */
  String orderedBy(Column col);

  /**
   * The database engine's own checks that verify runs, each a name and a query whose rows are the
   * problems it found (none: ok).
   */
  List<EngineCheck> engineChecks();

  record EngineCheck(String name, String problems) {}

  /** The whole {@code ORDER BY} list of {@code t}. */
  default String orderBy(Table t) {
    return String.join(", ", t.order().stream().map(name -> orderedBy(t.column(name))).toList());
  }
}
