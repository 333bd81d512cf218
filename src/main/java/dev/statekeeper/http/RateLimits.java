package dev.statekeeper.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A request budget per API key, by the key's role ({@code rate-limit-<role>}): a Resilience4j
 * {@link RateLimiter} per key id that never waits, so a key over its budget gets 429 with {@code
 * Retry-After} at once. Limiters of keys unused for ten minutes are dropped (Caffeine), so the
 * map stays as small as the set of active keys. Limits are per node: behind a load balancer of
 * N nodes a key may make up to N times its budget.
 *
 * <p>Concurrency: Caffeine and the limiters are thread-safe.
 */
final class RateLimits {

  private final Map<Role, RateLimiterConfig> configs = new EnumMap<>(Role.class);
  private final Map<Role, Counter> rejected = new EnumMap<>(Role.class);
  private final Cache<String, RateLimiter> limiters =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).maximumSize(100_000).build();

  RateLimits(HttpSettings ops, MeterRegistry meters) {
    for (Role role : Role.values()) {
      ops.rateLimit(role).ifPresent(limit -> configs.put(role, RateLimiterConfig.custom()
          .limitForPeriod(limit.permits())
          .limitRefreshPeriod(limit.period())
          .timeoutDuration(Duration.ZERO)
          .build()));
      rejected.put(role, Counter.builder("statekeeper.http.rate.limited")
          .description("Requests refused with 429 because their key spent its budget")
          .tag("role", role.wireName())
          .register(meters));
    }
  }

  /** Takes one permit of {@code keyId}'s budget, or fails with {@link StatekeeperException.RateLimited}. */
  void acquire(String keyId, Role role) {
    RateLimiterConfig config = configs.get(role);
    if (config == null) {
      return;
    }
    RateLimiter limiter = limiters.get(role.wireName() + ":" + keyId, name -> RateLimiter.of(name, config));
    if (limiter.acquirePermission()) {
      return;
    }
    rejected.get(role).increment();
    long seconds = waitSeconds(limiter);
    throw new StatekeeperException.RateLimited(
        "this " + role.wireName() + " key may make " + describe(config) + "; retry in " + seconds + " s", seconds);
  }

  private static long waitSeconds(RateLimiter limiter) {
    long nanos =
        limiter instanceof AtomicRateLimiter atomic
            ? Math.max(0, atomic.getDetailedMetrics().getNanosToWait())
            : limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
    return Math.max(1, (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
  }

  private static String describe(RateLimiterConfig c) {
    return c.getLimitForPeriod() + " requests per " + dev.statekeeper.config.Setting.format(c.getLimitRefreshPeriod());
  }
}
