package dev.statekeeper.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.memory.MemoryWrite;
import dev.statekeeper.memory.Precondition;
import dev.statekeeper.memory.SearchRequest;
import dev.statekeeper.ops.Health;
import dev.statekeeper.support.StoreKind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP embedding providers against a local stub server (Ollama and OpenAI shapes), including the stub being down. */
class HttpEmbedderTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final int DIMS = 16;

  HttpServer stub;
  URI base;
  final AtomicBoolean failing = new AtomicBoolean();
  final AtomicInteger requests = new AtomicInteger();
  final AtomicReference<String> lastAuthorization = new AtomicReference<>();

  /** Words hashed into DIMS buckets, so texts sharing words are similar. */
  static ArrayNode vector(String text) {
    double[] v = new double[DIMS];
    for (String w : text.toLowerCase(Locale.ROOT).split("\\W+")) {
      if (!w.isEmpty()) v[Math.floorMod(w.hashCode(), DIMS)] += 1;
    }
    ArrayNode a = JSON.createArrayNode();
    for (double x : v) a.add(x);
    return a;
  }

  @BeforeEach
  void startStub() throws IOException {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.createContext("/api/embeddings", ex -> answer(ex, body -> JSON.createObjectNode().set("embedding", vector(body.get("prompt").asText()))));
    stub.createContext("/v1/embeddings", ex -> answer(ex, body -> {
      ArrayNode data = JSON.createArrayNode();
      for (int i = body.get("input").size() - 1; i >= 0; i--) { // out of order: the index decides
        ObjectNode item = data.addObject();
        item.put("index", i);
        item.set("embedding", vector(body.get("input").get(i).asText()));
      }
      return JSON.createObjectNode().set("data", data);
    }));
    stub.start();
    base = URI.create("http://127.0.0.1:" + stub.getAddress().getPort());
  }

  void answer(HttpExchange ex, java.util.function.Function<JsonNode, JsonNode> f) throws IOException {
    requests.incrementAndGet();
    lastAuthorization.set(ex.getRequestHeaders().getFirst("Authorization"));
    byte[] out;
    int status;
    if (failing.get()) {
      status = 503;
      out = "{\"error\":\"model loading\"}".getBytes(StandardCharsets.UTF_8);
    } else {
      status = 200;
      out = f.apply(JSON.readTree(ex.getRequestBody())).toString().getBytes(StandardCharsets.UTF_8);
    }
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, out.length);
    ex.getResponseBody().write(out);
    ex.close();
  }

  @AfterEach
  void stopStub() {
    if (stub != null) stub.stop(0);
  }

  @Test
  void ollama_embedsOneTextPerRequest_normalised() {
    Embedder e = Embedder.ollama(base, "nomic-embed-text", DIMS);
    List<float[]> v = e.embed(List.of("green tea", "black coffee"));
    assertThat(v).hasSize(2);
    assertThat(requests.get()).isEqualTo(2);
    assertThat(Vectors.dot(v.get(0), v.get(0))).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(Vectors.dot(v.get(0), e.embed(List.of("tea green")).get(0))).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(e.model()).isEqualTo("ollama:nomic-embed-text");
  }

  @Test
  void openAiCompatible_embedsABatchPerRequest_inTheOrderOfTheIndex_withTheKey() {
    Embedder e = Embedder.openAiCompatible(base, "text-embedding-3-small", DIMS, "sk-test");
    List<float[]> v = e.embed(List.of("green tea", "black coffee", "green tea"));
    assertThat(requests.get()).isEqualTo(1);
    assertThat(lastAuthorization.get()).isEqualTo("Bearer sk-test");
    assertThat(Vectors.dot(v.get(0), v.get(2))).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(Vectors.dot(v.get(0), v.get(1))).isLessThan(0.99f);
  }

  @Test
  void aFailingOrStoppedService_throwsWithTheReason_andAWrongLengthIsRefused() {
    failing.set(true);
    assertThatThrownBy(() -> Embedder.ollama(base, "m", DIMS).embed(List.of("x"))).hasMessageContaining("503");
    failing.set(false);
    assertThatThrownBy(() -> Embedder.ollama(base, "m", DIMS + 1).embed(List.of("x"))).hasMessageContaining("expected 17");
    stub.stop(0);
    stub = null;
    assertThatThrownBy(() -> Embedder.openAiCompatible(base, "m", DIMS, null).embed(List.of("x"))).hasMessageContaining("unreachable");
  }

  @Test
  void asTheEmbedderOfAStore_whileTheServiceIsDown_healthIsDegraded_thenItCatchesUp(@TempDir Path dir) {
    failing.set(true);
    try (Statekeeper sk = Statekeeper.open(StoreKind.SQLITE.config(dir), Embedder.ollama(base, "m", DIMS))) {
      Caller me = new Caller("h-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
      sk.memory().put(me, "notes", "a", MemoryWrite.of(IntNode.valueOf(1)).withText("orange juice every morning"), Precondition.NONE);
      assertThat(sk.memory().search(me, new SearchRequest("orange", null, null, "hybrid", null))).hasSize(1); // by keyword
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sk.health().check().checks().get("embeddings").status() == Health.Status.DEGRADED);
      assertThat((String) sk.health().check().checks().get("embeddings").details().get("reason")).contains("503");

      failing.set(false);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sk.memory().search(me, new SearchRequest("juice orange", null, null, "semantic", null)).size() == 1);
      assertThat(sk.health().check().checks().get("embeddings").status()).isEqualTo(Health.Status.UP);
    }
  }

  @Test
  void theConfigurationAlone_choosesTheProvider_asServeWouldGetIt(@TempDir Path dir) {
    var config = StoreKind.SQLITE.config(dir).toBuilder()
        .set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_PROVIDER, dev.statekeeper.search.EmbeddingSettings.Provider.valueOf(("openai").toUpperCase(java.util.Locale.ROOT))).set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_URL, base.toString()).set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_MODEL, "text-embed").set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_DIMENSIONS, DIMS)
        .set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_API_KEY, "sk-secret-123").build();
    assertThat(config.toString()).doesNotContain("sk-secret-123").contains("openai", "text-embed");
    try (Statekeeper sk = Statekeeper.open(config)) {
      Caller me = new Caller("c-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
      sk.memory().put(me, "notes", "a", MemoryWrite.of(IntNode.valueOf(1)).withText("orange juice every morning"), Precondition.NONE);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sk.memory().search(me, new SearchRequest("juice orange", null, null, "semantic", null)).size() == 1);
      assertThat(lastAuthorization.get()).isEqualTo("Bearer sk-secret-123");
    }
  }

  @Test
  void anIncompleteProviderConfiguration_isRefusedWithWhatIsMissing() {
    var b = dev.statekeeper.StatekeeperConfig.builder();
    assertThatThrownBy(() -> b.set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_PROVIDER, dev.statekeeper.search.EmbeddingSettings.Provider.valueOf(("ollama").toUpperCase(java.util.Locale.ROOT))).build()).hasMessageContaining("needs embedding-url");
    assertThatThrownBy(() -> b.set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_PROVIDER, dev.statekeeper.search.EmbeddingSettings.Provider.valueOf(("ollama").toUpperCase(java.util.Locale.ROOT))).set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_URL, "http://x:1").build()).hasMessageContaining("needs embedding-model");
    assertThatThrownBy(() -> b.set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_PROVIDER, dev.statekeeper.search.EmbeddingSettings.Provider.valueOf(("ollama").toUpperCase(java.util.Locale.ROOT))).set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_URL, "http://x:1").set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_MODEL, "m").build())
        .hasMessageContaining("needs embedding-dimensions");
    assertThatThrownBy(() -> dev.statekeeper.search.EmbeddingSettings.EMBEDDING_PROVIDER.parse("chatgpt"))
        .hasMessageContaining("embedding-provider must be one of local, ollama, openai; got 'chatgpt'");
    assertThatThrownBy(() -> dev.statekeeper.StatekeeperConfig.builder().set(dev.statekeeper.search.EmbeddingSettings.EMBEDDING_MODEL, "m").build())
        .hasMessageContaining("for an HTTP provider");
    assertThat(dev.statekeeper.StatekeeperConfig.builder().build().embedding())
        .isEqualTo(dev.statekeeper.search.EmbeddingSettings.LOCAL);
  }
}
