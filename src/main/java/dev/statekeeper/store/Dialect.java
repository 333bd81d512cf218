package dev.statekeeper.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * What differs between the two stores at the level of single expressions: how "now" is written,
 * how times and JSON are bound and read. Statements that differ in shape (claims, reaping) live
 * in the capability's own per-dialect SQL classes.
 *
 * <p>Times are {@code timestamptz} on PostgreSQL and INTEGER epoch milliseconds on SQLite. "Now"
 * is always the database's clock, never the JVM's — several nodes may share one PostgreSQL —
 * except in tests, which set it ({@link DatabaseClock}).
 */
public enum Dialect {
  // sk_now(): the database's clock, or a test's (see DatabaseClock); a function the store registers
  // on every SQLite connection, and migration V10 on PostgreSQL
  SQLITE("sqlite", "sk_now()"),
  POSTGRES("postgresql", "sk_now()");

  private final String migrationFolder;
  private final String now;

  Dialect(String migrationFolder, String now) {
    this.migrationFolder = migrationFolder;
    this.now = now;
  }

  /** Classpath location of this dialect's Flyway migrations. */
  public String migrationLocation() {
    return "classpath:db/migration/" + migrationFolder;
  }

  /** An SQL expression for the database's current time, fixed for the whole statement. */
  public String now() {
    return now;
  }

  /** An SQL expression for now plus {@code millisExpr} milliseconds (a bound parameter, typically). */
  public String nowPlusMillis(String millisExpr) {
    return switch (this) {
      case SQLITE -> "CAST(" + now + " + (" + millisExpr + ") AS INTEGER)";
      case POSTGRES -> "(" + now + " + (" + millisExpr + ") * interval '1 millisecond')";
    };
  }

  /** A bound JSON parameter, cast where the column type needs it. */
  public String jsonParam() {
    return this == POSTGRES ? "CAST(? AS jsonb)" : "?";
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
