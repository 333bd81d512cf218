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
    cl.setDefaultValueProvider(SettingsDefaults.from(args, env));
    cl.parseArgs(args);
    return serve.options.toConfig();
  }

  @Test
  void noSettings_giveTheBuiltInDefaults() {
    assertThat(parse(Map.of())).isEqualTo(StatekeeperConfig.defaults());
  }

  @Test
  void theCommandLineWins_thenTheEnvironment_thenTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sk.properties");
    Files.writeString(file, "port=7001\nhost=0.0.0.0\nsla-high=10m\npool-size=3\n");
    Map<String, String> env = Map.of("STATEKEEPER_PORT", "7002", "STATEKEEPER_POOL_SIZE", "4");

    StatekeeperConfig c = parse(env, "--config", file.toString(), "--pool-size", "5");

    assertThat(c.poolSize()).isEqualTo(5); // command line
    assertThat(c.port()).isEqualTo(7002); // environment over file
    assertThat(c.host()).isEqualTo("0.0.0.0"); // file
    assertThat(c.slaDeadline(Priority.HIGH)).contains(Duration.ofMinutes(10));
    assertThat(c.slaDeadline(Priority.CRITICAL)).contains(Duration.ofMinutes(5)); // default
  }

  @Test
  void slaNone_removesADefaultDeadline() {
    assertThat(parse(Map.of(), "--sla-critical", "none").slaDeadline(Priority.CRITICAL)).isEmpty();
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
  void help_listsEveryOptionWithItsEffectiveDefault() {
    StringWriter out = new StringWriter();
    int code = Main.run(new String[] {"serve", "--help"}, Map.of("STATEKEEPER_PORT", "9999"), new PrintWriter(out), new PrintWriter(new StringWriter()));
    assertThat(code).isZero();
    for (String name : ConfigOptions.NAMES) {
      assertThat(out.toString()).contains("--" + name);
    }
    assertThat(out.toString().replaceAll("\\s+", " ")).contains("Default: 9999");
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

    assertThat(fromFile.memoryRetention())
        .containsExactly(
            new dev.statekeeper.memory.RetentionRule("user:alice", 10, Duration.ofDays(30)),
            new dev.statekeeper.memory.RetentionRule("*", 100, null));
    assertThat(fromFile.sessionEventRetention()).isEqualTo(Duration.ofDays(7));
    assertThat(fromEnv.memoryRetention()).containsExactly(new dev.statekeeper.memory.RetentionRule("team", null, Duration.ofHours(12)));
    assertThat(fromEnv.retentionInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(StatekeeperConfig.defaults().memoryRetention()).isEmpty();
    assertThat(StatekeeperConfig.defaults().sessionEventRetention()).isNull();
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

    assertThat(c.ops().rateLimit(dev.statekeeper.Role.AGENT)).contains(new StatekeeperConfig.RateLimit(10, Duration.ofSeconds(1)));
    assertThat(c.ops().rateLimit(dev.statekeeper.Role.ADMIN)).contains(new StatekeeperConfig.RateLimit(6000, Duration.ofMinutes(1)));
    assertThat(c.ops().rateLimit(dev.statekeeper.Role.READER)).isEmpty();
    assertThat(c.ops().metricsEnabled()).isFalse();
    assertThat(c.ops().logFormat()).isEqualTo(StatekeeperConfig.LogFormat.JSON);
    assertThat(c.ops().alertP99Max()).isNull();
    assertThat(c.ops().alertSlaMinPercent()).isEqualTo(99.0);
    assertThat(c.ops().diskMinFreePercent()).isEqualTo(5.0);
    assertThat(c.ops().alertWebhook()).isEqualTo("http://127.0.0.1:9/hook");
  }

  @Test
  void badOperationsSettings_nameTheSettingAndItsForm() {
    for (String[] bad : new String[][] {
        {"--rate-limit-agent", "lots", "rate-limit-agent must be a rate such as 100/s or 6000/m, or none; got 'lots'"},
        {"--disk-min-free", "120", "disk-min-free must be a percentage between 0 and 100; got 120.0"},
        {"--alert-webhook", "ftp://x", "alert-webhook must be an http:// or https:// URL; got 'ftp://x'"},
        {"--metrics", "maybe", "metrics must be on or off; got 'maybe'"},
        {"--log-format", "xml", "log-format must be text or json; got 'xml'"},
        {"--connection-timeout", "100ms", "connection-timeout must be between 250ms and 1m; got 100ms"}}) {
      StringWriter err = new StringWriter();
      int code = Main.run(new String[] {"serve", bad[0], bad[1]}, Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err));
      assertThat(code).as(bad[0]).isEqualTo(2);
      assertThat(err.toString()).contains(bad[2]);
    }
  }
}
