package dev.statekeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.tasks.Priority;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where settings come from: command line, then environment, then config file, then defaults. */
class SettingsTest {

  private static StatekeeperConfig parse(Map<String, String> env, String... args) {
    ServeCommand serve = new ServeCommand();
    CommandLine cl = new CommandLine(serve);
    serve.addOptions(cl.getCommandSpec(), env);
    cl.parseArgs(args);
    return serve.config();
  }

  @Test
  void noSettings_giveTheBuiltInDefaults() {
    StatekeeperConfig c = parse(Map.of());
    for (dev.statekeeper.config.Setting<?> s : StatekeeperConfig.ALL) {
      assertThat(c.settings().source(s)).as(s.name()).isEqualTo(dev.statekeeper.config.Settings.Source.DEFAULT);
    }
    assertThat(c.http().port()).isEqualTo(7070);
  }

  @Test
  void theCommandLineWins_thenTheEnvironment_thenTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sk.properties");
    Files.writeString(file, "port=7001\nhost=0.0.0.0\nsla-high=10m\npool-size=3\n");
    Map<String, String> env = Map.of("STATEKEEPER_PORT", "7002", "STATEKEEPER_POOL_SIZE", "4");

    StatekeeperConfig c = parse(env, "--config", file.toString(), "--pool-size", "5");

