package dev.statekeeper.config;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;

/**
 * The values of settings, each with where it came from; a setting not given has its declared
 * default. Immutable: {@link #with} returns a new one. Read from the command line, the
 * environment and a {@code --config} file by {@link #read}, in that order of precedence, or built
 * in code ({@link #with}) by applications that embed Statekeeper and by tests.
 */
public final class Settings {

  /** Where a value came from. */
  public enum Source {
    DEFAULT("default"),
    FILE("config file"),
    ENVIRONMENT("environment"),
    COMMAND_LINE("command line"),
    CODE("code");

    private final String label;

    Source(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private record Value(Object value, Source source) {}

  private static final Settings DEFAULTS = new Settings(Map.of());

  private final Map<Setting<?>, Value> values;

  private Settings(Map<Setting<?>, Value> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  /** Every setting at its default. */
  public static Settings defaults() {
    return DEFAULTS;
  }

  /**
   * The values of {@code known} settings: the command line ({@code given}, option name → text)
   * wins, then the environment ({@code STATEKEEPER_<NAME>}), then {@code file} (name → text),
   * then the default. A name in {@code file} that is none of {@code allNames} (every setting of
   * every command: one file may serve them all), or a value that does not parse or pass its
   * check, fails with a message naming the setting (and the file).
   */
  public static Settings read(List<Setting<?>> known, java.util.Set<String> allNames, Map<String, String> given,
      Map<String, String> env, Properties file, String fileName) {
    for (String key : file.stringPropertyNames()) {
      if (!allNames.contains(key)) {
        throw new IllegalArgumentException("unknown setting '" + key + "' in " + fileName
            + "; settings are the long option names of the command's --help (without --)");
      }
    }
    Map<Setting<?>, Value> values = new LinkedHashMap<>();
    for (Setting<?> s : known) {
      String text;
      Source source;
      if (given.containsKey(s.name())) {
        text = given.get(s.name());
        source = Source.COMMAND_LINE;
      } else if (env.containsKey(s.environmentVariable())) {
        text = env.get(s.environmentVariable());
        source = Source.ENVIRONMENT;
      } else if (file.containsKey(s.name())) {
        text = file.getProperty(s.name());
        source = Source.FILE;
      } else {
        continue;
      }
      try {
        values.put(s, new Value(s.parse(text), source));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + (source == Source.FILE ? " (in " + fileName + ")"
            : source == Source.ENVIRONMENT ? " (from " + s.environmentVariable() + ")" : ""), e);
      }
    }
    return new Settings(values);
  }

  /** The value of {@code s}: as given, else its default. */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> s) {
    Value v = values.get(s);
    return v == null ? s.defaultValue() : (T) v.value();
  }

  /**
   * The values of settings declared one per key ({@code rate-limit-<role>}, say), by key; a key
   * whose setting is {@code none} is left out.
   */
  public <K extends Enum<K>, T> Map<K, T> getEach(Class<K> keyType, Map<K, Setting<T>> settings) {
    Map<K, T> each = new EnumMap<>(keyType);
    settings.forEach((key, setting) -> {
      T value = get(setting);
      if (value != null) each.put(key, value);
    });
    return each;
  }

  /** Where the value of {@code s} came from. */
  public Source source(Setting<?> s) {
    Value v = values.get(s);
    return v == null ? Source.DEFAULT : v.source();
  }

  /** The same settings with {@code s} set to {@code value} (checked; null is {@code none}). */
  public <T> Settings with(Setting<T> s, T value) {
    Map<Setting<?>, Value> copy = new LinkedHashMap<>(values);
    copy.put(s, new Value(s.checked(value), Source.CODE));
    return new Settings(copy);
  }

  /** The same settings with every value {@code other} has that is not a default. */
  public Settings withAll(Settings other) {
    Map<Setting<?>, Value> copy = new LinkedHashMap<>(values);
    copy.putAll(other.values);
    return new Settings(copy);
  }

  /** The settings given (not defaults), secrets masked: {@code reaper-interval=2s (command line)}. */
  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(", ", "Settings[", "]");
    values.forEach((s, v) -> j.add(s.name() + "=" + show(s, v.value()) + " (" + v.source() + ")"));
    return j.toString();
  }

  @SuppressWarnings("unchecked")
  private static <T> String show(Setting<T> s, Object value) {
    return s.show((T) value);
  }
}
