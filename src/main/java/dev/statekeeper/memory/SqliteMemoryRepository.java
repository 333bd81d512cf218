package dev.statekeeper.memory;

import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * SQLite: writes are serialized by the store's single writer, so a write needs no row lock;
 * keyword search is FTS5 ({@code memory_fts}, kept in step with {@code memory_entries} by
 * triggers) ranked by BM25.
 */
final class SqliteMemoryRepository extends MemoryRepository {

  SqliteMemoryRepository(Store store) {
    super(store);
  }

  @Override
  protected String forUpdate() {
    return "";
  }

  /**
   * Each term is an FTS5 string ({@code "term"}; terms hold only letters, digits and marks, so
   * nothing in them is FTS5 syntax), joined with OR: entries with more, and rarer, of the words
   * rank first.
   */
  @Override
  List<Scored> search(String tenant, List<String> terms, List<String> prefixes, MemoryType type, int limit) {
    List<String> quoted = new ArrayList<>();
    for (String t : terms) {
      quoted.add('"' + t + '"');
    }
    StringBuilder sql =
        new StringBuilder(
            "SELECT " + MemoryRows.E_COLUMNS + ", bm25(memory_fts) AS rank FROM memory_fts"
                + " JOIN memory_entries e ON e.id = memory_fts.rowid"
                + " WHERE memory_fts MATCH ? AND e.tenant = ? AND e.deleted = 0");
    List<Object> args = new ArrayList<>();
    args.add(String.join(" OR ", quoted));
    args.add(tenant);
    if (prefixes != null) {
      sql.append(" AND ").append(subtrees("e.namespace", prefixes, args));
    }
    if (type != null) {
      sql.append(" AND e.type = ?");
      args.add(type.wireName());
    }
    sql.append(" ORDER BY rank, e.namespace, e.key LIMIT ?");
    args.add(limit);
    return store.read(
        "searching memory",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              List<Scored> out = new ArrayList<>();
              while (rs.next()) {
                // bm25() is lower for better matches; scores are "higher is better" everywhere
                out.add(new Scored(MemoryRows.entry(rs, d), -rs.getDouble("rank")));
              }
              return out;
            }
          }
        });
  }
}
