package dev.statekeeper.support;

import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan PostgreSQL makes for a statement as a prepared statement under a {@code
 * plan_cache_mode}, for the query-plan tests: {@code force_generic_plan} shows the plan a pooled
 * connection may keep for every later execution (an EXPLAIN through JDBC would plan with the
 * bound values instead), {@code force_custom_plan} the one made with the values.
 */
public final class PostgresPlans {

  private PostgresPlans() {}

  /**
   * The plan of {@code statement} (with {@code ?} placeholders) for {@code args}, its parameters
   * declared as {@code types} (SQL type names, comma-separated), headed by the mode's name.
   */
  public static String plan(Store store, String statement, List<Object> args, String types, String planCacheMode) {
    StringBuilder numbered = new StringBuilder();
    int n = 0;
    for (char ch : statement.toCharArray()) {
      if (ch == '?') numbered.append('$').append(++n); else numbered.append(ch);
    }
    if (n != args.size()) throw new IllegalArgumentException(n + " parameters, " + args.size() + " arguments");
    List<String> literals = new ArrayList<>();
    for (Object a : args) literals.add(literal(a));
    return store.read("explaining", c -> {
      try (Statement s = c.createStatement()) {
        s.execute("SET plan_cache_mode = " + planCacheMode);
        s.execute("PREPARE plan_probe (" + types + ") AS " + numbered);
        List<String> lines = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE plan_probe (" + String.join(", ", literals) + ")")) {
          while (rs.next()) lines.add(rs.getString(1));
        }
        return planCacheMode + ":\n" + String.join("\n", lines);
      } finally {
        try (Statement s = c.createStatement()) {
          s.execute("DEALLOCATE plan_probe");
          s.execute("RESET plan_cache_mode");
        }
      }
    });
  }

  private static String literal(Object a) {
    if (a == null || a instanceof SqlArgs.TypedNull) return "NULL";
    if (a instanceof Number || a instanceof Boolean) return a.toString();
    if (a instanceof SqlArgs.TextList l) {
      List<String> quoted = new ArrayList<>();
      for (String v : l.values()) quoted.add("'" + v.replace("'", "''") + "'");
      return "ARRAY[" + String.join(", ", quoted) + "]::text[]";
    }
    return "'" + a.toString().replace("'", "''") + "'";
  }
}
