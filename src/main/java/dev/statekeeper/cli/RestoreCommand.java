package dev.statekeeper.cli;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.backup.Progress;
import dev.statekeeper.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "restore",
    header = "Load a backup into an empty store of either kind, all or nothing.",
    description = {
      "Load a backup into an empty store of either kind, in one transaction (all or nothing). The backup is verified first. This is also how to move from SQLite to PostgreSQL:",
      "  statekeeper backup --to b && statekeeper restore --from b --database-url jdbc:postgresql://..."
    })
final class RestoreCommand extends Configured {

  @Option(names = "--from", required = true, paramLabel = "DIR", description = "The backup directory.")
  Path from;

  @Option(names = "--force", description = "Replace everything in a store that is not empty.")
  boolean force;

  @Override
  public Integer call() {
    StatekeeperConfig config = config();
    PrintWriter out = out();
    long t0 = System.nanoTime();
    try (Store store = Store.open(config)) {
      store.migrate();
      Map<String, Long> rows = BackupCommand.backups(store, config).restore(from, force, Progress.on(System.err));
      out.printf(Locale.ROOT, "restored %s into %s in %.1fs%n", from, config.store().describeStore(), (System.nanoTime() - t0) / 1e9);
      rows.forEach((t, n) -> out.printf(Locale.ROOT, "  %-24s %,12d rows%n", t, n));
      return 0;
    }
  }
}
