package dev.statekeeper.keys;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.time.Duration;
import java.util.List;

/** API keys: the first root key, and how long a node may trust a key it read. */
public record KeySettings(String bootstrapKey, Duration keyCacheTtl) {

  public static final Setting<String> BOOTSTRAP_KEY = Setting.text("bootstrap-key", "SECRET", null,
      "Use this secret (16+ characters) as the first root key instead of generating one.")
      .mustBe(k -> k.length() >= 16, "at least 16 characters").secret();
  public static final Setting<Duration> KEY_CACHE_TTL = Setting.duration("key-cache-ttl", Duration.ofMillis(500),
      "How long a node caches an API key (at most 1s, so a revoked key is refused everywhere within a second).")
      .mustBe(d -> d.compareTo(Duration.ofSeconds(1)) <= 0, "at most 1s");

  public static final List<Setting<?>> ALL = List.of(BOOTSTRAP_KEY, KEY_CACHE_TTL);

  public static KeySettings from(Settings s) {
    return new KeySettings(s.get(BOOTSTRAP_KEY), s.get(KEY_CACHE_TTL));
  }

  @Override
  public String toString() {
    return "KeySettings[bootstrapKey=" + (bootstrapKey == null ? null : "***") + ", keyCacheTtl=" + Setting.format(keyCacheTtl) + "]";
  }
}
