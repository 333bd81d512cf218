package dev.statekeeper.sessions;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * Sessions: the size limits of an event's data and of the state, and how long events are kept.
 *
 * @param sessionEventRetention how long session events are kept, or null to keep them all
 */
public record SessionSettings(long maxEventBytes, long maxStateBytes, Duration sessionEventRetention) {

  private static final long MIN = 1024;
  private static final long MAX = 64L * 1024 * 1024;

  public static final Setting<Long> MAX_EVENT_BYTES = Setting.bytes("max-event-bytes", 256 * 1024, MIN, MAX,
      "Largest data of one session event, as JSON (413 event_too_large above).");
  public static final Setting<Long> MAX_STATE_BYTES = Setting.bytes("max-state-bytes", 512 * 1024, MIN, MAX,
      "Largest session state, as JSON (413 state_too_large above).");
  public static final Setting<Duration> SESSION_EVENT_RETENTION = Setting.durationOrNone("session-event-retention", null,
      "Remove session events older than this, or none.");

  public static final List<Setting<?>> ALL = List.of(MAX_EVENT_BYTES, MAX_STATE_BYTES, SESSION_EVENT_RETENTION);

  public static SessionSettings from(Settings s) {
    return new SessionSettings(s.get(MAX_EVENT_BYTES), s.get(MAX_STATE_BYTES), s.get(SESSION_EVENT_RETENTION));
  }
}
