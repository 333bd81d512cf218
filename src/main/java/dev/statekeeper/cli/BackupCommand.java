package dev.statekeeper.cli;

import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.backup.Backups;
import dev.statekeeper.backup.Manifest;
import dev.statekeeper.backup.Progress;
import dev.statekeeper.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    header = "Write a consistent snapshot of the whole store to a directory.",
    description = {
      "Write a consistent snapshot of the whole store to a directory: one JSON Lines file per table and a manifest with the schema version, row counts and SHA-256 of every file. Safe while the server runs (also on SQLite). Restore it with 'statekeeper restore'."
    })
final class BackupCommand extends Configured implements Callable<Integer> {

  @Override
  List<dev.statekeeper.config.Setting<?>> settings() {
    return CommandSettings.STORE;
  }



  @Option(names = "--to", required = true, paramLabel = "DIR", description = "Directory to create (it must not exist or be empty).")
  Path to;

  @Override
  public Integer call() {
    StatekeeperConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    try (Store store = Store.openReadOnly(config)) {
      Manifest m = new Backups(store, Statekeeper.SCHEMA, config.effectiveBackupDir(), config.backups().backupKeep()).backup(to, Progress.on(System.err));
      out.printf(Locale.ROOT, "backup of %s (schema %s) written to %s in %.1fs%n",
          config.store().describeStore(), m.schemaVersion(), to, (System.nanoTime() - t0) / 1e9);
      for (Manifest.TableFile f : m.tables()) {
        out.printf(Locale.ROOT, "  %-24s %,12d rows %,14d bytes  sha256 %s%n", f.name(), f.rows(), f.bytes(), f.sha256());
      }
      return 0;
    }
  }
}
