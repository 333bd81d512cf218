package dev.statekeeper.jobs;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.time.Duration;
import java.util.List;

/** What the background jobs of several capabilities share: how often retention runs. */
public record JobSettings(Duration retentionInterval) {

  public static final Setting<Duration> RETENTION_INTERVAL = Setting.duration("retention-interval", Duration.ofMinutes(1),
      "How often memory and session retention, and the sweeper of expired memory entries, run.");

  public static final List<Setting<?>> ALL = List.of(RETENTION_INTERVAL);

  public static JobSettings from(Settings s) {
    return new JobSettings(s.get(RETENTION_INTERVAL));
  }
}
