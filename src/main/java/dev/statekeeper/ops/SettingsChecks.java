package dev.statekeeper.ops;

import dev.statekeeper.http.HttpSettings;
import dev.statekeeper.keys.KeySettings;
import dev.statekeeper.store.StoreSettings;
import dev.statekeeper.tasks.TaskSettings;
import static dev.statekeeper.ops.DoctorCheck.fail;
import static dev.statekeeper.ops.DoctorCheck.pass;
import static dev.statekeeper.ops.DoctorCheck.warn;

import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Whether the settings make sense together, and whether the address can be bound. */
final class SettingsChecks {

  private SettingsChecks() {}

  static List<Doctor.Named> all(StatekeeperConfig c, List<String> args) {
    return List.of(
        new Doctor.Named("settings", () -> settings(c)),
        new Doctor.Named("listen_address", () -> listenAddress(c)),
        new Doctor.Named("port_free", () -> portFree(c)),
        new Doctor.Named("secrets_on_command_line", () -> secretsOnCommandLine(args)),
        new Doctor.Named("lease_vs_reaper", () -> leaseVsReaper(c)),
        new Doctor.Named("sla_vs_reaper", () -> slaVsReaper(c)),
        new Doctor.Named("pool_size", () -> poolSize(c)),
        new Doctor.Named("connection_timeout", () -> connectionTimeout(c)),
        new Doctor.Named("max_body_bytes", () -> maxBody(c)),
        new Doctor.Named("rate_limits", () -> rateLimits(c)),
        new Doctor.Named("metrics_exposure", () -> metricsExposure(c)),
        new Doctor.Named("alert_webhook", () -> alertWebhook(c)));
  }

  /** Which settings are not at their defaults, and where each came from (secrets masked). */
  static DoctorCheck settings(StatekeeperConfig c) {
    String given = c.settings().toString().replaceFirst("^Settings\\[", "").replaceFirst("]$", "");
    return pass("settings", given.isEmpty() ? "every setting at its default" : given);
  }

  static DoctorCheck listenAddress(StatekeeperConfig c) throws Exception {
    InetAddress a;
    try {
      a = InetAddress.getByName(c.http().host());
    } catch (Exception e) {
      return fail("listen_address", HttpSettings.HOST.name() + " " + c.http().host() + " does not resolve", "set " + HttpSettings.HOST.option() + " to an address of this machine (127.0.0.1, 0.0.0.0)");
    }
    if (a.isAnyLocalAddress()) {
      return warn("listen_address", "listening on every interface (" + c.http().host() + ")",
          "put a TLS-terminating proxy in front; bind " + HttpSettings.HOST.option() + " 127.0.0.1 if only local clients need it");
    }
    return pass("listen_address", c.http().host() + (a.isLoopbackAddress() ? " (this machine only)" : ""));
  }

