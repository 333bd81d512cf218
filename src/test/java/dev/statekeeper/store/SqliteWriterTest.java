package dev.statekeeper.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit on SQLite: many writers share commits, yet each sees only its own outcome. */
class SqliteWriterTest {

  @Test
  void concurrentWrites_thatFail_rollBackOnlyThemselves(@TempDir Path dir) throws Exception {
    try (Store store = Store.open(StatekeeperConfig.builder().dataDir(dir).build())) {
      store.write("setup", c -> {
        try (Statement s = c.createStatement()) {
          s.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)");
        }
        return null;
      });
      ConcurrentHashMap<Integer, String> outcome = new ConcurrentHashMap<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
          int x = i;
          fs.add(pool.submit(() -> {
            try {
              store.write("insert " + x, c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (x) VALUES (?)")) {
                  ps.setInt(1, x);
                  ps.executeUpdate();
                }
                if (x % 2 == 1) {
                  throw new StatekeeperException.Conflict("odd", "odd " + x);
                }
                if (x % 10 == 4) { // a duplicate key: an SQL failure, translated
                  try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (x) VALUES (?)")) {
                    ps.setInt(1, x);
                    ps.executeUpdate();
                  }
                }
                return x;
              });
              outcome.put(x, "ok");
            } catch (StatekeeperException.Conflict e) {
              outcome.put(x, "conflict");
            } catch (IllegalStateException e) {
              outcome.put(x, "sql");
            }
            return null;
          }));
        }
        for (Future<?> f : fs) f.get();
      }
      List<Integer> stored = store.read("reading", c -> {
        List<Integer> xs = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT x FROM t ORDER BY x")) {
          while (rs.next()) xs.add(rs.getInt(1));
        }
        return xs;
      });
      for (int x = 0; x < 500; x++) {
        String expected = x % 2 == 1 ? "conflict" : x % 10 == 4 ? "sql" : "ok";
        assertThat(outcome.get(x)).as("outcome of %d", x).isEqualTo(expected);
        assertThat(stored.contains(x)).as("row %d stored", x).isEqualTo(expected.equals("ok"));
      }
    }
  }

  @Test
  void aWriteAfterClose_failsAsUnavailable(@TempDir Path dir) {
    Store store = Store.open(StatekeeperConfig.builder().dataDir(dir).build());
    store.close();
    assertThatThrownBy(() -> store.write("late", c -> null)).isInstanceOf(StatekeeperException.StoreUnavailable.class);
  }

  @Test
  void aSecondProcessOnTheSameDataDirectory_isRefusedWithAMessage(@TempDir Path dir) {
    try (Store first = Store.open(StatekeeperConfig.builder().dataDir(dir).build())) {
      assertThatThrownBy(() -> Store.open(StatekeeperConfig.builder().dataDir(dir).build()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("another Statekeeper process (or instance in this process) is using");
    }
  }

  @Test
  void stats_sayWhetherTheWriterIsBusy_howManyWritesWait_andHowLongItWrote(@TempDir Path dir) throws Exception {
    AtomicLong nanos = new AtomicLong(); // the writer's clock, moved only by the test
    Supplier<java.sql.Connection> connect = () -> {
      try {
        return java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"));
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    };
    try (SqliteWriter writer = new SqliteWriter(connect, nanos::get)) {
      assertThat(writer.stats()).isEqualTo(new SqliteWriter.Stats(false, 0, 0, 0));
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<?> held = pool.submit(() -> writer.write("held", c -> {
          inside.countDown();
          awaitQuietly(release);
          nanos.addAndGet(2_000_000_000L); // two seconds of writing
          return null;
        }));
        inside.await();
        Future<?> queued = pool.submit(() -> writer.write("queued", c -> null));
        await().until(() -> writer.stats().waiting() == 1);

        assertThat(writer.stats().active()).isTrue();
        assertThat(writer.stats().busyNanos()).as("a group in progress is counted when it ends").isZero();

        release.countDown();
        held.get();
        queued.get();
      }
      assertThat(writer.stats()).isEqualTo(new SqliteWriter.Stats(false, 0, 2_000_000_000L, 2));
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void writerStats_areEmptyOnAReadOnlyStore_andCountTheWritesOfAWritableOne(@TempDir Path dir) {
    StatekeeperConfig config = StatekeeperConfig.builder().dataDir(dir).build();
    try (Store store = Store.open(config)) {
      long before = store.writerStats().orElseThrow().groups();
      store.write("one", c -> null);
      assertThat(store.writerStats().orElseThrow().groups()).isEqualTo(before + 1);
      try (Store reader = Store.openReadOnly(config)) {
        assertThat(reader.writerStats()).isEmpty();
      }
    }
  }
}
