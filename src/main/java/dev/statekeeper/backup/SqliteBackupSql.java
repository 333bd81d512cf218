package dev.statekeeper.backup;

import dev.statekeeper.store.Schema.Column;
import dev.statekeeper.store.Schema.Table;
import java.util.List;

/**
 * SQLite: values are bound as they are (JSON is text); an {@code INTEGER PRIMARY KEY} takes the
 * value given and continues after the largest, so nothing runs after a restore; text sorts in
 * byte order already.
 */
final class SqliteBackupSql implements BackupSql {

  static final BackupSql INSTANCE = new SqliteBackupSql();

  @Override
  public String insert(Table t, List<Column> cols) {
    return "INSERT INTO " + t.name() + " (" + String.join(", ", cols.stream().map(Column::name).toList()) + ")"
        + " VALUES (" + String.join(", ", cols.stream().map(c -> "?").toList()) + ")";
  }

  @Override
  public List<String> afterRestore(Table t) {
    return List.of();
  }

  @Override
  public String orderedBy(Column col) {
    return col.name();
  }

  @Override
  public List<EngineCheck> engineChecks() {
    return List.of(
        new EngineCheck("sqlite integrity_check",
            "SELECT integrity_check FROM pragma_integrity_check WHERE integrity_check <> 'ok'"),
        new EngineCheck("sqlite foreign_key_check",
            "SELECT \"table\" || ' row ' || rowid || ' refers to a missing ' || parent FROM pragma_foreign_key_check"));
  }
}
