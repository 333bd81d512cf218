package dev.statekeeper.access;

import dev.statekeeper.store.Dialect;

/**
 * The SQL of grants and epochs, each statement written out whole: those both stores run as they
 * are here, those that differ in {@link PostgresGrantSql} and {@link SqliteGrantSql}. A list
 * parameter ({@code SqlArgs.list}) is one array on PostgreSQL and one JSON array on SQLite, so no
 * statement's text depends on how many values it is given.
 */
interface GrantSql {

  static GrantSql of(Dialect d) {
    return d == Dialect.POSTGRES ? PostgresGrantSql.INSTANCE : SqliteGrantSql.INSTANCE;
  }

  /** tenant, resource, relation, subject */
  default String insert() {
    return """
        INSERT INTO access_grants (tenant, resource, relation, subject, created_at)
        VALUES (?, ?, ?, ?, sk_now())
        ON CONFLICT (tenant, resource, relation, subject) DO NOTHING""";
  }

  /** tenant, resource, relation, subject */
  default String delete() {
    return "DELETE FROM access_grants WHERE tenant = ? AND resource = ? AND relation = ? AND subject = ?";
  }

  /** tenant, resource: every grant on one resource */
  default String deleteOn() {
    return "DELETE FROM access_grants WHERE tenant = ? AND resource = ?";
  }

  /**
   * tenant, resource, then the prefix's length and the prefix: the grants on a resource and on
   * every resource below it ({@code resource:}…). Compared with {@code substr}, not {@code LIKE}
   * (names hold {@code _}, and SQLite's LIKE ignores case) nor a range (PostgreSQL compares
   * {@code text} by the database's collation).
   */
  default String deleteOnAndBelow() {
    return "DELETE FROM access_grants WHERE tenant = ? AND (resource = ? OR substr(resource, 1, ?) = ?)";
  }

  /** tenant: bumps and returns the tenant's access epoch */
  default String bumpEpoch() {
    return """
        INSERT INTO access_epochs (tenant, epoch) VALUES (?, 1)
        ON CONFLICT (tenant) DO UPDATE SET epoch = access_epochs.epoch + 1
        RETURNING epoch""";
  }

  /** tenant */
  default String epoch() {
    return "SELECT epoch FROM access_epochs WHERE tenant = ?";
  }

  default String storeIdentity() {
    return "SELECT id FROM store_identity";
  }

  /** tenant, resource or null, subject or null */
  default String list() {
    return """
        SELECT resource, relation, subject FROM access_grants
        WHERE tenant = ? AND (CAST(? AS TEXT) IS NULL OR resource = ?) AND (CAST(? AS TEXT) IS NULL OR subject = ?)
        ORDER BY resource, relation, subject LIMIT 10000""";
  }

  /** tenant, subject: the teams the subject is a member of */
  default String teams() {
    return "SELECT resource FROM access_grants WHERE tenant = ? AND subject = ? AND relation = 'member'";
  }

  /** tenant, resources (a list), subjects (a list): the grants that may decide a check */
  String matching();

  /** tenant, the type's prefix ({@code session:%}), subjects (a list): the grants that let them read resources of a type */
  String readableOfType();
}
