package dev.statekeeper.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Which of the two stores, and what differs between them below the level of statements: how
 * times are bound and read, and the lock that orders work across nodes. Statements themselves
 * are written whole per dialect in each capability's SQL classes ({@code access/GrantSql} is the
 * pattern).
 *
 * <p>Times are {@code timestamptz} on PostgreSQL and INTEGER epoch milliseconds on SQLite. "Now"
 * is always the database's clock, never the JVM's — several nodes may share one PostgreSQL —
 * except in tests, which set it ({@link DatabaseClock}): statements write {@code sk_now()} and
 * {@code sk_now_plus(ms)}, functions of both stores (PostgreSQL migrations V10 and V11; registered
 * on every SQLite connection by the store).
 */
public enum Dialect {
  SQLITE("sqlite"),
  POSTGRES("postgresql");

  private final String migrationFolder;

  Dialect(String migrationFolder) {
    this.migrationFolder = migrationFolder;
  }

  /** Classpath location of this dialect's Flyway migrations. */
  public String migrationLocation() {
    return "classpath:db/migration/" + migrationFolder;
  }

  /**
   * Takes the transaction-scoped lock {@code key} that orders one kind of work across nodes:
   * PostgreSQL's advisory lock; nothing on SQLite, whose single writer orders every write.
   */
  public void lockAcrossNodes(java.sql.Connection c, long key) throws SQLException {
    if (this == POSTGRES) {
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        ps.setLong(1, key);
        ps.executeQuery().close();
      }
    }
  }

  public void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    if (value == null) {
      ps.setNull(index, this == POSTGRES ? Types.TIMESTAMP_WITH_TIMEZONE : Types.BIGINT);
    } else if (this == POSTGRES) {
      ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
    } else {
      ps.setLong(index, value.toEpochMilli());
    }
  }

  public Instant getInstant(ResultSet rs, String column) throws SQLException {
    if (this == POSTGRES) {
      OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
      return t == null ? null : t.toInstant();
    }
    long ms = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
  }
}
