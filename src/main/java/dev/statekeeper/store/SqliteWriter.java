package dev.statekeeper.store;

import dev.statekeeper.StatekeeperException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of a SQLite store, with group commit. Writers hand their work to one
 * committer thread and wait; the committer runs every work that is waiting in one transaction,
 * each inside its own savepoint (a failing work rolls back only itself), and commits once. With
 * {@code synchronous=FULL} a commit costs an fsync, so grouping turns N fsyncs into one while
 * each caller still returns only after its work is durable.
 *
 * <p>Written here rather than taken from a library: the JDBC drivers do not offer group commit,
 * and the loop is small. A work must not call the store itself (it would wait for its own
 * committer).
 *
 * <p>Concurrency: {@link #queue} hands works from any thread to the committer thread, which
 * alone touches {@link #connection}. Results travel back through each work's future. The figures
 * ({@link #active}, {@link #busyNanos}, {@link #groups}) are written by the committer only and
 * read by any thread (metrics, alerts).
 */
final class SqliteWriter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SqliteWriter.class);
  private static final int MAX_GROUP = 256;

  private record Pending<T>(String doing, SqlWork<T> work, CompletableFuture<T> result) {}

  private final Supplier<Connection> connect;
  private final LongSupplier nanoTime;
  private final LinkedBlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
  private final Thread committer;
  private volatile boolean closed;
  private volatile boolean active; // a group is being run or committed
  private final AtomicLong busyNanos = new AtomicLong(); // time spent on finished groups
  private final AtomicLong groups = new AtomicLong(); // groups finished (committed or not)
  private Connection connection; // committer thread only

  SqliteWriter(Supplier<Connection> connect) {
    this(connect, System::nanoTime);
  }

  SqliteWriter(Supplier<Connection> connect, LongSupplier nanoTime) {
    this.connect = connect;
    this.nanoTime = nanoTime;
    this.committer = Thread.ofPlatform().daemon().name("statekeeper-sqlite-writer").start(this::loop);
  }

  /**
   * What the single writer is doing, as a pool of one connection would say it: busy now or not,
   * works queued for it, and the time it has spent writing (finished groups; a counter, so a
   * rate of it is the share of time the writer is busy).
   */
  record Stats(boolean active, int waiting, long busyNanos, long groups) {}

  Stats stats() {
    return new Stats(active, queue.size(), busyNanos.get(), groups.get());
  }

  /** Runs {@code work} in a write transaction and returns once it is committed. */
  <T> T write(String doing, SqlWork<T> work) {
    if (closed) {
      throw new StatekeeperException.StoreUnavailable("the store is closed (while " + doing + ")", null);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    Pending<T> pending = new Pending<>(doing, work, result);
    queue.add(pending);
    if (closed && queue.remove(pending)) { // closed after the committer's last drain
      throw new StatekeeperException.StoreUnavailable("the store is closed (while " + doing + ")", null);
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return result.get();
        } catch (InterruptedException e) {
          interrupted = true; // the work may already be committing: wait for its outcome
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException r) throw r;
          if (cause instanceof Error err) throw err;
          throw new IllegalStateException("write failed while " + doing, cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void loop() {
    List<Pending<?>> group = new ArrayList<>();
    while (!closed) {
      try {
        Pending<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, MAX_GROUP - 1);
        active = true;
        long started = nanoTime.getAsLong();
        List<Runnable> outcomes;
        try {
          outcomes = runGroup(group);
        } finally {
          // counted before any writer learns its outcome, so a writer that returned is in the figures
          busyNanos.addAndGet(nanoTime.getAsLong() - started);
          groups.incrementAndGet();
          active = false;
        }
        outcomes.forEach(Runnable::run);
      } catch (InterruptedException e) {
        break;
      } catch (Throwable t) {
        log.error("SQLite writer failed outside a transaction; continuing", t);
        fail(group, t);
      } finally {
        group.clear();
      }
    }
    StatekeeperException closing = new StatekeeperException.StoreUnavailable("the store was closed", null);
    List<Pending<?>> rest = new ArrayList<>();
    queue.drainTo(rest);
    fail(rest, closing);
    closeConnection();
  }

  /** Runs and commits one group; returns what tells each writer its outcome, to run after. */
  private List<Runnable> runGroup(List<Pending<?>> group) {
    Connection c;
    try {
      c = connection();
      exec(c, "BEGIN IMMEDIATE");
    } catch (SQLException e) {
      closeConnection();
      RuntimeException failure = SqlErrors.translate(e, "starting a write transaction");
      List<Pending<?>> failed = List.copyOf(group);
      return List.of(() -> fail(failed, failure));
    }
    List<Runnable> onCommit = new ArrayList<>(group.size());
    List<Runnable> onFailure = new ArrayList<>();
    for (Pending<?> p : group) {
      run(c, p, onCommit, onFailure);
    }
    try {
      exec(c, "COMMIT");
    } catch (SQLException e) {
      RuntimeException failure = SqlErrors.translate(e, "committing");
      rollbackQuietly(c);
      List<Pending<?>> failed = List.copyOf(group);
      return List.of(() -> fail(failed, failure));
    }
    List<Runnable> outcomes = new ArrayList<>(onCommit);
    outcomes.addAll(onFailure);
    return outcomes;
  }

  private <T> void run(Connection c, Pending<T> p, List<Runnable> onCommit, List<Runnable> onFailure) {
    try {
      exec(c, "SAVEPOINT work");
    } catch (SQLException e) {
      RuntimeException failure = SqlErrors.translate(e, p.doing());
      onFailure.add(() -> p.result().completeExceptionally(failure));
      return;
    }
    try {
      T value = p.work().run(c);
      exec(c, "RELEASE work");
      onCommit.add(() -> p.result().complete(value));
    } catch (Throwable t) {
      Throwable failure = t instanceof SQLException e ? SqlErrors.translate(e, p.doing()) : t;
      try {
        exec(c, "ROLLBACK TO work");
        exec(c, "RELEASE work");
      } catch (SQLException rollback) {
        failure.addSuppressed(rollback);
      }
      onFailure.add(() -> p.result().completeExceptionally(failure));
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      try {
        connection = connect.get();
      } catch (RuntimeException e) {
        if (e.getCause() instanceof SQLException s) throw s;
        throw e;
      }
    }
    return connection;
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private void rollbackQuietly(Connection c) {
    try {
      exec(c, "ROLLBACK");
    } catch (SQLException e) {
      closeConnection(); // a fresh connection starts clean
    }
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // nothing more to do
      }
      connection = null;
    }
  }

  private static void fail(List<Pending<?>> group, Throwable t) {
    for (Pending<?> p : group) {
      p.result().completeExceptionally(t);
    }
  }

  @Override
  public void close() {
    closed = true;
    committer.interrupt();
    try {
      committer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
