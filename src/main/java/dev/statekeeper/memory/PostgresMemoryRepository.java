package dev.statekeeper.memory;

import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL: a write locks the entry's row ({@code FOR UPDATE}) for the compare-and-set;
 * keyword search is the generated {@code text_tsv} column ({@code english} configuration) with
 * its GIN index, ranked by {@code ts_rank}.
 */
final class PostgresMemoryRepository extends MemoryRepository {

  PostgresMemoryRepository(Store store) {
    super(store);
  }

  @Override
  protected String forUpdate() {
    return " FOR UPDATE";
  }

  /**
   * Each term is a quoted tsquery operand ({@code 'term'}; terms hold only letters, digits and
   * marks, so nothing in them is tsquery syntax), joined with {@code |}: entries with more of the
   * words rank first.
   */
  @Override
  List<Scored> search(String tenant, List<String> terms, List<String> prefixes, MemoryType type, int limit) {
    List<String> quoted = new ArrayList<>();
    for (String t : terms) {
      quoted.add("'" + t + "'");
    }
    StringBuilder sql =
        new StringBuilder(
            "SELECT " + MemoryRows.E_COLUMNS + ", ts_rank(e.text_tsv, q.query) AS score"
                + " FROM memory_entries e, to_tsquery('english', ?) AS q(query)"
                + " WHERE e.text_tsv @@ q.query AND e.tenant = ? AND e.deleted = 0");
    List<Object> args = new ArrayList<>();
    args.add(String.join(" | ", quoted));
    args.add(tenant);
    if (prefixes != null) {
      sql.append(" AND ").append(subtrees("e.namespace", prefixes, args));
    }
    if (type != null) {
      sql.append(" AND e.type = ?");
      args.add(type.wireName());
    }
    sql.append(" ORDER BY score DESC, e.namespace, e.key LIMIT ?");
    args.add(limit);
    return store.read(
        "searching memory",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              List<Scored> out = new ArrayList<>();
              while (rs.next()) {
                out.add(new Scored(MemoryRows.entry(rs, d), rs.getDouble("score")));
              }
              return out;
            }
          }
        });
  }
}
