package dev.statekeeper.keys;

import dev.statekeeper.Capability;
import dev.statekeeper.http.Routes;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.Redis;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API keys and tenants. A key binds a tenant, a subject and a role; a tenant exists once a key
 * names it. Secrets are stored only as SHA-256 hashes. {@link #authenticate} answers from a small
 * cache whose entries live at most {@code key-cache-ttl} (≤ 1 s), so a key revoked on any node is
 * refused everywhere within a second; one load per key id at a time. While the store is
 * unreachable, a key read within the last ten minutes is still recognised (so operators can see
 * health and alerts during an outage); everything that needs the store answers 503 anyway.
 */
public final class Keys implements Capability {

  /** The tenant of the first root key. */
  public static final String DEFAULT_TENANT = "default";

  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern SUBJECT = Pattern.compile("(user|agent|service):[A-Za-z0-9_.@:-]{1,128}");

  private final Store store;
  private final Dialect d;
  private final LoadingCache<String, Optional<StoredKey>> byId;
  private final Cache<String, StoredKey> lastKnown =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(java.time.Duration.ofMinutes(10)).build();

  private record StoredKey(ApiKey key, byte[] hash) {}

  /** The Redis channel on which revoked key ids are announced. */
  public static final String CHANNEL = "statekeeper:keys";

  private final Redis redis; // null without Redis

  private Keys(Store store, StatekeeperConfig config, Redis redis, MeterRegistry meters) {
    this.store = store;
    this.redis = redis;
    this.d = store.dialect();
    this.byId =
        Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(config.keys().keyCacheTtl())
            .recordStats()
            .build(this::load);
    // Level "local": this node's memory. A shared level (Redis) reports under the same names.
    CaffeineCacheMetrics.monitor(meters, byId, "api_keys", "level", "local");
  }

  public static Keys open(Store store, StatekeeperConfig config) {
    return new Keys(store, config, null, new io.micrometer.core.instrument.composite.CompositeMeterRegistry());
  }

  /** As {@link #open(Store, StatekeeperConfig)}, with the key cache's hits and misses in {@code meters}. */
  public static Keys open(Store store, StatekeeperConfig config, MeterRegistry meters) {
    return new Keys(store, config, null, meters);
  }

  /**
   * With Redis, a revocation also reaches other nodes' caches at once (else within
   * key-cache-ttl); the key cache's hits and misses go to {@code meters}.
   */
  public static Keys open(Store store, StatekeeperConfig config, Redis redis, MeterRegistry meters) {
    return new Keys(store, config, redis, meters);
  }

  @Override
  public void routes(Routes routes) {
    new KeyRoutes(this, routes.maxBodyBytes()).register(routes);
  }

  /** Another node revoked key {@code id}. */
  public void onRevoked(String id) {
    byId.invalidate(id);
    lastKnown.invalidate(id);
  }

  /** This node's cache of API keys (see {@link #authenticate}), for {@code /health}. */
  public dev.statekeeper.LocalCacheStats cacheStats() {
    var stats = byId.stats();
    return new dev.statekeeper.LocalCacheStats(byId.estimatedSize(), stats.hitCount(), stats.missCount());
  }

  /**
   * The public id part of a bearer token ({@code sk_<id>_…}), safe to log; never the secret. For
   * a token not in that form, a short hash of it.
   */
  public static String keyIdOf(String token) {
    return token == null || token.isBlank() ? null : KeyTokens.idOf(token);
  }

  /** The caller a bearer token stands for; {@link StatekeeperException.Unauthorized} when none. */
  public Caller authenticate(String token) {
    if (token == null || token.isBlank()) {
      throw new StatekeeperException.Unauthorized(
          "missing_key", "send an API key as 'Authorization: Bearer <key>'");
    }
    String id = KeyTokens.idOf(token);
    Optional<StoredKey> stored;
    try {
      stored = byId.get(id);
      stored.ifPresent(s -> lastKnown.put(id, s));
    } catch (StatekeeperException.StoreUnavailable e) {
      // Stale if error: while the store is unreachable, a key read from it within the last ten
      // minutes still identifies its caller, so /health, alerts and the dashboard stay visible.
      // Nothing else works without the store, and no key can be revoked without it either.
      StoredKey last = lastKnown.getIfPresent(id);
      if (last == null) {
        throw e;
      }
      stored = Optional.of(last);
    }
    if (stored.isEmpty()
        || stored.get().key().revokedAt() != null
        || !KeyTokens.matches(token, stored.get().hash())) {
      throw new StatekeeperException.Unauthorized("invalid_key", "unknown or revoked API key");
    }
    ApiKey k = stored.get().key();
    return new Caller(k.tenant(), k.subject(), k.role());
  }

  /**
   * Makes a key. Root callers may make any key; admins only non-root keys in their own tenant.
   * The secret is in the result and nowhere else.
   */
  public CreatedKey create(Caller caller, String tenant, String subject, Role role) {
    check(TENANT, tenant, "invalid_tenant", "tenant must be 1-64 characters of A-Z a-z 0-9 _ . - starting with a letter or digit");
    check(SUBJECT, subject, "invalid_subject", "subject must be user:<id>, agent:<id> or service:<id> (id: 1-128 of A-Z a-z 0-9 _ . @ : -)");
    if (role == null) {
      throw new InvalidInput("invalid_role", "role is required: one of root, admin, agent, reader");
    }
    switch (caller.role()) {
      case ROOT -> {}
      case ADMIN -> {
        if (!caller.tenant().equals(tenant)) {
          throw new StatekeeperException.Forbidden(
              "tenant_forbidden", "an admin key makes keys only in its own tenant " + caller.tenant());
        }
        if (role == Role.ROOT) {
          throw new StatekeeperException.Forbidden("role_forbidden", "only a root key makes root keys");
        }
      }
      default -> throw new StatekeeperException.Forbidden(
          "admin_required", "only root and admin keys make keys");
    }
    KeyTokens.Token token = KeyTokens.generate();
    store.write("creating a key", c -> insert(c, token.id(), tenant, subject, role, token.text()));
    return new CreatedKey(token.id(), token.text(), tenant, subject, role);
  }

  /** Keys of one tenant (root: of {@code tenant}, or every tenant when null), oldest first. */
  public List<ApiKey> list(Caller caller, String tenant) {
    String scope;
    if (caller.role() == Role.ROOT) {
      scope = tenant;
    } else if (caller.role() == Role.ADMIN) {
      if (tenant != null && !tenant.equals(caller.tenant())) {
        return List.of(); // another tenant: nothing to see, and nothing revealed
      }
      scope = caller.tenant();
    } else {
      throw new StatekeeperException.Forbidden("admin_required", "only root and admin keys list keys");
    }
    String sql =
        "SELECT * FROM api_keys" + (scope == null ? "" : " WHERE tenant = ?") + " ORDER BY created_at, id";
    return store.read(
        "listing keys",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (scope != null) {
              SqlArgs.bind(ps, d, scope);
            }
            try (ResultSet rs = ps.executeQuery()) {
              List<ApiKey> out = new ArrayList<>();
              while (rs.next()) {
                out.add(row(rs).key());
              }
              return out;
            }
          }
        });
  }

  /** Revokes a key (idempotent). The last valid root key cannot be revoked. */
  public ApiKey revoke(Caller caller, String id) {
    if (caller.role() != Role.ROOT && caller.role() != Role.ADMIN) {
      throw new StatekeeperException.Forbidden("admin_required", "only root and admin keys revoke keys");
    }
    ApiKey revoked =
        store.write(
            "revoking key " + id,
            c -> {
              StoredKey k = select(c, id).orElse(null);
              if (k == null
                  || (caller.role() != Role.ROOT && !k.key().tenant().equals(caller.tenant()))) {
                throw new StatekeeperException.NotFound("key_not_found", "no key " + id);
              }
              if (caller.role() != Role.ROOT && k.key().role() == Role.ROOT) {
                throw new StatekeeperException.Forbidden("role_forbidden", "only a root key revokes root keys");
              }
              if (k.key().revokedAt() != null) {
                return k.key();
              }
              if (k.key().role() == Role.ROOT && activeRootKeys(c) <= 1) {
                throw new StatekeeperException.Conflict(
                    "last_root_key", "key " + id + " is the last valid root key; make another first");
              }
              try (PreparedStatement ps =
                  c.prepareStatement("UPDATE api_keys SET revoked_at = sk_now() WHERE id = ?")) {
                SqlArgs.bind(ps, d, id);
                ps.executeUpdate();
              }
              return select(c, id).orElseThrow().key();
            });
    byId.invalidate(id);
    lastKnown.invalidate(id); // else an outage right after the revocation would let the key back in
    if (redis != null) {
      redis.publish(CHANNEL, id);
    }
    return revoked;
  }

  /**
   * Makes sure the store has a root key. With {@code bootstrapKey}, that key is added as a root
   * key of the default tenant unless it is already known (a revoked one stays revoked). Without
   * it, a new root key is made only when no valid root key exists. Returns a key to show the
   * operator once, when one was generated.
   */
  public Optional<CreatedKey> bootstrap(String bootstrapKey) {
    return store.write(
        "bootstrapping the root key",
        c -> {
          lockForBootstrap(c);
          if (bootstrapKey != null) {
            String id = KeyTokens.idOf(bootstrapKey);
            if (select(c, id).isEmpty()) {
              insert(c, id, DEFAULT_TENANT, "user:root", Role.ROOT, bootstrapKey);
            }
            return Optional.<CreatedKey>empty();
          }
          if (activeRootKeys(c) > 0) {
            return Optional.<CreatedKey>empty();
          }
          KeyTokens.Token token = KeyTokens.generate();
          insert(c, token.id(), DEFAULT_TENANT, "user:root", Role.ROOT, token.text());
          return Optional.of(
              new CreatedKey(token.id(), token.text(), DEFAULT_TENANT, "user:root", Role.ROOT));
        });
  }

  // ---------------------------------------------------------------- SQL

  private Optional<StoredKey> load(String id) {
    return store.read("looking up key " + id, c -> select(c, id));
  }

  private Optional<StoredKey> select(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM api_keys WHERE id = ?")) {
      SqlArgs.bind(ps, d, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  private Void insert(Connection c, String id, String tenant, String subject, Role role, String token)
      throws SQLException {
    String sql =
        "INSERT INTO api_keys (id, tenant, subject, role, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, sk_now())";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      SqlArgs.bind(ps, d, id, tenant, subject, role.wireName(), KeyTokens.hash(token));
      ps.executeUpdate();
    }
    return null;
  }

  private int activeRootKeys(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT COUNT(*) FROM api_keys WHERE role = 'root' AND revoked_at IS NULL");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Two nodes starting together on an empty PostgreSQL must not both make a root key. */
  private void lockForBootstrap(Connection c) throws SQLException {
    d.lockAcrossNodes(c, 7301001);
  }

  private StoredKey row(ResultSet rs) throws SQLException {
    ApiKey key =
        new ApiKey(
            rs.getString("id"),
            rs.getString("tenant"),
            rs.getString("subject"),
            Role.parse(rs.getString("role")),
            d.getInstant(rs, "created_at"),
            d.getInstant(rs, "revoked_at"));
    return new StoredKey(key, rs.getBytes("secret_hash"));
  }

  /** Refuses a {@code text} that {@code pattern} does not match whole: {@code code}, "{@code rule}; got 'text'". */
  private static void check(Pattern pattern, String text, String code, String rule) {
    if (text == null || !pattern.matcher(text).matches()) {
      throw new InvalidInput(code, rule + "; got " + (text == null ? "nothing" : "'" + text + "'"));
    }
  }
}
