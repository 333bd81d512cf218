package dev.statekeeper.memory;

import dev.statekeeper.jobs.Job;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The background job that applies the {@code memory-retention} rules every {@code
 * retention-interval}: for each rule it walks the versions under its prefix in key order, finds
 * up to {@link #BATCH} that the rule removes (on a read connection, so writers never wait for the
 * search) and deletes them in one short write that checks again that none is current. Several
 * nodes may run it together: a version removed twice is simply gone.
 *
 * <p>The SQL is here rather than in {@link MemoryRepository}: nothing else uses it.
 *
 * <p>Concurrency: the job's passes never overlap (a pass requested by {@code
 * Memory.runRetentionNow} waits for one in flight); the counter is an atomic.
 */
final class VersionRetention {

  static final int BATCH = 500;

  /** The primary key of one version. */
  record VersionKey(String tenant, String namespace, String key, long version) {}

  private final Store store;
  private final Dialect d;
  private final List<RetentionRule> rules;
  private final Job job;
  private final AtomicLong removed = new AtomicLong();

  VersionRetention(Store store, List<RetentionRule> rules, Duration interval) {
    this.store = store;
    this.d = store.dialect();
    this.rules = List.copyOf(rules);
    this.job = Job.every("memory_retention", interval, this::pass).describedAs("memory retention");
  }

  /** The job, unless there are no rules (then history is kept whole and nothing runs). */
  java.util.Optional<Job> job() {
    return rules.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(job);
  }

  /** One full pass now, on the calling thread. */
  void runNow() {
    job.runNow();
  }

  /** One full pass over every rule; throws when the store fails (the job counts and logs it). */
  private boolean pass() {
    {
      for (RetentionRule rule : rules) {
        VersionKey after = null;
        while (true) {
          List<VersionKey> batch = retentionCandidates(rule, rules, after, BATCH);
          removed.addAndGet(removeVersions(batch));
          if (batch.size() < BATCH) {
            break;
          }
          after = batch.get(batch.size() - 1);
        }
      }
    }
    return false;
  }

  /**
   * Up to {@code limit} versions that {@code rule} removes, in key order after {@code after}
   * (null: from the start). Namespaces that a more specific rule covers are left to that rule;
   * the current version of an entry is never a candidate.
   */
  List<VersionKey> retentionCandidates(RetentionRule rule, List<RetentionRule> all, VersionKey after, int limit) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT v.tenant, v.namespace, v.key, v.version FROM memory_versions v JOIN memory_entries e"
                + " ON e.tenant = v.tenant AND e.namespace = v.namespace AND e.key = v.key"
                + " WHERE v.version < e.current_version");
    List<Object> args = new ArrayList<>();
    if (after != null) {
      sql.append(" AND (v.tenant, v.namespace, v.key, v.version) > (?, ?, ?, ?)");
      args.addAll(List.of(after.tenant(), after.namespace(), after.key(), after.version()));
    }
    if (!rule.prefix().equals(RetentionRule.EVERYWHERE)) {
      sql.append(" AND ").append(MemoryRepository.subtree("v.namespace", rule.prefix(), args));
    }
    for (RetentionRule other : all) {
      boolean moreSpecific =
          !other.prefix().equals(RetentionRule.EVERYWHERE)
              && !other.prefix().equals(rule.prefix())
              && rule.covers(other.prefix());
      if (moreSpecific) {
        sql.append(" AND NOT ").append(MemoryRepository.subtree("v.namespace", other.prefix(), args));
      }
    }
    if (rule.keepVersions() != null) {
      sql.append(" AND v.version <= e.current_version - ?");
      args.add((long) rule.keepVersions());
    }
    if (rule.maxAge() != null) {
      sql.append(" AND v.updated_at < ").append("sk_now_plus(?)");
      args.add(-rule.maxAge().toMillis());
    }
    sql.append(" ORDER BY v.tenant, v.namespace, v.key, v.version LIMIT ?");
    args.add(limit);
    return store.read(
        "finding memory versions to remove",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              List<VersionKey> out = new ArrayList<>();
              while (rs.next()) {
                out.add(new VersionKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
              }
              return out;
            }
          }
        });
  }

  /** Removes these versions, each only while it is still not its entry's current one. */
  int removeVersions(List<VersionKey> versions) {
    if (versions.isEmpty()) {
      return 0;
    }
    String dml =
        "DELETE FROM memory_versions WHERE tenant = ? AND namespace = ? AND key = ? AND version = ?"
            + " AND version < (SELECT e.current_version FROM memory_entries e WHERE e.tenant = memory_versions.tenant"
            + " AND e.namespace = memory_versions.namespace AND e.key = memory_versions.key)";
    return store.write(
        "removing old memory versions",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(dml)) {
            for (VersionKey v : versions) {
              SqlArgs.bind(ps, d, v.tenant(), v.namespace(), v.key(), v.version());
              ps.addBatch();
            }
            int removed = 0;
            for (int n : ps.executeBatch()) {
              removed += Math.max(0, n);
            }
            return removed;
          }
        });
  }

  Instant lastRun() {
    return job.lastRun();
  }

  long removed() {
    return removed.get();
  }

  long failures() {
    return job.failures();
  }
}
