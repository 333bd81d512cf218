package dev.statekeeper.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.support.EmbeddedSuite;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What users of a shared memory fear, run on each store: many writers on one key, and no update
 * is lost silently — with {@code If-Match} each version is won by exactly one writer and the
 * others are told (412); without it, every write still becomes a version of its own.
 */
abstract class MemoryConcurrencyContract extends EmbeddedSuite {

  static final int WRITERS = 50;
  static final int WINS_EACH = 20;

  Memory memory;

  abstract StoreKind kind();

  @BeforeAll
  void openStatekeeper(@TempDir Path dir) {
    // 50 writers queue on one row lock behind a pool of 24: the default 2s wait for a connection
    // sheds load in production (503), but on a busy CI machine this queue can outlast it, and
    // this test is about compare-and-set, not load shedding.
    memory = open(kind().config(dir).toBuilder().set(dev.statekeeper.store.StoreSettings.CONNECTION_TIMEOUT, Duration.ofSeconds(20)).build()).memory();
  }

  interface Writer {
    void run(int writer) throws Exception;
  }

  static void runWriters(Writer body) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        fs.add(pool.submit(() -> {
          start.await();
          body.run(writer);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : fs) f.get(5, TimeUnit.MINUTES);
    }
  }

  List<MemoryEntry> fullHistory(Caller me, String ns, String key) {
    List<MemoryEntry> out = new ArrayList<>();
    String cursor = null;
    do {
      MemoryPage page = memory.history(me, ns, key, 1000, cursor);
      out.addAll(page.items());
      cursor = page.nextCursor();
    } while (cursor != null);
    return out;
  }

  @Test
  void fiftyWritersWithIfMatch_eachVersionIsWonByExactlyOneWriter_andLosersGet412() throws Exception {
    Caller me = new Caller("c-" + UUID.randomUUID(), "agent:load", Role.ADMIN);
    memory.put(me, "shared:counter", "k", MemoryWrite.of(JSON.valueToTree("start")), Precondition.ABSENT);
    Map<Long, String> winners = new ConcurrentHashMap<>(); // version -> the value its winner wrote
    AtomicInteger doubleWins = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();

    runWriters(writer -> {
      int won = 0;
      int attempt = 0;
      while (won < WINS_EACH) {
        long seen = memory.get(me, "shared:counter", "k").version();
        String value = writer + "/" + attempt++;
        try {
          MemoryEntry e =
              memory.put(me, "shared:counter", "k", MemoryWrite.of(JSON.valueToTree(value)), Precondition.ifVersion(seen)).entry();
          assertThat(e.version()).isEqualTo(seen + 1);
          if (winners.putIfAbsent(e.version(), value) != null) {
            doubleWins.incrementAndGet();
          }
          won++;
        } catch (StatekeeperException.PreconditionFailed lost) {
          assertThat(lost.currentVersion()).isGreaterThan(seen);
          refused.incrementAndGet();
        }
      }
    });

    long last = 1 + (long) WRITERS * WINS_EACH;
    assertThat(doubleWins).hasValue(0);
    assertThat(winners.keySet()).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(2, last).boxed().toList());
    assertThat(refused.get()).as("writers that lost a race were told so").isPositive();
    List<MemoryEntry> history = fullHistory(me, "shared:counter", "k");
    assertThat(history).extracting(MemoryEntry::version).isEqualTo(LongStream.rangeClosed(1, last).boxed().toList());
    for (MemoryEntry e : history.subList(1, history.size())) {
      assertThat(e.value().asText()).as("version %d", e.version()).isEqualTo(winners.get(e.version()));
    }
    assertThat(memory.get(me, "shared:counter", "k").version()).isEqualTo(last);
  }

  @Test
  void fiftyWritersWithoutPreconditions_eachWriteBecomesAVersionOfItsOwn() throws Exception {
    Caller me = new Caller("c-" + UUID.randomUUID(), "agent:load", Role.ADMIN);
    Map<Long, String> written = new ConcurrentHashMap<>();
    AtomicInteger repeats = new AtomicInteger();
    AtomicInteger creates = new AtomicInteger();

    runWriters(writer -> {
      for (int i = 0; i < WINS_EACH; i++) {
        String value = writer + "/" + i;
        PutResult r = memory.put(me, "shared:blind", "k", MemoryWrite.of(JSON.valueToTree(value)), Precondition.NONE);
        if (r.created()) creates.incrementAndGet();
        if (written.putIfAbsent(r.entry().version(), value) != null) repeats.incrementAndGet();
      }
    });

    long total = (long) WRITERS * WINS_EACH;
    assertThat(repeats).hasValue(0);
    assertThat(creates).as("exactly one write created the entry").hasValue(1);
    List<MemoryEntry> history = fullHistory(me, "shared:blind", "k");
    assertThat(history).extracting(MemoryEntry::version).isEqualTo(LongStream.rangeClosed(1, total).boxed().toList());
    for (MemoryEntry e : history) {
      assertThat(e.value().asText()).isEqualTo(written.get(e.version()));
    }
  }
}
