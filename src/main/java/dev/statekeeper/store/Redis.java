package dev.statekeeper.store;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisPubSub;

/**
 * Redis as a shared cache and a message bus between nodes — never the source of truth. Every
 * call goes through a Resilience4j circuit breaker with short timeouts: when Redis is slow or
 * gone, calls fail fast (gets answer empty, sets and publishes are dropped) and callers fall
 * back to the database. A subscriber thread keeps one connection per channel set and
 * reconnects with backoff; {@link #subscribed()} tells whether messages are arriving.
 *
 * <p>Concurrency: {@link JedisPooled} is thread-safe; the subscriber runs on its own daemon
 * thread; state flags are volatile.
 */
public final class Redis implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Redis.class);

  private final URI uri;
  private final JedisPooled client;
  private final CircuitBreaker breaker;
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean closed;
  private volatile boolean subscribed;
  private volatile JedisPubSub pubSub;
  private Thread subscriber;

  private Redis(URI uri, Duration timeout) {
    this.uri = uri;
    int ms = (int) timeout.toMillis();
    var config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(ms).socketTimeoutMillis(ms).build();
    this.client = new JedisPooled(new HostAndPort(host(uri), port(uri)), config);
    this.breaker =
        CircuitBreaker.of(
            "redis",
            CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .slowCallDurationThreshold(Duration.ofMillis(Math.max(20, ms / 2)))
                .slowCallRateThreshold(80)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(3)
                .build());
  }

  /** Connects lazily to {@code redis://host:port}; {@code timeout} bounds every call. */
  public static Redis connect(String url, Duration timeout) {
    URI uri = URI.create(url);
    if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("redis-url must look like redis://host:6379; got " + url);
    }
    return new Redis(uri, timeout);
  }

  public Optional<String> get(String key) {
    return call(() -> Optional.ofNullable(client.get(key)), Optional.empty());
  }

  public void set(String key, String value, Duration ttl) {
    call(() -> client.setex(key, Math.max(1, ttl.toSeconds()), value), null);
  }

  public void publish(String channel, String message) {
    call(() -> client.publish(channel, message), null);
  }

  /** True when the breaker lets calls through and the subscription (if any) is live. */
  public boolean healthy() {
    return breaker.getState() != CircuitBreaker.State.OPEN && (subscriber == null || subscribed);
  }

  public boolean subscribed() {
    return subscribed;
  }

  public String breakerState() {
    return breaker.getState().name();
  }

  public long failures() {
    return failures.get();
  }

  /** A round trip now, bypassing the breaker: for health checks. Empty when it failed. */
  public Optional<Duration> ping() {
    long t0 = System.nanoTime();
    try {
      client.ping();
      return Optional.of(Duration.ofNanos(System.nanoTime() - t0));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  public String describe() {
    return "redis://" + host(uri) + ":" + port(uri);
  }

  /**
   * Delivers every message on {@code channels} to {@code handler(channel, message)} from a
   * background thread, resubscribing with backoff after a broken connection. {@code
   * onResubscribe} runs after every (re)subscription: messages sent while disconnected are
   * lost, so callers drop what they cached then.
   */
  public void subscribe(BiConsumer<String, String> handler, Runnable onResubscribe, String... channels) {
    subscriber = Thread.ofPlatform().daemon().name("statekeeper-redis-subscriber").start(() -> {
      long backoff = 100;
      while (!closed) {
        try (Jedis jedis = new Jedis(new HostAndPort(host(uri), port(uri)),
            DefaultJedisClientConfig.builder().connectionTimeoutMillis(1000).socketTimeoutMillis(0).build())) {
          JedisPubSub ps = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
              try {
                handler.accept(channel, message);
              } catch (Throwable t) {
                failures.incrementAndGet();
                log.warn("handling a Redis message on {} failed: {}", channel, t.toString());
              }
            }

            @Override
            public void onSubscribe(String channel, int count) {
              if (count == channels.length) {
                subscribed = true;
                onResubscribe.run();
              }
            }
          };
          pubSub = ps;
          backoff = 100;
          jedis.subscribe(ps, channels); // blocks until unsubscribed or the connection breaks
        } catch (Throwable t) {
          if (closed) return;
          failures.incrementAndGet();
          if (subscribed) log.warn("Redis subscription lost ({}); reconnecting", t.toString());
        } finally {
          subscribed = false;
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          return;
        }
        backoff = Math.min(5_000, backoff * 2);
      }
    });
  }

  private <T> T call(Supplier<T> body, T fallback) {
    try {
      return breaker.executeSupplier(body);
    } catch (CallNotPermittedException open) {
      return fallback;
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      return fallback;
    }
  }

  private static String host(URI u) {
    return u.getHost();
  }

  private static int port(URI u) {
    return u.getPort() > 0 ? u.getPort() : 6379;
  }

  @Override
  public void close() {
    closed = true;
    JedisPubSub ps = pubSub;
    if (ps != null) {
      try {
        ps.unsubscribe();
      } catch (RuntimeException ignored) {
        // the connection may be gone already
      }
    }
    if (subscriber != null) subscriber.interrupt();
    client.close();
  }
}
