package dev.statekeeper.tasks;

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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claims, the reaper and listings read the partial indexes made for them, never every task: the
 * plans of the exact statements of {@link TaskSql} over 60,000 tasks in three tenants and ten
 * queues, nineteen in twenty of them finished (analyzed). On PostgreSQL also as the generic plan a
 * pooled connection keeps once it has chosen one. A store of its own (a fresh PostgreSQL
 * database), so the statistics are this test's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TaskQueryPlanContract {

  static final int PER_TENANT = 20_000;

  Statekeeper sk;
  Store store;
  Dialect d;
  TaskSql sql;

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
    sql = TaskSql.of(d);
    String insert =
        "INSERT INTO tasks (tenant, id, queue, type, payload, priority, status, attempt, max_attempts, version,"
            + " created_at, updated_at, run_after, claimed_by, lease_expires_at, deadline, sla_status) VALUES"
            + " (?, ?, ?, 'work', " + (d == Dialect.POSTGRES ? "CAST(? AS jsonb)" : "?")
            + ", ?, ?, ?, 3, 1, ?, ?, ?, ?, ?, ?, ?)";
    Instant now = Instant.now();
    for (String tenant : List.of("t1", "t2", "t3")) {
      store.write(
          "filling tasks for a plan test",
          c -> {
            try (PreparedStatement ps = c.prepareStatement(insert)) {
              for (int i = 0; i < PER_TENANT; i++) {
                // 1 in 20 pending, 1 in 100 claimed, the rest completed; 1 in 50 with a deadline
                String status = i % 20 == 0 ? "pending" : i % 100 == 1 ? "claimed" : "completed";
                boolean deadline = i % 50 == 0;
                Instant at = now.minusSeconds(PER_TENANT - i);
                SqlArgs.bind(
                    ps, d, tenant, String.format("%08d-0000-7000-8000-000000000000", i), "q" + (i % 10), "{}", i % 4,
                    status, status.equals("pending") ? 0 : 1, at, at, at, status.equals("pending") ? null : "w",
                    SqlArgs.time(status.equals("claimed") ? now.plusSeconds(60) : null),
                    SqlArgs.time(deadline ? now.plusSeconds(3600) : null),
                    !deadline ? "none" : status.equals("completed") ? "met" : "pending");
                ps.addBatch();
              }
              ps.executeBatch();
            }
            return null;
          });
    }
    store.write(
        "analyzing",
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(d == Dialect.POSTGRES ? "ANALYZE tasks" : "ANALYZE");
          }
          return null;
        });
  }

  @AfterAll
  void close() {
    if (sk != null) sk.close();
  }

  // ---------------------------------------------------------------- claims

  /** From one queue: the pick walks {@code tasks_claimable} in claim order and stops at the limit — no sort. */
  @Test
  void claimFromOneQueue_readsTasksClaimableInClaimOrder() {
    List<Object> args = Arrays.asList("w", "user:x", 60_000L, "t2", "q3", true, SqlArgs.list(List.of()), 10, "user:x/w", null);
    String types = "text, text, bigint, text, text, boolean, text[], integer, text, text";
    for (String plan : plans(sql.claimFromOneQueue(), args, types)) {
      assertPicksWith(plan, "tasks_claimable");
      assertNoSort(plan);
    }
    List<Object> typed = Arrays.asList("w", "user:x", 60_000L, "t2", "q3", false, SqlArgs.list(List.of("work")), 10, "user:x/w", null);
    for (String plan : plans(sql.claimFromOneQueue(), typed, types)) {
      assertPicksWith(plan, "tasks_claimable");
      assertNoSort(plan);
    }
  }

  /** From several queues: each queue's range of {@code tasks_claimable}, then a sort of the pending rows found. */
  @Test
  void claimFromQueues_readsTasksClaimable() {
    List<Object> args =
        Arrays.asList("w", "user:x", 60_000L, "t2", SqlArgs.list(List.of("q3", "q4")), true, SqlArgs.list(List.of()), 10, "user:x/w", null);
    for (String plan : plans(sql.claimFromQueues(), args, "text, text, bigint, text, text[], boolean, text[], integer, text, text")) {
      assertPicksWith(plan, "tasks_claimable");
    }
  }

  // ---------------------------------------------------------------- background work and listings

  @Test
  void reapingAndSettling_readTheirPartialIndexes() {
    List<Object> args = Arrays.asList(100, "system:lease-reaper", null);
    for (String plan : plans(sql.reapExpiredLeases(), args, "integer, text, text")) {
      assertPicksWith(plan, "tasks_leases");
    }
    for (String plan : plans(sql.settleMissedDeadlines(), args, "integer, text, text")) {
      assertPicksWith(plan, "tasks_sla_unsettled");
    }
  }

  /** A page of a listing is a range of the primary key in id order; with filters, never a scan of every task. */
  @Test
  void listing_readsThePrimaryKeyInIdOrder() {
    String types = "text, text, boolean, text[], text[], text, text, text, text, integer, integer, integer";
    List<Object> firstPage = Arrays.asList("t2", "", true, SqlArgs.list(List.of()), SqlArgs.list(List.of()), null, null, null, null,
        SqlArgs.nullOf(java.sql.Types.INTEGER), SqlArgs.nullOf(java.sql.Types.INTEGER), 51);
    List<Object> filtered = Arrays.asList("t2", "00010000-0000-7000-8000-000000000000", false, SqlArgs.list(List.of("q1", "q2")),
        SqlArgs.list(List.of("00000001-0000-7000-8000-000000000000")), "q1", "q1", "pending", "pending", 2, 2, 51);
    for (String plan : plans(sql.list(), firstPage, types)) {
      assertThat(plan).contains(d == Dialect.POSTGRES ? "tasks_pkey" : "sqlite_autoindex_tasks_1");
      assertNoSort(plan);
      assertNoFullScan(plan);
    }
    // filters this selective may rightly make a plan that sorts the few rows they leave
    for (String plan : plans(sql.list(), filtered, types)) {
      assertNoFullScan(plan);
    }
  }

  // ---------------------------------------------------------------- helpers

  private void assertPicksWith(String plan, String index) {
    assertThat(plan).contains(index);
    assertNoFullScan(plan);
  }

  private void assertNoFullScan(String plan) {
    if (d == Dialect.POSTGRES) {
      assertThat(plan).doesNotContain("Seq Scan");
    } else {
      assertThat(plan.lines().map(String::strip).toList()).doesNotContain("SCAN tasks");
    }
  }

  private void assertNoSort(String plan) {
    assertThat(plan).doesNotContain(d == Dialect.POSTGRES ? "Sort" : "TEMP B-TREE");
  }

  /**
   * The plans the store makes for {@code statement} with {@code args}: on SQLite its one plan; on
   * PostgreSQL the custom plan (with the values) and the generic one a pooled connection may keep
   * for every later execution, from a prepared statement of parameter types {@code types}.
   */
  private List<String> plans(String statement, List<Object> args, String types) {
    if (d == Dialect.SQLITE) {
      String plan = store.read("explaining", c -> {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + statement)) {
          // SQLite's changes have no event parameters (its events are a second statement)
          SqlArgs.bind(ps, d, args.subList(0, ps.getParameterMetaData().getParameterCount()));
          List<String> lines = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) lines.add(rs.getString(4));
          }
          return String.join("\n", lines);
        }
      });
      return List.of(plan);
    }
    return List.of(PostgresPlans.plan(store, statement, args, types, "force_custom_plan"),
        PostgresPlans.plan(store, statement, args, types, "force_generic_plan"));
  }

}
