package dev.statekeeper.http;

import dev.statekeeper.Role;
import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The HTTP server: address, body limit, graceful stop, the request log and rate limits per role. */
public record HttpSettings(
    String host, int port, long maxBodyBytes, Duration shutdownTimeout, boolean requestLog, Map<Role, RateLimit> rateLimits) {

  public static final long MIN_BODY_BYTES = 1024;
  public static final long MAX_BODY_BYTES = 64L * 1024 * 1024;

  /** A request budget: {@code permits} per {@code period} ({@code 100/s}, {@code 6000/m}). */
  public record RateLimit(int permits, Duration period) {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*/\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    public RateLimit {
      if (permits < 1) {
        throw new IllegalArgumentException("a rate limit needs at least 1 request per period; got " + permits);
      }
    }

    /** Parses {@code 100/s}, {@code 6000/m}, {@code 50000/h}. */
    static RateLimit parse(String name, String text) {
      Matcher m = FORM.matcher(text.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException(name + " must be a rate such as 100/s or 6000/m, or none; got '" + text + "'");
      }
      return new RateLimit(Integer.parseInt(m.group(1)), Setting.parseDuration(name, "1" + m.group(2)));
    }

    @Override
    public String toString() {
      return permits + "/" + Setting.format(period).replaceFirst("^1", "");
    }
  }

  public static final Setting<String> HOST = Setting.text("host", "HOST", "127.0.0.1",
      "Address to listen on; 0.0.0.0 for every interface.");
  public static final Setting<Integer> PORT = Setting.integer("port", 7070, 0, 65535, "Port to listen on; 0 picks a free one.");
  public static final Setting<Long> MAX_BODY = Setting.bytes("max-body-bytes", 1024 * 1024, MIN_BODY_BYTES, MAX_BODY_BYTES,
      "Largest request body accepted (413 above).");
  public static final Setting<Duration> SHUTDOWN_TIMEOUT = Setting.duration("shutdown-timeout", Duration.ofSeconds(10),
      "On stop, how long requests in flight may take to finish.");
  public static final Setting<Boolean> REQUEST_LOG = Setting.flag("request-log", true, "One log line per request.");
  public static final Setting<RateLimit> RATE_LIMIT_ROOT = rateLimit(Role.ROOT, null);
  public static final Setting<RateLimit> RATE_LIMIT_ADMIN = rateLimit(Role.ADMIN, null);
  public static final Setting<RateLimit> RATE_LIMIT_AGENT = rateLimit(Role.AGENT, new RateLimit(1000, Duration.ofSeconds(1)));
  public static final Setting<RateLimit> RATE_LIMIT_READER = rateLimit(Role.READER, new RateLimit(1000, Duration.ofSeconds(1)));

  private static Setting<RateLimit> rateLimit(Role role, RateLimit dflt) {
    String name = "rate-limit-" + role.wireName();
    return Setting.of(name, "RATE", dflt, t -> RateLimit.parse(name, t), RateLimit::toString,
        "Requests per key of role " + role.wireName() + ", as 100/s or 6000/m, or none.").orNone();
  }

  public static final List<Setting<?>> ALL = List.of(
      HOST, PORT, MAX_BODY, SHUTDOWN_TIMEOUT, REQUEST_LOG, RATE_LIMIT_ROOT, RATE_LIMIT_ADMIN, RATE_LIMIT_AGENT,
      RATE_LIMIT_READER);

  public HttpSettings {
    rateLimits = Map.copyOf(rateLimits);
  }

  public static HttpSettings from(Settings s) {
    Map<Role, RateLimit> limits = s.getEach(Role.class,
        Map.of(Role.ROOT, RATE_LIMIT_ROOT, Role.ADMIN, RATE_LIMIT_ADMIN, Role.AGENT, RATE_LIMIT_AGENT, Role.READER, RATE_LIMIT_READER));
    return new HttpSettings(s.get(HOST), s.get(PORT), s.get(MAX_BODY), s.get(SHUTDOWN_TIMEOUT), s.get(REQUEST_LOG), limits);
  }

  public Optional<RateLimit> rateLimit(Role role) {
    return Optional.ofNullable(rateLimits.get(role));
  }
}
