package dev.statekeeper.memory;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.util.List;

/**
 * Memory: the size limit of a value, and how much history to keep per namespace prefix.
 *
 * @param memoryRetention the retention rules; empty keeps every version
 */
public record MemorySettings(long maxMemoryValueBytes, List<RetentionRule> memoryRetention) {

  public static final Setting<Long> MAX_MEMORY_VALUE_BYTES = Setting.bytes("max-memory-value-bytes", 256 * 1024, 1024,
      64L * 1024 * 1024, "Largest memory value, as JSON (413 value_too_large above).");
  public static final Setting<List<RetentionRule>> MEMORY_RETENTION = Setting.of("memory-retention", "RULES", List.of(),
      RetentionRule::parseAll, RetentionRule::format,
      "Memory history to keep per namespace prefix: PREFIX=LIMIT[,LIMIT] rules separated by ';', limits keep-versions:N"
          + " and max-age:DURATION, prefix * for all; the longest matching prefix applies and the current version is"
          + " always kept. Example: 'user=keep-versions:10,max-age:30d;*=keep-versions:100'.");

  public static final List<Setting<?>> ALL = List.of(MAX_MEMORY_VALUE_BYTES, MEMORY_RETENTION);

  public MemorySettings {
    memoryRetention = List.copyOf(memoryRetention);
  }

  public static MemorySettings from(Settings s) {
    return new MemorySettings(s.get(MAX_MEMORY_VALUE_BYTES), s.get(MEMORY_RETENTION));
  }
}
