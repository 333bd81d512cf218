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

  /**
   * A list of strings bound as one parameter, so a statement with an {@code IN} list has constant
   * text whatever the list's length: an array on PostgreSQL ({@code col = ANY(?)}), a JSON array
   * on SQLite ({@code col IN (SELECT value FROM json_each(?))}).
   */
  public record TextList(java.util.Collection<String> values) {}

  public static TextList list(java.util.Collection<String> values) {
    return new TextList(java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values))); // nulls allowed
  }

  /** The instant, or a typed null time. */
  public static Object time(Instant t) {
    return t == null ? NULL_TIME : t;
  }

  /** {@code n} placeholders: {@code "?, ?, ?"}. */
  public static String marks(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  /**
   * {@code select} (a one-row lookup by a unique key, with its own placeholders) once per key,
   * joined by {@code UNION ALL}; bind each branch's arguments in turn. Every branch is planned as
   * the equality lookup it is, whatever the statistics say. The one-statement alternatives are not:
   * SQLite (3.54) plans {@code (a = ? AND b = ?) OR ...} with twenty terms as a scan of the
   * tenant's rows, and PostgreSQL without fresh statistics (autovacuum off, or right after a bulk
   * load) joins a {@code VALUES} list against such a scan too — 37 ms and 60 ms, against well under
   * 1 ms, to fetch the rows of twenty search hits among 100k memory entries of one tenant.
   */
  public static String eachOf(String select, int keys) {
    return String.join(" UNION ALL ", java.util.Collections.nCopies(keys, select));
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
      case TextList l -> {
        if (dialect == Dialect.POSTGRES) {
          ps.setArray(i, ps.getConnection().createArrayOf("text", l.values().toArray()));
        } else {
          ps.setString(i, JsonColumns.write(JsonColumns.mapper().valueToTree(l.values())));
        }
      }
      default -> throw new IllegalArgumentException("cannot bind " + a.getClass().getName());
    }
  }
}
