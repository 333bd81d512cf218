package dev.statekeeper.access;

/** SQLite: as PostgreSQL, but a list is a JSON array read with {@code json_each}. */
final class SqliteGrantSql implements GrantSql {

  static final GrantSql INSTANCE = new SqliteGrantSql();

  @Override
  public String matching() {
    return """
        SELECT resource, relation, subject FROM access_grants
        WHERE tenant = ? AND resource IN (SELECT value FROM json_each(?)) AND subject IN (SELECT value FROM json_each(?))""";
  }

  @Override
  public String readableOfType() {
    return """
        SELECT resource, relation, subject FROM access_grants
        WHERE tenant = ? AND resource LIKE ? AND relation IN ('owner', 'editor', 'viewer')
          AND subject IN (SELECT value FROM json_each(?))""";
  }
}
