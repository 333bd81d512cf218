package dev.statekeeper.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code auth} scenario: 1,000 users in 20 teams, 200 documents of which the even ones are
 * readable by one team each; access checks at the given rate with a skew (a few users and
 * documents are asked about much more than the rest), every answer compared with the truth.
 */
final class Auth {

  private Auth() {}

  static List<Invariants.Check> run(BenchClient client, Bench.Options o, Duration duration, Map<String, OpStats> stats,
      AtomicReference<String> phase) throws Exception {
    phase.set("grants");
    String ns = "bench" + Long.toHexString(System.nanoTime());
    for (int d = 0; d < 200; d += 2) {
      grant(client, "memory:" + ns + ":d" + d, "viewer", "team:" + ns + (d % 20) + "#member");
    }
    for (int u = 0; u < 1000; u++) {
      grant(client, "team:" + ns + (u % 20), "member", "user:" + ns + u);
    }
    OpStats check = stats.computeIfAbsent("check", OpStats::new);
    AtomicLong wrong = new AtomicLong();
    AtomicLong answered = new AtomicLong();
    phase.set("steady");
    OpenLoop.run(o.rate(), duration, 10_000, check, () -> {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      int u = (int) Math.min(999, Math.pow(rnd.nextDouble(), 3) * 1000);
      int d = (int) Math.min(199, Math.pow(rnd.nextDouble(), 2) * 200);
      boolean expected = d % 2 == 0 && d % 20 == u % 20;
      String body = "{\"subject\":\"user:" + ns + u + "\",\"action\":\"read\",\"resource\":\"memory:" + ns + ":d" + d + ":x\"}";
      CompletableFuture<BenchClient.Reply> f = client.send("POST", "/v1/access/check", body);
      return f.thenApply(r -> {
        if (r.ok()) {
          answered.incrementAndGet();
          if (r.json().get("allowed").asBoolean() != expected) wrong.incrementAndGet();
        }
        return r.status();
      });
    });
    return List.of(new Invariants.Check("every access answer is right", wrong.get() == 0 && answered.get() > 0,
        answered.get() + " answers, " + wrong.get() + " wrong"));
  }

  private static void grant(BenchClient client, String resource, String relation, String subject) {
    BenchClient.Reply r = client.call("POST", "/v1/access/grants",
        "{\"resource\":\"" + resource + "\",\"relation\":\"" + relation + "\",\"subject\":\"" + subject + "\"}");
    if (r.status() != 201) {
      throw new IllegalStateException("setting up grants failed: " + r.status() + " " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
