package dev.statekeeper.cli;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.store.Store;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "migrate",
    description = "Apply the schema migrations this version has and the store lacks (serve does this at start too).")
final class MigrateCommand extends Configured {

  @Option(names = "--dry-run", description = "Only report how many migrations are pending.")
  boolean dryRun;

  @Override
  public Integer call() {
    StatekeeperConfig config = config();
    PrintWriter out = out();
    try (Store store = Store.open(config)) {
      int pending = store.pendingMigrations();
      if (dryRun) {
        out.println(config.store().describeStore() + ": schema version " + store.schemaVersion() + ", " + pending + " pending");
        return 0;
      }
      int applied = store.migrate();
      out.println(config.store().describeStore() + ": applied " + applied + " migrations; schema version " + store.schemaVersion());
      return 0;
    }
  }
}
