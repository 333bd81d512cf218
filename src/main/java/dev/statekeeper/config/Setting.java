package dev.statekeeper.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One setting, declared once where the capability that uses it lives: its name ({@code
 * reaper-interval}), how its text is read and written, its default, the check a value must pass
 * and its help. Everything else is derived from the declaration: the command-line option ({@code
 * --reaper-interval}), the environment variable ({@code STATEKEEPER_REAPER_INTERVAL}), the key in
 * a {@code --config} file, {@code --help}, the masked {@code toString} of a configuration and the
 * doctor's settings report.
 *
 * <p>Values are immutable; a setting whose value may be absent ({@code none}) has type {@code
 * T} with null for none, and {@link #noneAllowed()}.
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  private final String name;
  private final String label;
  private final T defaultValue;
  private final String help;
  private final Function<String, T> parse;
  private final Function<T, String> format;
  private final Predicate<T> check;
  private final String mustBe;
  private final boolean noneAllowed;
  private final boolean secret;
  private Function<T, String> shown; // how a value may be shown, when not as written (a URL's password masked)

  private Setting(
      String name, String label, T defaultValue, String help, Function<String, T> parse, Function<T, String> format,
      Predicate<T> check, String mustBe, boolean noneAllowed, boolean secret) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a setting's name is lower-case words joined by '-'; got '" + name + "'");
    }
    this.name = name;
    this.label = label;
    this.defaultValue = defaultValue;
    this.help = Objects.requireNonNull(help, "help");
    this.parse = parse;
    this.format = format;
    this.check = check;
    this.mustBe = mustBe;
    this.noneAllowed = noneAllowed;
    this.secret = secret;
  }

  // ---------------------------------------------------------------- kinds of setting

  /** A duration ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d} or ISO-8601), positive. */
  public static Setting<Duration> duration(String name, Duration defaultValue, String help) {
    return new Setting<Duration>(name, "DURATION", defaultValue, help, t -> parseDuration(name, t), Setting::format,
        d -> !d.isNegative() && !d.isZero(), "positive", false, false);
  }

  /** A positive duration, or {@code none} (null). */
  public static Setting<Duration> durationOrNone(String name, Duration defaultValue, String help) {
    return duration(name, defaultValue, help).orNone();
  }

  /** A whole number between {@code min} and {@code max}. */
  public static Setting<Integer> integer(String name, int defaultValue, int min, int max, String help) {
    return new Setting<Integer>(name, "N", defaultValue, help, t -> parseNumber(name, t, Integer::valueOf), String::valueOf,
        v -> v >= min && v <= max, "between " + min + " and " + max, false, false);
  }

  /** A number of bytes between {@code min} and {@code max}. */
  public static Setting<Long> bytes(String name, long defaultValue, long min, long max, String help) {
    return new Setting<Long>(name, "BYTES", defaultValue, help, t -> parseNumber(name, t, Long::valueOf), String::valueOf,
        v -> v >= min && v <= max, "between " + min + " and " + max, false, false);
  }

  /** A percentage between 0 and 100 ({@code 95} or {@code 95%}). */
  public static Setting<Double> percent(String name, Double defaultValue, String help) {
    return new Setting<Double>(name, "PERCENT", defaultValue, help, t -> parsePercent(name, t), Setting::formatPercent,
        v -> v >= 0 && v <= 100, "a percentage between 0 and 100", false, false);
  }

  /** {@code on}/{@code off} (also {@code true}/{@code false}, {@code yes}/{@code no}, {@code 1}/{@code 0}). */
  public static Setting<Boolean> flag(String name, boolean defaultValue, String help) {
    return new Setting<Boolean>(name, "on|off", defaultValue, help, t -> parseFlag(name, t), v -> v ? "on" : "off",
        v -> true, null, false, false);
  }

  /** Text (null when absent: no default). */
  public static Setting<String> text(String name, String label, String defaultValue, String help) {
    return new Setting<String>(name, label, defaultValue, help, t -> t, t -> t, v -> true, null, false, false);
  }

  /** A file-system path. */
  public static Setting<Path> path(String name, String label, Path defaultValue, String help) {
    return new Setting<Path>(name, label, defaultValue, help, Path::of, Path::toString, v -> true, null, false, false);
  }

  /** One of an enum's constants, written in lower case. */
  public static <E extends Enum<E>> Setting<E> choice(String name, Class<E> type, E defaultValue, String help) {
    StringBuilder names = new StringBuilder();
    for (E e : type.getEnumConstants()) {
      if (!names.isEmpty()) names.append('|');
      names.append(e.name().toLowerCase(Locale.ROOT));
    }
    return new Setting<E>(name, names.toString(), defaultValue, help, t -> parseChoice(name, type, t, names.toString()),
        e -> e.name().toLowerCase(Locale.ROOT), v -> true, null, false, false);
  }

  /** Any other kind: {@code parse} throws {@link IllegalArgumentException} with a message naming the setting. */
  public static <T> Setting<T> of(
      String name, String label, T defaultValue, Function<String, T> parse, Function<T, String> format, String help) {
    return new Setting<>(name, label, defaultValue, help, parse, format, v -> true, null, false, false);
  }

  // ---------------------------------------------------------------- refinements

  /** The same setting, also accepting {@code none} (a null value). */
  public Setting<T> orNone() {
    return copy(new Setting<>(name, label, defaultValue, help, parse, format, check, mustBe, true, secret));
  }

  private Setting<T> copy(Setting<T> s) {
    s.shown = shown;
    return s;
  }

  /** The same setting, whose value must pass {@code ok} ("{@code name} must be {@code mustBe}; got …"). */
  public Setting<T> mustBe(Predicate<T> ok, String mustBe) {
    Predicate<T> both = v -> check.test(v) && ok.test(v);
    String says = this.mustBe == null ? mustBe : this.mustBe + " and " + mustBe;
    return copy(new Setting<>(name, label, defaultValue, help, parse, format, both, says, noneAllowed, secret));
  }

  /** The same setting, never shown: {@code ***} in {@code toString}, help and the doctor's report. */
  public Setting<T> secret() {
    return copy(new Setting<>(name, label, defaultValue, help, parse, format, check, mustBe, noneAllowed, true));
  }

  // ---------------------------------------------------------------- what the declaration gives

  public String name() {
    return name;
  }

  /** The command-line option: {@code --reaper-interval}. */
  public String option() {
    return "--" + name;
  }

  /** The environment variable: {@code STATEKEEPER_REAPER_INTERVAL}. */
  public String environmentVariable() {
    return "STATEKEEPER_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** What the option's value looks like in {@code --help}: {@code DURATION}. */
  public String label() {
    return label;
  }

  public String help() {
    return help;
  }

  /** The built-in default; null when there is none (or it is {@code none}). */
  public T defaultValue() {
    return defaultValue;
  }

  public boolean noneAllowed() {
    return noneAllowed;
  }

  public boolean isSecret() {
    return secret;
  }

  /** Reads {@code text} as this setting's value and checks it; IllegalArgumentException naming the setting when bad. */
  public T parse(String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    if (noneAllowed && t.equalsIgnoreCase("none")) {
      return null;
    }
    return checked(parse.apply(t));
  }

  /** Checks a value given in code (an embedding application, a test); returns it. */
  public T checked(T value) {
    if (value == null) {
      if (!noneAllowed && defaultValue != null) {
        throw new IllegalArgumentException(name + " needs a value; got none");
      }
      return null;
    }
    if (!check.test(value)) {
      throw new IllegalArgumentException(name + " must be " + mustBe + "; got " + show(value)); // a secret never shows
    }
    return value;
  }

  /** The value as text, as it would be written on the command line ({@code none} for null). */
  public String format(T value) {
    return value == null ? "none" : format.apply(value);
  }

  /** The value as it may be shown: {@code ***} for a secret, masked where {@link #shownAs} says. */
  public String show(T value) {
    if (value == null) return "none";
    if (secret) return "***";
    return shown != null ? shown.apply(value) : format(value);
  }

  /** The same setting, its values shown through {@code mask} in logs, errors and reports. */
  public Setting<T> shownAs(Function<T, String> mask) {
    Setting<T> s = new Setting<>(name, label, defaultValue, help, parse, format, check, mustBe, noneAllowed, secret);
    s.shown = mask;
    return s;
  }

  @Override
  public String toString() {
    return name;
  }

  // ---------------------------------------------------------------- parsing

  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d} or ISO-8601 {@code PT5M}. */
  public static Duration parseDuration(String name, String text) {
    String t = text == null ? "" : text.trim();
    Matcher m = SIMPLE_DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(t);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(name + " must be a duration such as 500ms, 30s, 5m, 24h or PT5M; got '" + text + "'");
    }
  }

  /** The inverse of {@link #parseDuration} for messages and help: {@code 5m}, {@code 1500ms}. */
  public static String format(Duration d) {
    if (d == null) {
      return "none";
    }
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0 && ms > 0) return ms / 86_400_000 + "d";
    if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }

  private static <N> N parseNumber(String name, String text, Function<String, N> parse) {
    try {
      return parse.apply(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number; got '" + text + "'");
    }
  }

  private static Double parsePercent(String name, String text) {
    String v = text.trim();
    try {
      return Double.parseDouble(v.endsWith("%") ? v.substring(0, v.length() - 1) : v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a percentage such as 95; got '" + text + "'");
    }
  }

  private static String formatPercent(Double value) {
    return value == Math.rint(value) ? Long.toString(value.longValue()) : value.toString();
  }

  private static Boolean parseFlag(String name, String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes", "1" -> true;
      case "off", "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException(name + " must be on or off; got '" + text + "'");
    };
  }

  private static <E extends Enum<E>> E parseChoice(String name, Class<E> type, String text, String names) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(text.trim())) return e;
    }
    throw new IllegalArgumentException(name + " must be one of " + names.replace("|", ", ") + "; got '" + text + "'");
  }
}