  static DoctorCheck portFree(StatekeeperConfig c) throws Exception {
    if (c.http().port() == 0) {
      return pass("port_free", HttpSettings.PORT.name() + " 0: a free " + HttpSettings.PORT.name() + " is picked at start");
    }
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true); // as Jetty binds: a port in TIME_WAIT after the last run is free to serve
      s.bind(new InetSocketAddress(InetAddress.getByName(c.http().host()), c.http().port()));
    } catch (java.io.IOException e) {
      return fail("port_free", c.http().host() + ":" + c.http().port() + " cannot be bound: " + e.getMessage(),
          "stop whatever listens on " + HttpSettings.PORT.name() + " " + c.http().port() + " (ss -ltnp 'sport = :" + c.http().port() + "') or choose another " + HttpSettings.PORT.option());
    }
    return pass("port_free", c.http().host() + ":" + c.http().port() + " is free");
  }

  static DoctorCheck secretsOnCommandLine(List<String> args) {
    List<String> found = new ArrayList<>();
    for (String a : args) {
      for (String option : new String[] {StoreSettings.DATABASE_PASSWORD.option(), KeySettings.BOOTSTRAP_KEY.option()}) {
        if (a.equals(option) || a.startsWith(option + "=")) found.add(option);
      }
      if (a.startsWith(StoreSettings.DATABASE_URL.option()) && a.contains("password=")) found.add(StoreSettings.DATABASE_URL.option() + " with password=");
    }
    if (!found.isEmpty()) {
      return warn("secrets_on_command_line", "secrets given as arguments are visible to every user in the process list: " + found,
          "pass them as STATEKEEPER_DATABASE_PASSWORD / STATEKEEPER_BOOTSTRAP_KEY or in a --config file readable only by the service");
    }
    return pass("secrets_on_command_line", "no secret among the arguments");
  }

  static DoctorCheck leaseVsReaper(StatekeeperConfig c) {
    if (c.tasks().reaperInterval().multipliedBy(2).compareTo(c.tasks().defaultLease()) > 0) {
      return warn("lease_vs_reaper", TaskSettings.REAPER_INTERVAL.name() + " " + f(c.tasks().reaperInterval()) + " is more than half the default lease "
          + f(c.tasks().defaultLease()) + ": expired leases are noticed late", "lower " + TaskSettings.REAPER_INTERVAL.option() + " (1s is the default) or raise " + TaskSettings.DEFAULT_LEASE.option());
    }
    return pass("lease_vs_reaper", "leases of " + f(c.tasks().defaultLease()) + " swept every " + f(c.tasks().reaperInterval()));
  }

  static DoctorCheck slaVsReaper(StatekeeperConfig c) {
    Optional<Duration> shortest = c.tasks().slaDeadlines().values().stream().min(Duration::compareTo);
    if (shortest.isPresent() && c.tasks().reaperInterval().multipliedBy(10).compareTo(shortest.get()) > 0) {
      return warn("sla_vs_reaper", "the shortest SLA deadline " + f(shortest.get()) + " is under ten sweeps of " + f(c.tasks().reaperInterval())
          + ": violations are recorded late", "lower " + TaskSettings.REAPER_INTERVAL.option() + " or lengthen the --sla-* deadlines");
    }
    return pass("sla_vs_reaper", shortest.map(d -> "shortest SLA deadline " + f(d)).orElse("no SLA deadlines by default"));
  }

  static DoctorCheck poolSize(StatekeeperConfig c) {
    if (!c.store().usesPostgres() && c.store().poolSize() > 16) {
      return warn("pool_size", StoreSettings.POOL_SIZE.name() + " " + c.store().poolSize() + " on SQLite: readers are capped at 16 (one writer besides)", "set " + StoreSettings.POOL_SIZE.option() + " 16 or less");
    }
    if (c.store().usesPostgres() && c.store().poolSize() > 100) {
      return warn("pool_size", StoreSettings.POOL_SIZE.name() + " " + c.store().poolSize() + " per node: PostgreSQL slows down with hundreds of connections",
          "use a smaller pool (cores × 2-4 of the database is a common start) or a pooler such as PgBouncer");
    }
    return pass("pool_size", c.store().poolSize() + " connections");
  }

  static DoctorCheck connectionTimeout(StatekeeperConfig c) {
    if (c.store().connectionTimeout().compareTo(Duration.ofSeconds(10)) > 0) {
      return warn("connection_timeout", StoreSettings.CONNECTION_TIMEOUT.name() + " " + f(c.store().connectionTimeout()) + ": during an outage requests hang that long before 503",
          "use a few seconds (" + StoreSettings.CONNECTION_TIMEOUT.option() + " 2s is the default)");
    }
    return pass("connection_timeout", f(c.store().connectionTimeout()));
  }

  static DoctorCheck maxBody(StatekeeperConfig c) {
    if (c.http().maxBodyBytes() > 16L * 1024 * 1024) {
      return warn("max_body_bytes", "bodies up to " + c.http().maxBodyBytes() + " bytes: a few concurrent uploads can exhaust the heap",
          "keep " + HttpSettings.MAX_BODY.option() + " at a few MiB and store large blobs elsewhere");
    }
    return pass("max_body_bytes", c.http().maxBodyBytes() + " bytes");
  }

  static DoctorCheck rateLimits(StatekeeperConfig c) {
    List<String> limited = new ArrayList<>();
    for (Role r : Role.values()) {
      c.http().rateLimit(r).ifPresent(l -> limited.add(r.wireName() + " " + l));
    }
    if (c.http().rateLimit(Role.AGENT).isEmpty() && c.http().rateLimit(Role.READER).isEmpty()) {
      return warn("rate_limits", "agent and reader keys are not rate limited: one runaway agent can take the whole server",
          "set " + HttpSettings.RATE_LIMIT_AGENT.option() + " and " + HttpSettings.RATE_LIMIT_READER.option() + " (for example 1000/s)");
    }
    return pass("rate_limits", String.join(", ", limited));
  }

  static DoctorCheck metricsExposure(StatekeeperConfig c) throws Exception {
    if (!c.ops().metricsEnabled()) {
      return warn("metrics_exposure", OpsSettings.METRICS.name() + " are off: no /metrics, no dashboard figures, no latency or error-rate alerts", "remove " + OpsSettings.METRICS.option() + " off");
    }
    boolean everywhere = InetAddress.getByName(c.http().host()).isAnyLocalAddress();
    if (everywhere && !c.ops().metricsRequireKey()) {
      return warn("metrics_exposure", "/" + OpsSettings.METRICS.name() + " is open without a key on every interface (task counts of all tenants)",
          "set " + OpsSettings.METRICS_REQUIRE_KEY.option() + " true, or keep the " + HttpSettings.PORT.name() + " behind a firewall that only lets Prometheus in");
    }
    return pass("metrics_exposure", c.ops().metricsRequireKey() ? "/" + OpsSettings.METRICS.name() + " needs an admin key" : "/" + OpsSettings.METRICS.name() + " is open to " + c.http().host());
  }

  static DoctorCheck alertWebhook(StatekeeperConfig c) {
    String url = c.ops().alertWebhook();
    if (url == null) {
      return pass("alert_webhook", "no webhook: alerts are logged and listed at /v1/ops/alerts");
    }
    URI u = URI.create(url);
    int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(u.getHost(), port), 2_000);
    } catch (Exception e) {
      return warn("alert_webhook", url + " cannot be reached: " + e.getMessage(),
          "check the URL and that this " + HttpSettings.HOST.name() + " may connect to " + u.getHost() + ":" + port);
    }
    return pass("alert_webhook", u.getHost() + ":" + port + " accepts connections");
  }

  static String f(Duration d) {
    return dev.statekeeper.config.Setting.format(d);
  }
}
