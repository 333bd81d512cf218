package dev.statekeeper.tasks;

import dev.statekeeper.Authorizer;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs the counting statements of {@link TaskSql}: a tenant's stats and the census over every tenant. */
final class TaskCounts {

  private final Store store;
  private final Dialect d;
  private final TaskSql sql;

  TaskCounts(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.sql = TaskSql.of(d);
  }

  /** Of one queue when {@code queue} is given, else of the queues the caller may read. */
  TaskStats stats(String tenant, String queue, Authorizer.Readable readableQueues) {
    boolean everyQueue = queue != null || readableQueues.all();
    Object[] args = {
      tenant, queue, queue, everyQueue, SqlArgs.list(everyQueue ? List.of() : readableQueues.names())
    };
    return store.read(
        "computing task stats",
        c -> {
          Map<String, Long> counts = zeroCounts();
          Map<String, Map<String, Long>> byPriority = new LinkedHashMap<>();
          Map<String, Double> oldest = new LinkedHashMap<>();
          for (Priority p : Priority.values()) {
            byPriority.put(p.name(), zeroCounts());
            oldest.put(p.name(), null);
          }
          try (PreparedStatement ps = c.prepareStatement(sql.statsCounts())) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String status = rs.getString(1);
                long n = rs.getLong(3);
                counts.merge(status, n, Long::sum);
                byPriority.get(Priority.ofRank(rs.getInt(2)).name()).merge(status, n, Long::sum);
              }
            }
          }
          // Waiting time of runnable work: from when a pending task became runnable.
          try (PreparedStatement ps = c.prepareStatement(sql.statsOldest())) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                oldest.put(Priority.ofRank(rs.getInt(1)).name(), Math.max(0, rs.getDouble(2)));
              }
            }
          }
          Map<String, Long> sla = new LinkedHashMap<>();
          sla.put("pending", 0L);
          sla.put("met", 0L);
          sla.put("violated", 0L);
          try (PreparedStatement ps = c.prepareStatement(sql.statsSla())) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                sla.put(rs.getString(1), rs.getLong(2));
              }
            }
          }
          return new TaskStats(counts, byPriority, oldest, sla);
        });
  }

  /** Counts over every tenant (see {@link TaskCensus}); scans the table. */
  TaskCensus census() {
    return store.read(
        "taking the task census",
        c -> {
          Map<Priority, Map<TaskStatus, Long>> tasks = new EnumMap<>(Priority.class);
          Map<Priority, Map<SlaStatus, Long>> sla = new EnumMap<>(Priority.class);
          Map<Priority, Map<SlaStatus, Long>> slaRecent = new EnumMap<>(Priority.class);
          Map<Priority, Double> oldest = new EnumMap<>(Priority.class);
          for (Priority p : Priority.values()) {
            Map<TaskStatus, Long> byStatus = new EnumMap<>(TaskStatus.class);
            for (TaskStatus s : TaskStatus.values()) byStatus.put(s, 0L);
            tasks.put(p, byStatus);
            Map<SlaStatus, Long> outcomes = new EnumMap<>(SlaStatus.class);
            Map<SlaStatus, Long> recentOutcomes = new EnumMap<>(SlaStatus.class);
            for (SlaStatus s : SlaStatus.values()) {
              outcomes.put(s, 0L);
              recentOutcomes.put(s, 0L);
            }
            sla.put(p, outcomes);
            slaRecent.put(p, recentOutcomes);
          }
          try (PreparedStatement ps = c.prepareStatement(sql.censusCounts())) {
            ps.setLong(1, -TaskCensus.RECENT.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                Priority p = Priority.ofRank(rs.getInt(1));
                TaskStatus status = TaskStatus.fromWire(rs.getString(2));
                SlaStatus outcome = SlaStatus.fromWire(rs.getString(3));
                boolean recent = rs.getInt(4) == 1;
                long n = rs.getLong(5);
                tasks.get(p).merge(status, n, Long::sum);
                sla.get(p).merge(outcome, n, Long::sum);
                if (recent) {
                  slaRecent.get(p).merge(outcome, n, Long::sum);
                }
              }
            }
          }
          try (PreparedStatement ps = c.prepareStatement(sql.censusOldest());
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              oldest.put(Priority.ofRank(rs.getInt(1)), Math.max(0, rs.getDouble(2)));
            }
          }
          return new TaskCensus(tasks, sla, slaRecent, oldest, java.time.Instant.now());
        });
  }

  private static Map<String, Long> zeroCounts() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (TaskStatus s : TaskStatus.values()) {
      m.put(s.wireName(), 0L);
    }
    return m;
  }
}
