package dev.statekeeper.memory;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background job that applies the {@code memory-retention} rules every {@code
 * retention-interval}: for each rule it walks the versions under its prefix in key order, finds
 * up to {@link #BATCH} that the rule removes (on a read connection, so writers never wait for the
 * search) and deletes them in one short write that checks again that none is current. Several
 * nodes may run it together: a version removed twice is simply gone.
 *
 * <p>The SQL is here rather than in {@link MemoryRepository}: nothing else uses it.
 *
 * <p>Concurrency: one scheduler thread runs {@link #runOnce}; {@link #pass} keeps a pass
 * requested by {@code Memory.runRetentionNow} from overlapping a scheduled one. Counters are
 * atomics and {@link #lastRun} is volatile, read by status calls.
 */
final class VersionRetention implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(VersionRetention.class);
  static final int BATCH = 500;

  /** The primary key of one version. */
  record VersionKey(String tenant, String namespace, String key, long version) {}

  private final Store store;
  private final Dialect d;
  private final List<RetentionRule> rules;
  private final Duration interval;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final ReentrantLock pass = new ReentrantLock();
  private final AtomicLong removed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile Instant lastRun;

  VersionRetention(Store store, List<RetentionRule> rules, Duration interval, InstantSource clock) {
    this.store = store;
    this.d = store.dialect();
    this.rules = List.copyOf(rules);
    this.interval = interval;
    this.clock = clock;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("statekeeper-memory-retention").factory());
  }

  /** Schedules the job, unless there are no rules (then history is kept whole and nothing runs). */
  void start() {
    if (!rules.isEmpty()) {
      scheduler.scheduleWithFixedDelay(
          this::runOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** One full pass over every rule; never throws (failures are logged and counted). */
  void runOnce() {
    pass.lock();
    try {
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
      lastRun = clock.instant();
    } catch (Throwable t) {
      failures.incrementAndGet();
      log.warn("memory retention pass failed; will try again in {}: {}", interval, t.toString());
    } finally {
      pass.unlock();
    }
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
      sql.append(" AND v.updated_at < ").append(d.nowPlusMillis("?"));
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
    return lastRun;
  }

  long removed() {
    return removed.get();
  }

  long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
