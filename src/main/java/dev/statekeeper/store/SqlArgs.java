package dev.statekeeper.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Binds positional arguments by their Java type. A null {@link Instant} must be passed as {@link
 * #time(Instant)} and other typed nulls as {@link #nullOf(int)}, so that PostgreSQL learns the
 * parameter's type; a bare null binds as a null string.
 */
public final class SqlArgs {

  private SqlArgs() {}

  /** A null of a given {@link Types} code. */
  public record TypedNull(int sqlType) {}

  private record NullTime() {}

  private static final NullTime NULL_TIME = new NullTime();

  public static Object nullOf(int sqlType) {
    return new TypedNull(sqlType);
  }

  /** The instant, or a typed null time. */
  public static Object time(Instant t) {
    return t == null ? NULL_TIME : t;
  }

  public static void bind(PreparedStatement ps, Dialect dialect, List<?> args) throws SQLException {
    int i = 1;
    for (Object a : args) {
      bindOne(ps, dialect, i++, a);
    }
  }

  public static void bind(PreparedStatement ps, Dialect dialect, Object... args) throws SQLException {
    bind(ps, dialect, Arrays.asList(args));
  }

  private static void bindOne(PreparedStatement ps, Dialect dialect, int i, Object a)
      throws SQLException {
    switch (a) {
      case null -> ps.setNull(i, Types.VARCHAR);
      case String s -> ps.setString(i, s);
      case Integer n -> ps.setInt(i, n);
      case Long n -> ps.setLong(i, n);
      case Double n -> ps.setDouble(i, n);
      case Boolean b -> ps.setBoolean(i, b);
      case Instant t -> dialect.setInstant(ps, i, t);
      case NullTime ignored -> dialect.setInstant(ps, i, null);
      case TypedNull n -> ps.setNull(i, n.sqlType());
      case byte[] bytes -> ps.setBytes(i, bytes);
      default -> throw new IllegalArgumentException("cannot bind " + a.getClass().getName());
    }
  }
}
