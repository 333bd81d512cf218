package dev.statekeeper.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.support.StoreKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every scenario in a short form against an embedded server, and the invariants shown able to fail. */
class BenchScenariosTest {

  private static Bench.Options options(String scenario, Path dir, Path json, Path report) {
    StatekeeperConfig config = StoreKind.SQLITE.config(dir).toBuilder().set(dev.statekeeper.store.StoreSettings.SQLITE_SYNCHRONOUS, dev.statekeeper.store.StoreSettings.SqliteSync.NORMAL).build();
    return new Bench.Options(scenario, null, null, config, 40, Duration.ofSeconds(2), 100, 4, 4, 10, 500, 0.01, 20000,
        json, report, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"quick", "load", "emergency", "steady", "peak", "stress", "spike", "soak", "auth", "memory"})
  void eachScenario_runsShort_andItsInvariantsHold(String scenario, @TempDir Path dir) throws Exception {
    Path json = dir.resolve("run.json");
    Path report = dir.resolve("run.html");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Bench.Result r = Bench.run(options(scenario, dir.resolve("data"), json, report), new PrintStream(printed, true));

    assertThat(r.invariants()).isNotEmpty().allSatisfy(c -> assertThat(c.pass()).as(c.name() + ": " + c.detail()).isTrue());
    assertThat(r.passed()).isTrue();
    assertThat(Files.readString(json)).contains("\"scenario\" : \"" + scenario + "\"", "p99_ms", "\"passed\" : true");
    assertThat(Files.readString(report)).contains("<svg", "latency over time", "PASS");
    assertThat(printed.toString()).contains("all invariants held");
    if (scenario.equals("stress")) {
      assertThat(r.knee()).isNotBlank();
    }
    if (scenario.equals("emergency")) {
      assertThat(r.figures().toString()).contains("critical_pickup");
    }
  }

  @Test
  void aTaskCompletedTwice_failsTheInvariants(@TempDir Path dir) throws Exception {
    Bench.Options plain = options("quick", dir.resolve("data"), null, null);
    Bench.Options planted = new Bench.Options(plain.scenario(), null, null, plain.embedded(), plain.rate(), plain.duration(),
        plain.tasks(), plain.threads(), plain.consumers(), plain.claimBatch(), plain.p99LimitMs(), plain.maxErrorRate(),
        plain.eventLimit(), null, null,
        sk -> sk.store().write("planting a second completion", c -> {
          // the test hook: a bug that completed one task twice, by another agent
          try (PreparedStatement ps = c.prepareStatement(
              "INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail) "
                  + "SELECT tenant, task_id, at, 'agent:impostor', 'completed', 'claimed', 'completed', attempt, detail "
                  + "FROM task_events WHERE action = 'completed' AND tenant = 'bench' LIMIT 1")) {
            return ps.executeUpdate();
          }
        }));
    Bench.Result r = Bench.run(planted, new PrintStream(new ByteArrayOutputStream(), true));

    assertThat(r.passed()).isFalse();
    assertThat(r.invariants()).filteredOn(c -> !c.pass()).extracting(Invariants.Check::name)
        .contains("no task completed twice or by anyone but its holder")
        .doesNotContain("every created task exists, once", "every task reached exactly one final state");
  }

  @Test
  void aLostMemoryWrite_failsTheInvariants(@TempDir Path dir) throws Exception {
    Bench.Options plain = options("memory", dir.resolve("data"), null, null);
    Bench.Options planted = new Bench.Options(plain.scenario(), null, null, plain.embedded(), plain.rate(), plain.duration(),
        plain.tasks(), plain.threads(), plain.consumers(), plain.claimBatch(), plain.p99LimitMs(), plain.maxErrorRate(),
        plain.eventLimit(), null, null,
        sk -> sk.store().write("losing a memory version", c -> {
          // the test hook: a bug that lost the first version of one entry
          try (PreparedStatement ps = c.prepareStatement(
              "DELETE FROM memory_versions WHERE tenant = 'bench' AND version = 1 AND key = 'k3'"
                  + " AND namespace = (SELECT MIN(namespace) FROM memory_versions WHERE tenant = 'bench')")) {
            return ps.executeUpdate();
          }
        }));
    Bench.Result r = Bench.run(planted, new PrintStream(new ByteArrayOutputStream(), true));

    assertThat(r.passed()).isFalse();
    assertThat(r.invariants()).filteredOn(c -> !c.pass()).extracting(Invariants.Check::name)
        .contains("every acknowledged memory write is in its history, as written", "memory histories have no gaps")
        .doesNotContain("no memory version was handed to two writes");
  }
}
