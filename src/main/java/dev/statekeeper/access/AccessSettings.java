package dev.statekeeper.access;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * Access checks: how long a node trusts the access epoch it read without an announcement — the
 * bound on staleness when Redis is down.
 */
public record AccessSettings(Duration accessEpochRefresh) {

  public static final Setting<Duration> ACCESS_EPOCH_REFRESH = Setting.duration("access-epoch-refresh", Duration.ofMillis(500),
      "How often a node re-reads access changes from the database (at most 1s, so a revoked grant is refused"
          + " everywhere within a second).")
      .mustBe(d -> d.compareTo(Duration.ofSeconds(1)) <= 0, "at most 1s");

  public static final List<Setting<?>> ALL = List.of(ACCESS_EPOCH_REFRESH);

  public static AccessSettings from(Settings s) {
    return new AccessSettings(s.get(ACCESS_EPOCH_REFRESH));
  }
}
