package dev.statekeeper.cli;

import dev.statekeeper.StatekeeperException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code statekeeper} command line. */
@Command(
    name = "statekeeper",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Durable, concurrency-safe state for AI agent systems: tasks, keys and more, over HTTP.",
    subcommands = {
      ServeCommand.class, MigrateCommand.class, KeysCommand.class, BackupCommand.class, RestoreCommand.class,
      VerifyCommand.class, ImportJsonCommand.class, ExportJsonCommand.class, BenchCommand.class,
      CommandLine.HelpCommand.class
    },
    // doctor is added in run(): it needs the raw arguments
    footer = {
      "",
      "Every option can also come from the environment (STATEKEEPER_<OPTION>, e.g. STATEKEEPER_DATABASE_URL) "
          + "or from a --config properties file (database-url=...). The command line wins, then the environment, "
          + "then the file, then the built-in default. 'statekeeper <command> --help' lists a command's options."
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs a command line and returns its exit code (0 success, 1 failure, 2 usage). */
  public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.addSubcommand("doctor", new DoctorCommand(java.util.List.of(args)));
    addSettingOptions(cl, env);
    cl.setOut(out);
    cl.setErr(err);
    // A usage error: the error and one hint, not the whole synopsis.
    cl.setParameterExceptionHandler((ex, badArgs) -> {
      CommandLine line = ex.getCommandLine();
      line.getErr().println("statekeeper: " + ex.getMessage());
      line.getErr().println("Try '" + line.getCommandSpec().qualifiedName() + " --help' for its options.");
      return 2;
    });
    cl.setExecutionExceptionHandler(
        (e, line, parseResult) -> {
          if (e instanceof IllegalArgumentException || e instanceof StatekeeperException.InvalidInput) {
            line.getErr().println("statekeeper: " + e.getMessage());
            return 2;
          }
          if (e instanceof StatekeeperException || e instanceof IllegalStateException) {
            line.getErr().println("statekeeper: " + e.getMessage());
            return 1;
          }
          throw e;
        });
    return cl.execute(args);
  }

  /** Gives every command that takes settings its own options ({@link Configured}). */
  private static void addSettingOptions(CommandLine cl, Map<String, String> env) {
    if (cl.getCommand() instanceof Configured c) {
      c.addOptions(cl.getCommandSpec(), env);
    }
    cl.getCommandSpec().usageMessage().abbreviateSynopsis(true).sortOptions(false);
    cl.getSubcommands().values().forEach(sub -> addSettingOptions(sub, env));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"statekeeper " + version()};
    }
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
