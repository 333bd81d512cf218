package dev.statekeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code memory} scenario: 200 entries in 20 namespaces under one fresh root, then an open
 * loop at {@code --rate} of 60 % reads of a current entry, 25 % writes (each a new version), 10 %
 * prefix listings and 5 % keyword searches, each kind timed from when it was scheduled. Afterwards
 * every entry's history is read back: every acknowledged write must be there with the value it
 * wrote, no version handed out twice, no gaps.
 */
final class MemoryLoad {

  static final int NAMESPACES = 20;
  static final int KEYS_PER_NAMESPACE = 10;
  private static final String[] WORDS = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};

  private MemoryLoad() {}

  /** @param beforeCheck runs between the load and the checks (a test's planted fault), or null */
  static List<Invariants.Check> run(BenchClient client, Bench.Options o, Duration duration, Map<String, OpStats> stats,
      AtomicReference<String> phase, Runnable beforeCheck) {
    phase.set("setup");
    String root = "bench" + Long.toHexString(System.nanoTime());
    // what each acknowledged write put at which version, per entry: version -> writer's number
    Map<String, Map<Long, Long>> acknowledged = new ConcurrentHashMap<>();
    AtomicLong writes = new AtomicLong();
    AtomicLong versionsGivenTwice = new AtomicLong();
    for (int n = 0; n < NAMESPACES; n++) {
      for (int k = 0; k < KEYS_PER_NAMESPACE; k++) {
        BenchClient.Reply r = client.call("PUT", path(root, n, k), body(writes.incrementAndGet()));
        if (!r.ok()) {
          throw new IllegalStateException("setting up memory entries failed: " + r.status() + " " + text(r));
        }
        remember(acknowledged, versionsGivenTwice, path(root, n, k), r.json(), writes.get());
      }
    }
    OpStats all = stats.computeIfAbsent("memory", OpStats::new);
    OpStats reads = stats.computeIfAbsent("memory read", OpStats::new);
    OpStats puts = stats.computeIfAbsent("memory write", OpStats::new);
    OpStats lists = stats.computeIfAbsent("memory list", OpStats::new);
    OpStats searches = stats.computeIfAbsent("memory search", OpStats::new);
    phase.set("steady");
    OpenLoop.run(o.rate(), duration, 10_000, all, intended -> {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      int n = (int) Math.min(NAMESPACES - 1, Math.pow(rnd.nextDouble(), 2) * NAMESPACES); // a few namespaces are hot
      int k = rnd.nextInt(KEYS_PER_NAMESPACE);
      int dice = rnd.nextInt(100);
      if (dice < 60) {
        return timed(reads, intended, client.send("GET", path(root, n, k), null));
      }
      if (dice < 85) {
        long w = writes.incrementAndGet();
        String p = path(root, n, k);
        return timed(puts, intended, client.send("PUT", p, body(w)).thenApply(r -> {
          if (r.ok()) remember(acknowledged, versionsGivenTwice, p, r.json(), w);
          return r;
        }));
      }
      if (dice < 95) {
        return timed(lists, intended, client.send("GET", "/v1/memory?prefix=" + root + ":n" + n + "&limit=100", null));
      }
      String q = WORDS[rnd.nextInt(WORDS.length)];
      return timed(searches, intended, client.send("POST", "/v1/memory/search",
          "{\"query\":\"" + q + "\",\"prefix\":\"" + root + "\",\"mode\":\"keyword\",\"limit\":10}"));
    });
    if (beforeCheck != null) beforeCheck.run();
    phase.set("invariants");
    return check(client, acknowledged, versionsGivenTwice.get());
  }

  private static CompletableFuture<Integer> timed(OpStats stats, long intended, CompletableFuture<BenchClient.Reply> f) {
    return f.thenApply(r -> {
      stats.record((System.nanoTime() - intended) / 1000, r.status());
      return r.status();
    });
  }

  private static void remember(Map<String, Map<Long, Long>> acknowledged, AtomicLong twice, String path, JsonNode entry, long w) {
    Map<Long, Long> versions = acknowledged.computeIfAbsent(path, x -> new ConcurrentHashMap<>());
    if (versions.putIfAbsent(entry.get("version").asLong(), w) != null) {
      twice.incrementAndGet();
    }
  }

  /** Reads every entry's whole history and compares it with what was acknowledged. */
  private static List<Invariants.Check> check(BenchClient client, Map<String, Map<Long, Long>> acknowledged, long twice) {
    long lost = 0;
    long gaps = 0;
    long versions = 0;
    List<String> examples = new ArrayList<>();
    for (var e : acknowledged.entrySet()) {
      Map<Long, Long> history = new java.util.HashMap<>();
      String cursor = null;
      do {
        BenchClient.Reply r = client.call("GET", e.getKey() + "/history?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor), null);
        if (r.status() == 404) {
          break; // no version left at all: every acknowledged one is counted as lost below
        }
        if (!r.ok()) {
          throw new IllegalStateException("reading the history of " + e.getKey() + " failed: " + r.status() + " " + text(r));
        }
        JsonNode page = r.json();
        for (JsonNode v : page.get("items")) {
          history.put(v.get("version").asLong(), v.get("value").get("w").asLong());
        }
        cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
      } while (cursor != null);
      versions += history.size();
      long newest = Math.max(
          history.keySet().stream().mapToLong(Long::longValue).max().orElse(0),
          e.getValue().keySet().stream().mapToLong(Long::longValue).max().orElse(0));
      for (long v = 1; v <= newest; v++) {
        if (!history.containsKey(v)) gaps++;
      }
      for (var ack : e.getValue().entrySet()) {
        if (!ack.getValue().equals(history.get(ack.getKey()))) {
          lost++;
          if (examples.size() < 3) examples.add(e.getKey() + " v" + ack.getKey());
        }
      }
    }
    long acked = acknowledged.values().stream().mapToLong(Map::size).sum();
    return List.of(
        new Invariants.Check("every acknowledged memory write is in its history, as written", lost == 0,
            acked + " acknowledged, " + lost + " missing or different" + (examples.isEmpty() ? "" : " " + examples)),
        new Invariants.Check("no memory version was handed to two writes", twice == 0, twice + " versions acknowledged twice"),
        new Invariants.Check("memory histories have no gaps", gaps == 0, versions + " versions read, " + gaps + " missing"));
  }

  private static String path(String root, int n, int k) {
    return "/v1/memory/" + root + ":n" + n + "/k" + k;
  }

  private static String body(long w) {
    String word = WORDS[(int) (w % WORDS.length)];
    return "{\"value\":{\"w\":" + w + "},\"text\":\"note " + w + " " + word + "\",\"type\":\"episodic\"}";
  }

  private static String text(BenchClient.Reply r) {
    return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
