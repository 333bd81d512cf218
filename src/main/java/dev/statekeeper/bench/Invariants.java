package dev.statekeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * What must hold after a run, read back through the API: every task the run created exists
 * once and reached exactly one final state; none was completed twice or by anyone but its last
 * holder; every task's audit trail is whole (created first, each transition continuing from the
 * state the previous one left).
 */
final class Invariants {

  /** One invariant and whether it held. */
  record Check(String name, boolean pass, String detail) {}

  private Invariants() {}

  static List<Check> tasks(BenchClient client, TaskLoad load, int eventLimit) {
    List<Check> out = new ArrayList<>();
    Map<String, JsonNode> found = new HashMap<>();
    int duplicates = 0;
    String cursor = null;
    do {
      String path = "/v1/tasks?queue=" + load.queue + "&limit=1000" + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
      JsonNode page = client.call("GET", path, null).json();
      for (JsonNode t : page.get("items")) {
        if (found.put(t.get("id").asText(), t) != null) duplicates++;
      }
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
    } while (cursor != null);

    Set<String> expected = new HashSet<>(load.created.keySet());
    expected.addAll(load.pages.keySet());
    Set<String> lost = new HashSet<>(expected);
    lost.removeAll(found.keySet());
    Set<String> unknown = new HashSet<>(found.keySet());
    unknown.removeAll(expected);
    out.add(new Check("every created task exists, once", lost.isEmpty() && duplicates == 0,
        expected.size() + " created, " + found.size() + " found, " + lost.size() + " lost, " + duplicates + " listed twice"
            + (unknown.isEmpty() ? "" : ", " + unknown.size() + " not created by this run (ignored)")));

    long notFinal = found.values().stream().filter(t -> !t.get("status").asText().equals("completed")).count();
    out.add(new Check("every task reached exactly one final state", notFinal == 0,
        notFinal == 0 ? "all " + found.size() + " completed" : notFinal + " not completed (the run ended before they were drained?)"));

    List<String> ids = new ArrayList<>(found.keySet());
    java.util.Collections.sort(ids);
    List<String> checked = ids.size() <= eventLimit ? ids : sample(ids, eventLimit);
    ConcurrentLinkedQueue<String> doubles = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> broken = new ConcurrentLinkedQueue<>();
    Semaphore window = new Semaphore(32);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (String id : checked) {
      window.acquireUninterruptibly();
      all.add(client.send("GET", "/v1/tasks/" + id + "/events", null).thenAccept(r -> {
        try {
          if (!r.ok()) {
            broken.add(id + ": events answered " + r.status());
            return;
          }
          inspect(id, r.json().get("items"), doubles, broken);
        } finally {
          window.release();
        }
      }));
    }
    all.forEach(CompletableFuture::join);
    String scope = checked.size() == ids.size() ? "all " + ids.size() + " tasks" : checked.size() + " of " + ids.size() + " tasks (sampled)";
    out.add(new Check("no task completed twice or by anyone but its holder", doubles.isEmpty(),
        doubles.isEmpty() ? scope : doubles.size() + " in " + scope + ", e.g. " + doubles.peek()));
    out.add(new Check("every audit trail is whole", broken.isEmpty(),
        broken.isEmpty() ? scope : broken.size() + " in " + scope + ", e.g. " + broken.peek()));
    return out;
  }

  private static void inspect(String id, JsonNode events, ConcurrentLinkedQueue<String> doubles, ConcurrentLinkedQueue<String> broken) {
    if (events.isEmpty() || !events.get(0).get("action").asText().equals("created")) {
      broken.add(id + ": the trail does not start with 'created'");
      return;
    }
    String state = events.get(0).get("to_status").asText();
    String holder = null;
    int holderAttempt = -1;
    int completions = 0;
    for (int i = 1; i < events.size(); i++) {
      JsonNode e = events.get(i);
      String action = e.get("action").asText();
      String from = e.get("from_status").isNull() ? null : e.get("from_status").asText();
      if (!action.equals("sla_violated") && from != null && !from.equals(state)) {
        broken.add(id + ": '" + action + "' leaves " + from + " but the task was " + state);
      }
      state = e.get("to_status").asText();
      switch (action) {
        case "claimed" -> {
          holder = e.get("actor").asText();
          holderAttempt = e.get("attempt").asInt();
        }
        case "completed" -> {
          completions++;
          if (!e.get("actor").asText().equals(holder) || e.get("attempt").asInt() != holderAttempt) {
            doubles.add(id + ": completed by " + e.get("actor").asText() + " (attempt " + e.get("attempt").asInt()
                + ") while " + holder + " (attempt " + holderAttempt + ") held it");
          }
        }
        default -> { }
      }
    }
    if (completions > 1) doubles.add(id + ": completed " + completions + " times");
  }

  private static List<String> sample(List<String> ids, int n) {
    List<String> out = new ArrayList<>(n);
    double step = (double) ids.size() / n;
    for (int i = 0; i < n; i++) out.add(ids.get((int) (i * step)));
    return out;
  }
}
