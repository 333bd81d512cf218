package dev.statekeeper.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.ops.Health;
import dev.statekeeper.search.Embedder;
import dev.statekeeper.search.Vectors;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding worker when the embedder fails: writes and keyword search go on, the outbox
 * keeps the work, {@code /health} turns DEGRADED, and once the embedder is back everything is
 * embedded and the check is UP again. Uses a stand-in embedder (hashed words) to stay quick.
 */
abstract class EmbeddingWorkerContract {

  abstract StoreKind kind();

  /** Words hashed into 384 buckets: texts sharing words are similar. Fails while {@code down}. */
  static final class HashedWords implements Embedder {
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger calls = new AtomicInteger();
    final java.util.Queue<String> texts = new java.util.concurrent.ConcurrentLinkedQueue<>();
    final int dims;
    /** When set, a call counts {@code entered} down and waits for {@code gate} before embedding. */
    volatile java.util.concurrent.CountDownLatch gate;
    final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);

    HashedWords() {
      this(384);
    }

    HashedWords(int dims) {
      this.dims = dims;
    }

    @Override
    public String model() {
      return "hashed-words-" + dims;
    }

    @Override
    public int dimensions() {
      return dims;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
      calls.incrementAndGet();
      this.texts.addAll(texts);
      java.util.concurrent.CountDownLatch g = gate;
      if (g != null) {
        entered.countDown();
        try {
          g.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      if (down.get()) {
        throw new IllegalStateException("embedding provider unreachable (stand-in)");
      }
      List<float[]> out = new ArrayList<>();
      for (String t : texts) {
        float[] v = new float[dims];
        for (String w : t.toLowerCase(Locale.ROOT).split("\\W+")) {
          if (!w.isEmpty()) v[Math.floorMod(w.hashCode(), dims)] += 1;
        }
        out.add(Vectors.normalised(v));
      }
      return out;
    }
  }

  @Test
  void whenTheEmbedderFails_writesGoOn_healthTurnsDegraded_andTheBacklogIsEmbeddedOnceItIsBack(@TempDir Path dir) {
    HashedWords embedder = new HashedWords();
    embedder.down.set(true);
    try (Statekeeper sk = Statekeeper.open(kind().config(dir), embedder)) {
      Memory memory = sk.memory();
      Caller me = new Caller("w-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
      memory.put(me, "notes", "a", MemoryWrite.of(IntNode.valueOf(1)).withText("orange juice every morning"), Precondition.NONE);

      assertThat(memory.search(me, SearchRequest.keyword("orange"))).extracting(SearchHit::key).containsExactly("a");
      assertThat(memory.search(me, new SearchRequest("orange juice", null, null, "hybrid", null)))
          .extracting(SearchHit::key).containsExactly("a");
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sk.health().check().checks().get("embeddings").status() == Health.Status.DEGRADED);
      Health degraded = sk.health().check().checks().get("embeddings");
      assertThat((Long) degraded.details().get("backlog")).isGreaterThanOrEqualTo(1); // (the database may be shared)
      assertThat(degraded.details()).containsKey("reason");
      assertThat((String) degraded.details().get("reason")).contains("unreachable");
      assertThat(sk.meterRegistry().get("statekeeper.background.failures").tag("loop", "embeddings").functionCounter().count())
          .isGreaterThanOrEqualTo(3);
      // the query itself cannot be embedded either: semantic says so (503), hybrid answered by keyword above
      assertThatThrownBy(() -> memory.search(me, new SearchRequest("orange juice", null, null, "semantic", null)))
          .isInstanceOf(StatekeeperException.StoreUnavailable.class)
          .hasMessageContaining("semantic search is unavailable");

      embedder.down.set(false);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> memory.search(me, new SearchRequest("orange juice", null, null, "semantic", null)).size() == 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> memory.embeddingStatus().backlog() == 0);
      Health up = sk.health().check().checks().get("embeddings");
      assertThat(up.status()).isEqualTo(Health.Status.UP);
      assertThat(up.details()).containsEntry("backlog", 0L).containsEntry("failures_in_a_row", 0);
      assertThat(sk.meterRegistry().get("statekeeper.memory.embedded").functionCounter().count()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void anotherModel_reEmbedsEverythingInTheBackground_andOldVectorsNeverMixIn(@TempDir Path dir) {
    Caller me = new Caller("w-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
    var config = kind().config(dir);
    try (Statekeeper sk = Statekeeper.open(config, new HashedWords(384))) {
      sk.memory().put(me, "notes", "a", MemoryWrite.of(IntNode.valueOf(1)).withText("green tea with honey"), Precondition.NONE);
      sk.documents().create(me, new dev.statekeeper.documents.NewDocument("d", null, "green tea with honey", null, null));
      sk.memory().embedPendingNow();
      sk.documents().embedPendingNow();
    }
    HashedWords other = new HashedWords(32);
    try (Statekeeper sk = Statekeeper.open(config, other)) {
      // searches work (never mixing 384- and 32-dimension vectors) and find both once re-embedded
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sk.memory().search(me, new SearchRequest("honey tea", null, null, "semantic", null)).size() == 1
              && sk.documents().search(me, new dev.statekeeper.documents.DocumentSearch("honey tea", "semantic", null, null)).size() == 1);
      assertThat(sk.memory().embeddingStatus().model()).isEqualTo("hashed-words-32");
      assertThat(other.texts).contains("green tea with honey"); // (other tests' entries may share the database)
    }
  }

  @Test
  void aRestart_loadsTheStoredVectors_withoutEmbeddingAgain(@TempDir Path dir) {
    HashedWords first = new HashedWords();
    Caller me = new Caller("w-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
    String text = "lavender soap smells of summer " + UUID.randomUUID(); // (other tests' entries may share the database)
    var config = kind().config(dir);
    try (Statekeeper sk = Statekeeper.open(config, first)) {
      sk.memory().put(me, "notes", "a", MemoryWrite.of(IntNode.valueOf(1)).withText(text), Precondition.NONE);
      sk.memory().embedPendingNow();
      assertThat(first.texts).contains(text);
    }
    HashedWords second = new HashedWords();
    try (Statekeeper sk = Statekeeper.open(config, second)) {
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sk.memory().search(me, new SearchRequest("lavender summer", null, null, "semantic", null)).size() == 1);
      assertThat(second.texts).as("its vector came from the store, not from embedding it again").doesNotContain(text);
    }
  }

  @Test
  void removalsStayInTheChangeLogForADay_thenArePurged(@TempDir Path dir) throws Exception {
    Caller me = new Caller("w-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
    try (Statekeeper sk = Statekeeper.open(kind().config(dir), new HashedWords())) {
      for (String k : List.of("old", "new", "kept")) {
        sk.memory().put(me, "notes", k, MemoryWrite.of(IntNode.valueOf(1)).withText("note " + k), Precondition.NONE);
      }
      sk.memory().embedPendingNow();
      sk.memory().delete(me, "notes", "old", Precondition.NONE);
      sk.memory().delete(me, "notes", "new", Precondition.NONE);
      sk.memory().embedPendingNow();
      assertThat(vectorRows(sk, me.tenant())).containsOnly(
          java.util.Map.entry("old", false), java.util.Map.entry("new", false), java.util.Map.entry("kept", true));
      // "old" was removed two days ago
      sk.store().write("ageing a removal", c -> {
        try (var ps = c.prepareStatement("UPDATE memory_vectors SET updated_at = sk_now_plus(?) WHERE tenant = ? AND key = 'old'")) {
          dev.statekeeper.store.SqlArgs.bind(ps, sk.store().dialect(), -2L * 24 * 3600 * 1000, me.tenant());
          return ps.executeUpdate();
        }
      });
      assertThat(new MemoryVectors(sk.store()).purgeRemovals()).isGreaterThanOrEqualTo(1); // (the database may be shared)
      assertThat(vectorRows(sk, me.tenant())).containsOnly(java.util.Map.entry("new", false), java.util.Map.entry("kept", true));
      assertThat(sk.memory().search(me, new SearchRequest("note", null, null, "semantic", null)))
          .extracting(SearchHit::key).containsExactly("kept");
    }
  }

  @Test
  void anEmbeddingComputedWhileItsEntryIsPurged_neverLands(@TempDir Path dir) throws Exception {
    HashedWords embedder = new HashedWords();
    embedder.gate = new java.util.concurrent.CountDownLatch(1);
    try (Statekeeper sk = Statekeeper.open(kind().config(dir), embedder)) {
      Memory memory = sk.memory();
      Caller me = new Caller("w-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
      memory.put(me, "notes", "doomed", MemoryWrite.of(IntNode.valueOf(1)).withText("purple elephants dance"), Precondition.NONE);
      assertThat(embedder.entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the worker is embedding").isTrue();

      assertThat(memory.purge(me, "notes", "doomed").entries()).isEqualTo(1);
      embedder.gate.countDown(); // the worker stores what it computed for the purged entry

      await().atMost(Duration.ofSeconds(30)).until(() -> memory.embeddingStatus().backlog() == 0);
      assertThat(vectorRows(sk, me.tenant())).doesNotContainEntry("doomed", true);
      assertThat(memory.search(me, new SearchRequest("purple elephants", null, null, "semantic", null))).isEmpty();
    }
  }

  /** key → whether its memory_vectors row holds a vector, for one tenant. */
  private static java.util.Map<String, Boolean> vectorRows(Statekeeper sk, String tenant) {
    return sk.store().read("reading vector rows", c -> {
      try (var ps = c.prepareStatement("SELECT key, vector IS NOT NULL FROM memory_vectors WHERE tenant = ?")) {
        ps.setString(1, tenant);
        try (var rs = ps.executeQuery()) {
          java.util.Map<String, Boolean> out = new java.util.HashMap<>();
          while (rs.next()) out.put(rs.getString(1), rs.getBoolean(2));
          return out;
        }
      }
    });
  }
}
