package dev.statekeeper.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.Statekeeper;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import dev.statekeeper.support.PostgresPlans;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestDatabases;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listings and searches read an index, never every row: the plans of the exact statements the
 * repository runs, over 30,000 entries in three tenants (analyzed), contain no full scan of
 * {@code memory_entries} and no sort. A store of its own (a fresh PostgreSQL database), so the
 * statistics are this test's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MemoryQueryPlanContract {

  static final int PER_TENANT = 10_000;

  Statekeeper sk;
  Store store;
  Dialect d;
  /** PostgreSQL: the generic plan of the search-hits statement before any statistics existed. */
  String hitsPlanWithoutStatistics;
  /** PostgreSQL: the generic plan of the newest entry of a namespace before any statistics existed. */
  String newestPlanWithoutStatistics;

  abstract StoreKind kind();

  @BeforeAll
  void fill(@TempDir Path dir) {
    var config = kind().config(dir);
    if (kind() == StoreKind.POSTGRES) {
      config = config.toBuilder().databaseUrl(TestDatabases.freshPostgresDatabase()).build();
    }
    sk = Statekeeper.open(config);
    store = sk.store();
    d = store.dialect();
    String json = d == dev.statekeeper.store.Dialect.POSTGRES ? "CAST(? AS jsonb)" : "?";
    String insert =
        "INSERT INTO memory_entries (tenant, namespace, key, current_version, deleted, type, value, text, metadata,"
            + " created_at, updated_at, written_by) VALUES (?, ?, ?, 1, ?, ?, " + json + ", ?, "
            + json + ", ?, ?, 'test')";
    Instant now = Instant.now();
    for (String tenant : List.of("t1", "t2", "t3")) {
      store.write(
          "filling memory for a plan test",
          c -> {
            try (PreparedStatement ps = c.prepareStatement(insert)) {
              for (int i = 0; i < PER_TENANT; i++) {
                boolean deleted = i % 17 == 0;
                SqlArgs.bind(
                    ps, d, tenant, "user:u" + (i % 500) + (i % 3 == 0 ? ":prefs" : ""), "k" + i, deleted ? 1 : 0,
                    i % 4 == 0 ? "episodic" : "semantic", deleted ? null : "{\"i\":" + i + "}",
                    deleted ? null : "note number " + i + " about topic" + (i % 50), "{\"tag\":\"t" + (i % 1000) + "\"}",
                    now, now);
                ps.addBatch();
              }
              ps.executeBatch();
            }
            return null;
          });
      if (d == Dialect.POSTGRES && hitsPlanWithoutStatistics == null) {
        // the first tenant only, no statistics (autovacuum is off on the test machines, as right
        // after a bulk load anywhere): here a generic plan ties the unique key with
        // memory_live_by_type, and a pooled connection that keeps a plan on the latter walks the
        // tenant's whole range of it once the tenant is large
        hitsPlanWithoutStatistics = postgresPlan(MemoryVectors.liveSql(20), hitsArgs(), "force_generic_plan");
        newestPlanWithoutStatistics = postgresPlan(
            MemorySql.of(d).namespace(shape(false, true, false, false, false)), List.of("t1", "user:u7", 1), "force_generic_plan");
      }
    }
    store.write(
        "analyzing",
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(d == Dialect.POSTGRES ? "ANALYZE memory_entries" : "ANALYZE");
          }
          return null;
        });
  }

  @AfterAll
  void close() {
    if (sk != null) sk.close();
  }

  String plan(String sql, Object... args) {
    String explain = (d == Dialect.POSTGRES ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql;
    return store.read(
        "explaining",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(explain)) {
            SqlArgs.bind(ps, d, args);
            List<String> lines = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                lines.add(rs.getString(d == Dialect.POSTGRES ? 1 : 4));
              }
            }
            return String.join("\n", lines);
          }
        });
  }

  void assertIndexedWithoutSort(String plan) {
    if (d == Dialect.POSTGRES) {
      assertThat(plan).contains("Index").doesNotContain("Seq Scan").doesNotContain("Sort");
    } else {
      assertThat(plan).contains("USING INDEX").doesNotContain("SCAN memory_entries").doesNotContain("TEMP B-TREE");
    }
  }

  private MemorySql.Listing shape(boolean byType, boolean desc, boolean startAfter, boolean endBefore, boolean resume) {
    return new MemorySql.Listing(byType, desc, startAfter, endBefore, resume, "");
  }

  @Test
  void listingOneNamespace_readsAnIndexRangeInKeyOrder_eitherWay() {
    MemorySql sql = MemorySql.of(d);
    for (boolean desc : new boolean[] {false, true}) {
      assertIndexedWithoutSort(plan(sql.namespace(shape(false, desc, false, false, false)), "t2", "user:u7", 101));
      assertIndexedWithoutSort(plan(sql.namespace(shape(false, desc, false, false, true)), "t2", "user:u7", "k100", 101));
      assertIndexedWithoutSort(plan(sql.namespace(shape(true, desc, false, false, true)), "t2", "episodic", "user:u7", "k100", 101));
      // the entries before a key (a checkpointer's "before"), and between two keys
      assertIndexedWithoutSort(plan(sql.namespace(shape(false, desc, false, true, false)), "t2", "user:u7", "k900", 11));
      assertIndexedWithoutSort(plan(sql.namespace(shape(false, desc, true, true, true)), "t2", "user:u7", "k1", "k900", "k50", 11));
    }
  }

  /** The newest key of a namespace: a backward read of one index range that stops at the first live row. */
  @Test
  void theNewestEntryOfANamespace_isOneBackwardIndexRange() {
    String plan = plan(MemorySql.of(d).namespace(shape(false, true, false, false, false)), "t2", "user:u7", 2);
    assertIndexedWithoutSort(plan);
    if (d == Dialect.POSTGRES) {
      assertThat(plan).contains("Index Scan Backward").contains("Limit");
      // as a pooled connection may keep it, made before the table had statistics: still the
      // unique key's range, not a walk of the tenant in memory_live_by_type
      assertThat(newestPlanWithoutStatistics).as("generic plan, no statistics")
          .contains("Index Scan Backward using memory_entries_pkey").doesNotContain("memory_live_by_type").doesNotContain("Sort");
    }
  }

  @Test
  void listingASubtree_readsAnIndexRangeInNamespaceKeyOrder_eitherWay() {
    MemorySql sql = MemorySql.of(d);
    for (boolean desc : new boolean[] {false, true}) {
      assertIndexedWithoutSort(plan(sql.range(shape(false, desc, false, false, false), true), "t2", "user:u7:", "user:u7;", 101));
      assertIndexedWithoutSort(plan(sql.range(shape(false, desc, false, false, true), true), "t2", "user:", "user;", "user:u3", "user:u3", "k9", 1001));
      assertIndexedWithoutSort(plan(sql.range(shape(true, desc, false, false, false), true), "t2", "episodic", "user:", "user;", 1001));
      assertIndexedWithoutSort(plan(sql.range(shape(true, desc, false, false, true), false), "t2", "semantic", "user:u3", "user:u3", "k9", 101));
    }
  }

  /**
   * A metadata equality over the whole tenant (a search without a query) is read from the GIN
   * index on PostgreSQL; SQLite has none and reads the tenant's rows (documented in BENCHMARKS).
   */
  @Test
  void aMetadataEqualityFilter_readsTheGinIndexOnPostgres() {
    org.junit.jupiter.api.Assumptions.assumeTrue(d == Dialect.POSTGRES, "SQLite has no JSON index");
    MemorySql sql = MemorySql.of(d);
    List<Object> args = new ArrayList<>(List.of("t2"));
    String conditions = sql.filter(MemoryFilter.parse("{\"metadata\": {\"tag\": \"t7\"}}"), args);
    args.add(10);
    assertThat(plan(sql.browse(conditions), args.toArray())).contains("memory_metadata").doesNotContain("Seq Scan");
  }

  /** A rare word (one entry per tenant); for a word in many rows a scan may rightly be cheaper. */
  @Test
  void keywordSearch_forARareWord_readsTheFullTextIndex() {
    String sql;
    if (d == Dialect.POSTGRES) {
      sql = "SELECT e.key FROM memory_entries e, to_tsquery('english', ?) AS q(query)"
          + " WHERE e.text_tsv @@ q.query AND e.tenant = ? AND e.deleted = 0 ORDER BY ts_rank(e.text_tsv, q.query) DESC LIMIT 10";
      assertThat(plan(sql, "'4242'", "t2")).contains("memory_text_search").doesNotContain("Seq Scan on memory_entries");
    } else {
      sql = "SELECT e.key FROM memory_fts JOIN memory_entries e ON e.id = memory_fts.rowid"
          + " WHERE memory_fts MATCH ? AND e.tenant = ? AND e.deleted = 0 ORDER BY bm25(memory_fts) LIMIT 10";
      assertThat(plan(sql, "\"4242\"", "t2")).contains("VIRTUAL TABLE INDEX").doesNotContain("SCAN e");
    }
  }

  /**
   * Semantic search reads its hits' rows by key: every branch of the statement is a lookup on the
   * unique key, never a walk of the tenant's rows in another index — also as a PostgreSQL generic
   * plan (which a pooled connection keeps once chosen), with and without statistics.
   */
  @Test
  void searchHitsRows_areReadByTheirKey() {
    String sql = MemoryVectors.liveSql(20);
    if (d == Dialect.POSTGRES) {
      assertLookupsByKey(hitsPlanWithoutStatistics, "generic plan, no statistics");
      assertLookupsByKey(postgresPlan(sql, hitsArgs(), "force_generic_plan"), "generic plan");
      assertLookupsByKey(postgresPlan(sql, hitsArgs(), "force_custom_plan"), "custom plan");
    } else {
      String plan = plan(sql, hitsArgs().toArray());
      assertThat(plan).contains("(tenant=? AND namespace=? AND key=?)").doesNotContain("memory_live_by_type")
          .doesNotContain("SCAN memory_entries");
    }
  }

  private static void assertLookupsByKey(String plan, String what) {
    assertThat(plan).as(what).contains("memory_entries_pkey").doesNotContain("memory_live_by_type")
        .doesNotContain("Seq Scan");
    assertThat(plan.split("memory_entries_pkey", -1)).as(what + ": one lookup per hit").hasSize(21);
  }

  private static List<Object> hitsArgs() {
    List<Object> args = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      args.add("t2");
      args.add("user:u" + (i * 7 % 500));
      args.add("k" + (i * 7));
    }
    return args;
  }

  /** {@link PostgresPlans#plan} with parameters typed by their arguments: numbers bigint, the rest varchar. */
  private String postgresPlan(String sql, List<Object> args, String planCacheMode) {
    List<String> types = new ArrayList<>();
    for (Object a : args) types.add(a instanceof Number ? "bigint" : "varchar");
    return PostgresPlans.plan(store, sql, args, String.join(", ", types), planCacheMode);
  }
}
