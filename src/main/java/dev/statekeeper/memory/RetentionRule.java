package dev.statekeeper.memory;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How much history to keep for the memory entries under one namespace prefix (matched by whole
 * segments; {@code *} matches every namespace). Where several rules match a namespace, the one
 * with the longest prefix applies.
 *
 * <p>An older version is removed only when every limit the rule sets says so: beyond the last
 * {@code keepVersions} versions <em>and</em> written longer than {@code maxAge} ago. The current
 * version (a tombstone included) is never removed, whatever the rule.
 *
 * @param prefix a namespace, or {@code *} for all
 * @param keepVersions how many of the newest versions to keep (the current one included), or null
 * @param maxAge how long to keep a version after it was written, or null
 */
public record RetentionRule(String prefix, Integer keepVersions, Duration maxAge) {

  /** The prefix of a rule that applies to every namespace. */
  public static final String EVERYWHERE = "*";

  public RetentionRule {
    if (prefix == null || !prefix.equals(EVERYWHERE)) {
      try {
        Namespaces.prefix(prefix);
      } catch (StatekeeperException.InvalidInput e) {
        throw new IllegalArgumentException("memory-retention: " + e.getMessage());
      }
    }
    if (keepVersions == null && maxAge == null) {
      throw new IllegalArgumentException(
          "memory-retention for '" + prefix + "' sets no limit; give keep-versions:N and/or max-age:DURATION");
    }
    if (keepVersions != null && keepVersions < 1) {
      throw new IllegalArgumentException(
          "memory-retention keep-versions must be at least 1 (the current version is always kept); got " + keepVersions);
    }
    if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
      throw new IllegalArgumentException("memory-retention max-age must be positive; got " + maxAge);
    }
  }

  /** Whether this rule's prefix covers {@code namespace}. */
  public boolean covers(String namespace) {
    return prefix.equals(EVERYWHERE) || Namespaces.within(namespace, prefix);
  }

  /**
   * Parses the {@code memory-retention} setting: rules separated by {@code ;}, each {@code
   * PREFIX=LIMIT[,LIMIT]} with the limits {@code keep-versions:N} and {@code max-age:DURATION},
   * e.g. {@code user=keep-versions:10,max-age:30d;*=keep-versions:100}. Blank or {@code none}
   * means no rules.
   */
  public static List<RetentionRule> parseAll(String spec) {
    List<RetentionRule> rules = new ArrayList<>();
    if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("none")) {
      return rules;
    }
    Set<String> prefixes = new HashSet<>();
    for (String part : spec.split(";")) {
      String rule = part.trim();
      if (rule.isEmpty()) {
        continue;
      }
      int eq = rule.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(
            "memory-retention rule '" + rule + "' must be PREFIX=LIMIT[,LIMIT], e.g. user=keep-versions:10,max-age:30d");
      }
      String prefix = rule.substring(0, eq).trim();
      Integer keep = null;
      Duration age = null;
      for (String limit : rule.substring(eq + 1).split(",")) {
        String l = limit.trim();
        int colon = l.indexOf(':');
        String name = colon < 0 ? l : l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = colon < 0 ? "" : l.substring(colon + 1).trim();
        switch (name) {
          case "keep-versions" -> {
            try {
              keep = Integer.parseInt(value);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException(
                  "memory-retention keep-versions must be a whole number; got '" + value + "' in '" + rule + "'");
            }
          }
          case "max-age" -> age = dev.statekeeper.config.Setting.parseDuration("memory-retention max-age", value);
          default ->
              throw new IllegalArgumentException(
                  "memory-retention limit '" + l + "' in '" + rule + "' is not keep-versions:N or max-age:DURATION");
        }
      }
      if (!prefixes.add(prefix)) {
        throw new IllegalArgumentException("memory-retention names the prefix '" + prefix + "' twice");
      }
      rules.add(new RetentionRule(prefix, keep, age));
    }
    return rules;
  }

  /** The inverse of {@link #parseAll}, for {@code --help} and logs. */
  public static String format(List<RetentionRule> rules) {
    List<String> parts = new ArrayList<>();
    for (RetentionRule r : rules) {
      List<String> limits = new ArrayList<>();
      if (r.keepVersions() != null) limits.add("keep-versions:" + r.keepVersions());
      if (r.maxAge() != null) limits.add("max-age:" + dev.statekeeper.config.Setting.format(r.maxAge()));
      parts.add(r.prefix() + "=" + String.join(",", limits));
    }
    return parts.isEmpty() ? "none" : String.join(";", parts);
  }
}
