package dev.statekeeper.access;

/** PostgreSQL: lists are arrays, matched with {@code = ANY(?)}. */
final class PostgresGrantSql implements GrantSql {

  static final GrantSql INSTANCE = new PostgresGrantSql();

  @Override
  public String matching() {
    return """
        SELECT resource, relation, subject FROM access_grants
        WHERE tenant = ? AND resource = ANY(?) AND subject = ANY(?)""";
  }

  @Override
  public String readableOfType() {
    return """
        SELECT resource, relation, subject FROM access_grants
        WHERE tenant = ? AND resource LIKE ? AND relation IN ('owner', 'editor', 'viewer') AND subject = ANY(?)""";
  }
}
