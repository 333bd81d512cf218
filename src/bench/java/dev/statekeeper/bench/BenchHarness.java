package dev.statekeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the benchmark programs ({@link TaskBenchmarks}, {@link MemorySessionBenchmarks}) share:
 * their {@code --name=value} arguments, the store of their own they open, workers on virtual
 * threads and a client of its server.
 */
final class BenchHarness {

  private static final ObjectMapper JSON = new ObjectMapper();

  private BenchHarness() {}

  /** {@code --name=value} arguments by name, in order; a bare {@code --name} is {@code true}. */
  static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (String a : args) {
      String[] kv = a.replaceFirst("^--", "").split("=", 2);
      o.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    return o;
  }

  /**
   * A store of the run's own in {@code dataDir}, served on a free port, with {@code --pool}
   * connections (16), a known root key, PostgreSQL when {@code --db} is a URL (SQLite when it is
   * {@code sqlite}, the default) and {@code --sqlite-synchronous} when given.
   */
  static StatekeeperConfig.Builder config(Map<String, String> o, Path dataDir) {
    StatekeeperConfig.Builder b =
        StatekeeperConfig.builder()
            .dataDir(dataDir)
            .set(dev.statekeeper.http.HttpSettings.PORT, 0)
            .set(dev.statekeeper.store.StoreSettings.POOL_SIZE, Integer.parseInt(o.getOrDefault("pool", "16")))
            .set(dev.statekeeper.keys.KeySettings.BOOTSTRAP_KEY, "bench-root-key-0123456789abcdef");
    if (!isSqlite(o)) b.databaseUrl(o.get("db"));
    if (o.containsKey("sqlite-synchronous")) b.set(dev.statekeeper.store.StoreSettings.SQLITE_SYNCHRONOUS, dev.statekeeper.store.StoreSettings.SqliteSync.valueOf(o.get("sqlite-synchronous")));
    return b;
  }

  /** The store as the results name it: {@code SQLite(FULL)}, {@code PostgreSQL}. */
  static String describeStore(Map<String, String> o, Statekeeper sk) {
    return isSqlite(o) ? "SQLite(" + sk.config().store().sqliteSynchronous() + ")" : "PostgreSQL";
  }

  private static boolean isSqlite(Map<String, String> o) {
    return o.getOrDefault("db", "sqlite").equals("sqlite");
  }

  interface Worker {
    void run(int w) throws Exception;
  }

  /** Runs {@code body} on {@code n} virtual threads (worker 0 to n-1) and waits for all of them. */
  static void runWorkers(int n, Worker body) throws Exception {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int w = i;
        fs.add(pool.submit(() -> {
          body.run(w);
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
    }
  }

  /** A thin client over java.net.http (HTTP/1.1, keep-alive) with one API key. */
  static final class Client {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String key;

    Client(String base, String key) {
      this.base = base;
      this.key = key;
    }

    HttpResponse<byte[]> get(String path) throws Exception {
      return http.send(
          HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> post(String path, String body) throws Exception {
      return http.send(
          HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
    }

    /** POSTs {@code body}; the answer's JSON, which must come with status {@code expect}. */
    JsonNode post(String path, String body, int expect) throws Exception {
      HttpResponse<byte[]> resp = post(path, body);
      if (resp.statusCode() != expect) {
        throw new IllegalStateException(path + " answered " + resp.statusCode() + ": " + new String(resp.body()));
      }
      return JSON.readTree(resp.body());
    }

    void expect(HttpResponse<byte[]> r, int status) {
      if (r.statusCode() != status) {
        throw new IllegalStateException(r.uri() + " answered " + r.statusCode() + ": " + new String(r.body()));
      }
    }
  }
}
