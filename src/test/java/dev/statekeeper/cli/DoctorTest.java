package dev.statekeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.support.TestDatabases;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code statekeeper doctor}: 25+ checks, a fix for each problem, JSON, and the exit code. */
class DoctorTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Result(int exit, JsonNode report, String err) {
    JsonNode check(String name) {
      for (JsonNode c : report.get("checks")) {
        if (c.get("name").asText().equals(name)) return c;
      }
      throw new AssertionError("no check " + name + " in " + report);
    }

    String status(String name) {
      return check(name).get("status").asText();
    }
  }

  private static Result doctor(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("doctor", "--json"));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(all.toArray(String[]::new), Map.of(), new PrintWriter(out), new PrintWriter(err));
    return new Result(exit, JSON.readTree(out.toString()), err.toString());
  }

  private static void assertWellFormed(Result r) {
    Set<String> names = new HashSet<>();
    for (JsonNode c : r.report().get("checks")) {
      assertThat(names.add(c.get("name").asText())).as("unique name %s", c.get("name")).isTrue();
      assertThat(c.get("message").asText()).isNotBlank();
      if (List.of("warn", "fail").contains(c.get("status").asText())) {
        assertThat(c.get("fix").asText()).as("fix of %s", c).isNotBlank().doesNotContain("\n");
      }
    }
  }

  @Test
  void aFreshSqliteDirectory_passes_withMoreThan25Checks(@TempDir Path dir) throws Exception {
    Result r = doctor("--data-dir", dir.resolve("data").toString(), "--port", "0");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.report().get("checks").size()).isGreaterThanOrEqualTo(25);
    assertThat(r.report().get("status").asText()).isIn("pass", "warn");
    assertThat(r.report().at("/summary/fail").asInt()).isZero();
    assertThat(r.status("java_version")).isIn("pass", "warn");
    assertThat(r.status("data_dir_writable")).isEqualTo("pass");
    assertThat(r.status("store_reachable")).isEqualTo("skip"); // created on the first start
    assertWellFormed(r);
  }

  @Test
  void afterAFirstStart_theStoreChecksPass(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    try (Statekeeper sk = Statekeeper.open(StatekeeperConfig.builder().dataDir(data).build())) {
      sk.bootstrapRootKey();
    }

    Result r = doctor("--data-dir", data.toString(), "--port", "0");

    assertThat(r.exit()).isZero();
    for (String check : List.of("store_reachable", "migrations", "sqlite_integrity", "sqlite_journal_mode", "sqlite_version", "clock_skew", "root_key", "data_dir_lock")) {
      assertThat(r.status(check)).as("%s: %s", check, r.check(check)).isEqualTo("pass");
    }
    assertThat(r.report().get("checks").findValuesAsText("status").stream().filter(s -> !s.equals("skip")).count())
        .isGreaterThanOrEqualTo(25);
  }

  @Test
  void aPortInUse_failsWithAFix_andExitCode1(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Result r = doctor("--data-dir", dir.toString(), "--port", Integer.toString(taken.getLocalPort()));

      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.report().get("status").asText()).isEqualTo("fail");
      assertThat(r.status("port_free")).isEqualTo("fail");
      assertThat(r.check("port_free").get("fix").asText()).contains("--port");
    }
  }

  @Test
  @SuppressWarnings("try") // the open instance holds the directory's lock
  void aDirectoryInUseByAServer_fails(@TempDir Path dir) throws Exception {
    try (Statekeeper running = Statekeeper.open(StatekeeperConfig.builder().dataDir(dir).build())) {
      Result r = doctor("--data-dir", dir.toString(), "--port", "0");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.status("data_dir_lock")).isEqualTo("fail");
    }
  }

  @Test
  void aCorruptedSqliteFile_fails(@TempDir Path dir) throws Exception {
    try (Statekeeper sk = Statekeeper.open(StatekeeperConfig.builder().dataDir(dir).build())) {
      sk.bootstrapRootKey();
    }
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("statekeeper.db").toFile(), "rw")) {
      for (long at = 4096; at < f.length(); at += 4096) {
        f.seek(at);
        f.write(new byte[] {0x0d, (byte) 0xff, (byte) 0xff, 0x7f, 0x00, 0x01, 0x02, 0x03});
      }
    }

    Result r = doctor("--data-dir", dir.toString(), "--port", "0");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(List.of(r.status("sqlite_integrity"), r.status("store_reachable"), r.status("migrations"))).contains("fail");
  }

  @Test
  void anInvalidSetting_failsTheConfigurationCheck_andStillChecksTheMachine() throws Exception {
    Result r = doctor("--pool-size", "0");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.status("configuration")).isEqualTo("fail");
    assertThat(r.check("configuration").get("message").asText()).contains("pool-size must be between 1 and 500");
    assertThat(r.status("java_version")).isIn("pass", "warn");
  }

  @Test
  void secretsOnTheCommandLine_areAWarning(@TempDir Path dir) throws Exception {
    Result r = doctor("--data-dir", dir.toString(), "--port", "0", "--bootstrap-key", "a-bootstrap-key-of-16+");
    assertThat(r.status("secrets_on_command_line")).isEqualTo("warn");
    assertThat(r.report().toString()).doesNotContain("a-bootstrap-key-of-16+");
  }

  @Test
  void onPostgres_theDatabaseSettingsAreChecked(@TempDir Path dir) throws Exception {
    String url = TestDatabases.postgresUrl();
    try (Statekeeper sk = Statekeeper.open(StatekeeperConfig.builder().dataDir(dir).databaseUrl(url).build())) {
      sk.bootstrapRootKey();
    }

    Result r = doctor("--database-url", url, "--port", "0", "--data-dir", dir.toString());

    assertThat(r.exit()).as("%s", r.report()).isZero();
    for (String check : List.of("store_reachable", "migrations", "postgres_version", "postgres_connections", "postgres_durability",
        "postgres_encoding", "postgres_privileges", "clock_skew", "root_key")) {
      assertThat(r.status(check)).as("%s: %s", check, r.check(check)).isIn("pass", "warn");
    }
    assertThat(r.status("store_reachable")).isEqualTo("pass");
    assertThat(r.status("migrations")).isEqualTo("pass");
    assertThat(r.report().get("checks").size()).isGreaterThanOrEqualTo(25);
  }

  @Test
  void anUnreachablePostgres_fails(@TempDir Path dir) throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Result r = doctor("--database-url", "jdbc:postgresql://127.0.0.1:" + closedPort + "/x?user=postgres", "--port", "0", "--data-dir", dir.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.status("store_reachable")).isEqualTo("fail");
    assertThat(r.check("store_reachable").get("fix").asText()).contains("--database-url");
  }

  @Test
  void redis_isSkippedWithoutOne_passesWhenItAnswers_andWarnsWhenItDoesNot(@TempDir Path dir) throws Exception {
    assertThat(doctor("--data-dir", dir.resolve("a").toString(), "--port", "0").status("redis")).isEqualTo("skip");

    Result up = doctor("--data-dir", dir.resolve("b").toString(), "--port", "0", "--redis-url", dev.statekeeper.support.TestRedis.url());
    assertThat(up.status("redis")).as("%s", up.check("redis")).isEqualTo("pass");
    assertThat(up.check("redis").get("message").asText()).contains("answers");

    int nothing;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nothing = s.getLocalPort(); // free once closed: nothing listens there
    }
    Result down = doctor("--data-dir", dir.resolve("c").toString(), "--port", "0", "--redis-url", "redis://127.0.0.1:" + nothing);
    assertThat(down.status("redis")).isEqualTo("warn");
    assertThat(down.check("redis").get("fix").asText()).contains("--redis-url");
    assertThat(down.exit()).as("Redis is optional: a warning, not a failure").isZero();
    assertWellFormed(down);
  }
}
