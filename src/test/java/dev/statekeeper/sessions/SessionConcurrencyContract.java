package dev.statekeeper.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.support.EmbeddedSuite;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What users of event logs fear, run on each store: many appenders on one session, and every
 * event gets its own sequence number, with no gap, no repeat and no event lost.
 */
abstract class SessionConcurrencyContract extends EmbeddedSuite {

  static final int APPENDERS = 50;
  static final int APPENDS_EACH = 40;

  Sessions sessions;

  abstract StoreKind kind();

  @BeforeAll
  void openStatekeeper(@TempDir Path dir) {
    // Fifty appenders queue on one session's row with 24 pooled connections; on a loaded machine a
    // turn can take longer than the default 2 s wait for a connection. What is tested here is the
    // numbering, not the pool's capacity, so the wait is long.
    sessions = open(kind().config(dir).toBuilder()
        .set(dev.statekeeper.store.StoreSettings.CONNECTION_TIMEOUT, java.time.Duration.ofSeconds(30)).build()).sessions();
  }

  @Test
  void fiftyConcurrentAppenders_getUniqueGapFreeSequenceNumbers_andNoEventIsLost() throws Exception {
    Caller me = new Caller("c-" + UUID.randomUUID(), "agent:load", Role.AGENT);
    String id = sessions.create(me, NewSession.create()).id();
    Map<Long, String> owner = new ConcurrentHashMap<>(); // seq -> "appender/n" it was given to
    AtomicInteger repeats = new AtomicInteger();
    AtomicInteger appended = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);

    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int a = 0; a < APPENDERS; a++) {
        int appender = a;
        fs.add(pool.submit(() -> {
          start.await();
          int n = 0;
          long lastSeq = 0;
          for (int i = 0; i < APPENDS_EACH; i++) {
            int size = ThreadLocalRandom.current().nextInt(3) == 0 ? 1 + ThreadLocalRandom.current().nextInt(5) : 1;
            List<NewEvent> batch = new ArrayList<>();
            for (int j = 0; j < size; j++, n++) {
              ObjectNode data = JSON.createObjectNode().put("appender", appender).put("n", n);
              batch.add(NewEvent.of("e", data));
            }
            List<SessionEvent> got = size == 1 && i % 2 == 0
                ? List.of(sessions.append(me, id, batch.get(0)))
                : sessions.append(me, id, batch);
            assertThat(got).hasSize(size);
            for (int j = 0; j < got.size(); j++) {
              SessionEvent e = got.get(j);
              assertThat(e.seq()).isGreaterThan(lastSeq); // an appender's own events stay in its order
              if (j > 0) {
                assertThat(e.seq()).isEqualTo(got.get(j - 1).seq() + 1); // a batch is consecutive
              }
              lastSeq = e.seq();
              if (owner.putIfAbsent(e.seq(), appender + "/" + e.data().get("n").asInt()) != null) {
                repeats.incrementAndGet();
              }
            }
            appended.addAndGet(size);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : fs) f.get(5, TimeUnit.MINUTES);
    }

    int total = appended.get();
    assertThat(repeats).hasValue(0);
    assertThat(owner.keySet()).containsExactlyInAnyOrderElementsOf(
        java.util.stream.LongStream.rangeClosed(1, total).boxed().toList());
    assertThat(sessions.get(me, id).eventCount()).isEqualTo(total);
    // the stored log agrees with what each appender was told, event by event
    Map<Long, String> stored = new HashMap<>();
    Long after = null;
    while (true) {
      EventPage page = sessions.events(me, id, after, 1000);
      for (SessionEvent e : page.items()) {
        stored.put(e.seq(), e.data().get("appender").asInt() + "/" + e.data().get("n").asInt());
      }
      if (page.nextAfterSeq() == null) break;
      after = page.nextAfterSeq();
    }
    assertThat(stored).isEqualTo(owner);
  }
}
