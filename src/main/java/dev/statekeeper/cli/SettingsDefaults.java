package dev.statekeeper.cli;

import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.tasks.Priority;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option not given on the command line takes its value from, in order: the environment
 * variable {@code STATEKEEPER_<OPTION>} ({@code --database-url} → {@code
 * STATEKEEPER_DATABASE_URL}), the properties file of {@code --config} (or {@code
 * STATEKEEPER_CONFIG}) with the option's name as key ({@code database-url=…}), and last the
 * built-in default of {@link StatekeeperConfig#defaults()} — so {@code --help} shows the value
 * that would apply.
 */
final class SettingsDefaults implements CommandLine.IDefaultValueProvider {

  private final Map<String, String> env;
  private final Properties file;
  private final Map<String, String> builtIn;

  private SettingsDefaults(Map<String, String> env, Properties file) {
    this.env = env;
    this.file = file;
    this.builtIn = builtInDefaults();
  }

  /** Reads the config file named by {@code --config} in {@code args} or by STATEKEEPER_CONFIG. */
  static SettingsDefaults from(String[] args, Map<String, String> env) {
    String path = env.get("STATEKEEPER_CONFIG");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        path = args[i + 1];
      } else if (args[i].startsWith("--config=")) {
        path = args[i].substring("--config=".length());
      }
    }
    Properties props = new Properties();
    if (path != null) {
      Path p = Path.of(path);
      try (InputStream in = Files.newInputStream(p)) {
        props.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the config file " + p.toAbsolutePath() + ": " + e.getMessage());
      }
      for (String key : props.stringPropertyNames()) {
        if (!ConfigOptions.NAMES.contains(key)) {
          throw new IllegalArgumentException(
              "unknown setting '" + key + "' in " + p + "; settings are the long option names of 'serve --help'");
        }
      }
    }
    return new SettingsDefaults(env, props);
  }

  static String envName(String option) {
    return "STATEKEEPER_" + option.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec option)) {
      return null;
    }
    String name = option.longestName().replaceFirst("^--", "");
    String fromEnv = env.get(envName(name));
    if (fromEnv != null) {
      return fromEnv;
    }
    String fromFile = file.getProperty(name);
    if (fromFile != null) {
      return fromFile;
    }
    return builtIn.get(name);
  }

  private static String percent(Double value) {
    if (value == null) return "none";
    return value == Math.rint(value) ? Long.toString(value.longValue()) : value.toString();
  }

  private static Map<String, String> builtInDefaults() {
    StatekeeperConfig d = StatekeeperConfig.defaults();
    Map<String, String> m = new java.util.HashMap<>();
    m.put("data-dir", d.dataDir().toString());
    m.put("pool-size", Integer.toString(d.poolSize()));
    m.put("sqlite-synchronous", d.sqliteSynchronous().name());
    m.put("host", d.host());
    m.put("port", Integer.toString(d.port()));
    m.put("max-body-bytes", Long.toString(d.maxBodyBytes()));
    for (Priority p : Priority.values()) {
      m.put("sla-" + p.name().toLowerCase(Locale.ROOT), d.slaDeadline(p).map(StatekeeperConfig::format).orElse("none"));
    }
    m.put("default-lease", StatekeeperConfig.format(d.defaultLease()));
    m.put("max-lease", StatekeeperConfig.format(d.maxLease()));
    m.put("reaper-interval", StatekeeperConfig.format(d.reaperInterval()));
    m.put("claim-poll-interval", StatekeeperConfig.format(d.claimPollInterval()));
    m.put("retry-base-delay", StatekeeperConfig.format(d.retryBaseDelay()));
    m.put("retry-max-delay", StatekeeperConfig.format(d.retryMaxDelay()));
    m.put("idempotency-retention", StatekeeperConfig.format(d.idempotencyRetention()));
    m.put("key-cache-ttl", StatekeeperConfig.format(d.keyCacheTtl()));
    m.put("backup-every", d.backupEvery() == null ? "none" : StatekeeperConfig.format(d.backupEvery()));
    m.put("backup-keep", Integer.toString(d.backupKeep()));
    m.put("redis-timeout", StatekeeperConfig.format(d.redisTimeout()));
    m.put("access-epoch-refresh", StatekeeperConfig.format(d.accessEpochRefresh()));
    m.put("max-event-bytes", Long.toString(d.maxEventBytes()));
    m.put("max-state-bytes", Long.toString(d.maxStateBytes()));
    m.put("max-memory-value-bytes", Long.toString(d.maxMemoryValueBytes()));
    m.put("memory-retention", dev.statekeeper.memory.RetentionRule.format(d.memoryRetention()));
    m.put("session-event-retention", StatekeeperConfig.format(d.sessionEventRetention()));
    m.put("retention-interval", StatekeeperConfig.format(d.retentionInterval()));
    m.put("connection-timeout", StatekeeperConfig.format(d.connectionTimeout()));
    m.put("shutdown-timeout", StatekeeperConfig.format(d.shutdownTimeout()));
    StatekeeperConfig.Ops o = d.ops();
    m.put("metrics", o.metricsEnabled() ? "on" : "off");
    m.put("metrics-require-key", Boolean.toString(o.metricsRequireKey()));
    m.put("metrics-refresh", StatekeeperConfig.format(o.metricsRefresh()));
    m.put("request-log", o.requestLog() ? "on" : "off");
    m.put("log-format", o.logFormat().name().toLowerCase(Locale.ROOT));
    for (Role r : Role.values()) {
      m.put("rate-limit-" + r.wireName(), o.rateLimit(r).map(Object::toString).orElse("none"));
    }
    m.put("disk-min-free", percent(o.diskMinFreePercent()));
    m.put("alert-interval", StatekeeperConfig.format(o.alertInterval()));
    m.put("alert-window", StatekeeperConfig.format(o.alertWindow()));
    m.put("alert-sla-min", percent(o.alertSlaMinPercent()));
    m.put("alert-error-rate-max", percent(o.alertErrorRateMaxPercent()));
    m.put("alert-p99-max", StatekeeperConfig.format(o.alertP99Max()));
    m.put("alert-pool-busy-max", percent(o.alertPoolBusyMaxPercent()));
    return m;
  }
}