    assertThat(c.store().poolSize()).isEqualTo(5); // command line
    assertThat(c.http().port()).isEqualTo(7002); // environment over file
    assertThat(c.http().host()).isEqualTo("0.0.0.0"); // file
    assertThat(c.tasks().slaDeadline(Priority.HIGH)).contains(Duration.ofMinutes(10));
    assertThat(c.tasks().slaDeadline(Priority.CRITICAL)).contains(Duration.ofMinutes(5)); // default
  }

  @Test
  void slaNone_removesADefaultDeadline() {
    assertThat(parse(Map.of(), "--sla-critical", "none").tasks().slaDeadline(Priority.CRITICAL)).isEmpty();
  }

  @Test
  void anUnknownKeyInTheConfigFile_isAnErrorNamingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sk.properties");
    Files.writeString(file, "prot=7001\n");
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"serve", "--config", file.toString()}, Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("unknown setting 'prot'");
  }

  @Test
  void help_listsEveryOptionOfTheCommand_withItsDefaultAndEnvironmentVariable() {
    StringWriter out = new StringWriter();
    int code = Main.run(new String[] {"serve", "--help"}, Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter()));
    assertThat(code).isZero();
    String help = out.toString().replaceAll("\\s+", " ");
    for (String name : CommandSettings.NAMES) {
      assertThat(help).contains("--" + name);
    }
    assertThat(help).contains("--port=N Port to listen on; 0 picks a free one. Default: 7070. Env: STATEKEEPER_PORT.");
    assertThat(help).doesNotContain("Default: sk_"); // no secret default is ever shown
  }

  @Test
  void eachCommand_showsOnlyTheSettingsItUses() {
    StringWriter out = new StringWriter();
    assertThat(Main.run(new String[] {"backup", "--help"}, Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter()))).isZero();
    String help = out.toString();
    assertThat(help).contains("--to=DIR", "--data-dir", "--database-url");
    assertThat(help).doesNotContain("--reaper-interval", "--port", "--alert-webhook", "--backup-every");
    assertThat(help.lines().count()).isLessThan(60);
  }

  @Test
  void aUsageError_printsTheErrorAndOneHint_notTheSynopsis() {
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"backup", "--to", "b", "--bogus"}, Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines().toList()).containsExactly(
        "statekeeper: Unknown option: '--bogus'", "Try 'statekeeper backup --help' for its options.");
  }

  @Test
  void theTopLevelHelp_summarisesEveryCommandInAWholeSentence() {
    StringWriter out = new StringWriter();
    Main.run(new String[] {"--help"}, Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter()));
    String commands = out.toString().substring(out.toString().indexOf("Commands:"));
    for (String c : new String[] {"serve", "migrate", "keys", "backup", "restore", "verify", "import-json", "export-json", "bench", "doctor"}) {
      String summary = commands.substring(commands.indexOf("  " + c + " ")).split("\n  [a-z]")[0].replaceAll("\\s+", " ").trim();
      assertThat(summary).as(c).endsWith(".");
    }
  }

  @Test
  void aBadValue_exitsWithUsageErrorAndTheMessage() {
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"serve", "--port", "-1"}, Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("port must be between 0 and 65535; got -1");
  }

  @Test
  void memoryRetention_readsFromAPropertiesFileAndTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sk.properties");
    Files.writeString(
        file, "memory-retention=user:alice=keep-versions:10,max-age:30d;*=keep-versions:100\nsession-event-retention=7d\n");

    StatekeeperConfig fromFile = parse(Map.of(), "--config", file.toString());
    StatekeeperConfig fromEnv =
        parse(Map.of("STATEKEEPER_MEMORY_RETENTION", "team=max-age:12h", "STATEKEEPER_RETENTION_INTERVAL", "30s"));

    assertThat(fromFile.memory().memoryRetention())
        .containsExactly(
            new dev.statekeeper.memory.RetentionRule("user:alice", 10, Duration.ofDays(30)),
            new dev.statekeeper.memory.RetentionRule("*", 100, null));
    assertThat(fromFile.sessions().sessionEventRetention()).isEqualTo(Duration.ofDays(7));
    assertThat(fromEnv.memory().memoryRetention()).containsExactly(new dev.statekeeper.memory.RetentionRule("team", null, Duration.ofHours(12)));
    assertThat(fromEnv.jobs().retentionInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(StatekeeperConfig.defaults().memory().memoryRetention()).isEmpty();
    assertThat(StatekeeperConfig.defaults().sessions().sessionEventRetention()).isNull();
  }

  @Test
  void aBadRetentionRule_exitsWithAMessageNamingIt() {
    for (String[] bad :
        new String[][] {
          {"user:al ice=keep-versions:3", "memory-retention"},
          {"user=keep-versions:0", "keep-versions must be at least 1"},
          {"user=keep:3", "is not keep-versions:N or max-age:DURATION"},
          {"user", "must be PREFIX=LIMIT"},
          {"a:b:c:d:e:f:g:h:i=max-age:1d", "9 segments"},
          {"user=max-age:soon", "memory-retention max-age must be a duration"},
          {"x=max-age:1d;x=keep-versions:2", "names the prefix 'x' twice"}
        }) {
      StringWriter err = new StringWriter();
      int code =
          Main.run(new String[] {"serve", "--memory-retention", bad[0]}, Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err));
      assertThat(code).as(bad[0]).isEqualTo(2);
      assertThat(err.toString()).as(bad[0]).contains(bad[1]);
    }
  }

  @Test
  void operationsSettings_parseFromEveryForm() {
    StatekeeperConfig c =
        parse(Map.of("STATEKEEPER_LOG_FORMAT", "json", "STATEKEEPER_ALERT_P99_MAX", "none"),
            "--rate-limit-agent", "10/s", "--rate-limit-admin", "6000/m", "--rate-limit-reader", "none", "--metrics", "off",
            "--alert-sla-min", "99%", "--disk-min-free", "5", "--alert-webhook", "http://127.0.0.1:9/hook");

    assertThat(c.http().rateLimit(dev.statekeeper.Role.AGENT)).contains(new dev.statekeeper.http.HttpSettings.RateLimit(10, Duration.ofSeconds(1)));
    assertThat(c.http().rateLimit(dev.statekeeper.Role.ADMIN)).contains(new dev.statekeeper.http.HttpSettings.RateLimit(6000, Duration.ofMinutes(1)));
    assertThat(c.http().rateLimit(dev.statekeeper.Role.READER)).isEmpty();
    assertThat(c.ops().metricsEnabled()).isFalse();
    assertThat(c.ops().logFormat()).isEqualTo(dev.statekeeper.ops.OpsSettings.LogFormat.JSON);
    assertThat(c.ops().alertP99Max()).isNull();
    assertThat(c.tasks().alertSlaMinPercent()).isEqualTo(99.0);
    assertThat(c.ops().diskMinFreePercent()).isEqualTo(5.0);
    assertThat(c.ops().alertWebhook()).isEqualTo("http://127.0.0.1:9/hook");
  }

  @Test
  void badOperationsSettings_nameTheSettingAndItsForm() {
    for (String[] bad : new String[][] {
        {"--rate-limit-agent", "lots", "rate-limit-agent must be a rate such as 100/s or 6000/m, or none; got 'lots'"},
        {"--disk-min-free", "120", "disk-min-free must be a percentage between 0 and 100; got 120"},
        {"--alert-webhook", "ftp://x", "alert-webhook must be an http:// or https:// URL with a host; got ftp://x"},
        {"--metrics", "maybe", "metrics must be on or off; got 'maybe'"},
        {"--log-format", "xml", "log-format must be one of text, json; got 'xml'"},
        {"--connection-timeout", "100ms", "connection-timeout must be positive and between 250ms and 1m; got 100ms"}}) {
      StringWriter err = new StringWriter();
      int code = Main.run(new String[] {"serve", bad[0], bad[1]}, Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err));
      assertThat(code).as(bad[0]).isEqualTo(2);
      assertThat(err.toString()).contains(bad[2]);
    }
  }
}
