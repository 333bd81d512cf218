package dev.statekeeper.cli;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * A command that takes settings: each setting {@link CommandSettings} gives it becomes an option
 * of this command only ({@code --reaper-interval}), with its help, default and environment
 * variable from the declaration, plus {@code --config FILE}. Values come from the command line,
 * else the environment ({@code STATEKEEPER_<NAME>}), else the file, else the default.
 *
 * <p>{@link Main} adds the options when it builds the command line ({@link #addOptions}), after
 * {@code --help} and {@code --version}, which every such command has.
 */
abstract class Configured implements Callable<Integer> {

  static final String CONFIG_OPTION = "--config";
  static final String CONFIG_ENV = "STATEKEEPER_CONFIG";

  @Spec CommandSpec spec;

  private Map<String, String> env = Map.of();

  /** The settings this command takes, as options. */
  final List<Setting<?>> settings() {
    return CommandSettings.of(getClass());
  }

  /** The standard output of the command line. */
  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /**
   * Adds {@code --help}, {@code --version}, the settings' options and {@code --config} to {@code
   * spec} (after the command's own options); {@code env} is the process's environment.
   */
  final void addOptions(CommandSpec spec, Map<String, String> env) {
    this.env = env;
    spec.mixinStandardHelpOptions(true);
    spec.addOption(OptionSpec.builder(CONFIG_OPTION).paramLabel("FILE").type(Path.class)
        .description("Properties file of settings, keyed by option name (port=7070). Env: " + CONFIG_ENV + ".").build());
    for (Setting<?> s : settings()) {
      spec.addOption(OptionSpec.builder(s.option()).paramLabel(s.label()).type(String.class)
          .description(describe(s)).build());
    }
  }

  private static <T> String describe(Setting<T> s) {
    String dflt = s.isSecret() || (s.defaultValue() == null && !s.noneAllowed()) ? "" : " Default: " + s.format(s.defaultValue()) + ".";
    return s.help() + dflt + " Env: " + s.environmentVariable() + ".";
  }

  /** The settings as given to this command, over the defaults. */
  final Settings givenSettings() {
    Map<String, String> given = new LinkedHashMap<>();
    for (Setting<?> s : settings()) {
      OptionSpec o = spec.findOption(s.option());
      if (o != null && o.getValue() != null) {
        given.put(s.name(), o.getValue());
      }
    }
    OptionSpec configOption = spec.findOption(CONFIG_OPTION);
    Path file = configOption == null ? null : configOption.getValue();
    if (file == null && env.get(CONFIG_ENV) != null) {
      file = Path.of(env.get(CONFIG_ENV));
    }
    Properties props = new Properties();
    if (file != null) {
      try (InputStream in = Files.newInputStream(file)) {
        props.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the config file " + file.toAbsolutePath() + ": " + e.getMessage());
      }
    }
    return Settings.read(settings(), CommandSettings.NAMES, given, env, props, file == null ? "" : file.toString());
  }

  /** The validated configuration; a bad value fails with a message naming it and its limit. */
  final StatekeeperConfig config() {
    return StatekeeperConfig.of(givenSettings());
  }
}
