package dev.statekeeper.cli;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.bench.Bench;
import java.io.PrintStream;
import dev.statekeeper.config.Settings;
import dev.statekeeper.http.HttpSettings;
import dev.statekeeper.keys.KeySettings;
import dev.statekeeper.store.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "bench",
    header = "Load, stress and emergency scenarios against a server, with honest latency figures and invariants.",
    description = {
      "Load, stress and emergency scenarios with honest latency figures (open loop, measured from when each request was due: no coordinated omission), and the invariants checked after every run: every task created exists once and finished once, none completed twice or by a stale holder, audit trails whole. Scenarios: quick, load, emergency, steady, peak, stress, spike, soak, auth, memory. Either --url and --key (an admin key) for a running server or load balancer, or --embedded for a server of its own on a temporary store (SQLite, or PostgreSQL with --database-url). Exit code 1 when an invariant fails."
    })
final class BenchCommand extends Configured {

  @Parameters(paramLabel = "SCENARIO", description = "quick, load, emergency, steady, peak, stress, spike, soak, auth or memory.")
  String scenario;

  @Option(names = "--url", description = "Base URL of the server to load (only this URL gets traffic).")
  String url;

  @Option(names = "--key", description = "An admin API key for --url. Env: STATEKEEPER_BENCH_KEY.", defaultValue = "${env:STATEKEEPER_BENCH_KEY}")
  String key;

  @Option(names = "--embedded", description = "Start a server of its own on a temporary store instead of --url.")
  boolean embedded;

  @Option(names = "--rate", defaultValue = "200", description = "Operations per second of the open-loop phases. Default: ${DEFAULT-VALUE}.")
  double rate;

  @Option(names = "--duration", description = "Length of the run (quick: 60s, soak: 10m, others: 30s by default).")
  String duration;

  @Option(names = "--tasks", defaultValue = "1000", description = "Tasks of the load scenario. Default: ${DEFAULT-VALUE}.")
  int tasks;

  @Option(names = "--threads", defaultValue = "20", description = "Clients and workers of the load scenario. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--consumers", defaultValue = "8", description = "Workers claiming and completing during open-loop scenarios. Default: ${DEFAULT-VALUE}.")
  int consumers;

  @Option(names = "--claim-batch", defaultValue = "10", description = "Tasks per claim. Default: ${DEFAULT-VALUE}.")
  int claimBatch;

  @Option(names = "--p99-limit-ms", defaultValue = "500", description = "stress: the p99 that ends the ramp. Default: ${DEFAULT-VALUE}.")
  double p99LimitMs;

  @Option(names = "--max-error-rate", defaultValue = "0.01", description = "stress: the error share that ends the ramp. Default: ${DEFAULT-VALUE}.")
  double maxErrorRate;

  @Option(names = "--check-events", defaultValue = "20000", description = "Audit trails checked after the run (beyond, a sample). Default: ${DEFAULT-VALUE}.")
  int eventLimit;

  @Option(names = "--json", paramLabel = "FILE", description = "Write every figure as JSON.")
  Path json;

  @Option(names = "--report", paramLabel = "FILE.html", description = "Write a self-contained HTML report with latency plots.")
  Path report;

  @Override
  public Integer call() throws Exception {
    if ((url == null) == !embedded) {
      throw new IllegalArgumentException("give either --url (with --key) or --embedded");
    }
    if (url != null && (key == null || key.isBlank())) {
      throw new IllegalArgumentException("--url needs --key (or STATEKEEPER_BENCH_KEY): an admin key of the tenant to load");
    }
    if (rate <= 0 || tasks < 1 || threads < 1 || consumers < 1 || claimBatch < 1 || claimBatch > 100) {
      throw new IllegalArgumentException("--rate must be positive; --tasks, --threads, --consumers at least 1; --claim-batch 1 to 100");
    }
    StatekeeperConfig config = null;
    if (embedded) {
      StatekeeperConfig base = config();
      // The embedded server logs no request unless asked (--request-log on): a line per request
      // would flood the terminal the progress is shown on, and cost the server its share of the CPU.
      var given = base.settings();
      config = base.toBuilder()
          .dataDir(given.source(StoreSettings.DATA_DIR) == Settings.Source.DEFAULT
              ? Files.createTempDirectory("statekeeper-bench") : base.store().dataDir())
          .set(HttpSettings.PORT, 0).set(HttpSettings.HOST, "127.0.0.1")
          .set(KeySettings.BOOTSTRAP_KEY, "statekeeper-bench-root-key-not-for-use")
          .set(HttpSettings.REQUEST_LOG, given.source(HttpSettings.REQUEST_LOG) != Settings.Source.DEFAULT && base.http().requestLog())
          .build();
    }
    PrintStream out = System.out;
    Bench.Result r = Bench.run(new Bench.Options(
        scenario, url, key, config, rate,
        duration == null ? null : dev.statekeeper.config.Setting.parseDuration("duration", duration),
        tasks, threads, consumers, claimBatch, p99LimitMs, maxErrorRate, eventLimit, json, report, null), out);
    return r.passed() ? 0 : 1;
  }
}
