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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "backup",
    header = "Write a consistent snapshot of the whole store to a directory.",
    description = {
      "Write a consistent snapshot of the whole store to a directory: one JSON Lines file per table and a manifest with the schema version, row counts and SHA-256 of every file. Safe while the server runs (also on SQLite). Restore it with 'statekeeper restore'."
    })
final class BackupCommand extends Configured {

  @Option(names = "--to", required = true, paramLabel = "DIR", description = "Directory to create (it must not exist or be empty).")
  Path to;

  @Override
  public Integer call() {
    StatekeeperConfig config = config();
    PrintWriter out = out();
    long t0 = System.nanoTime();
    try (Store store = Store.openReadOnly(config)) {
      Manifest m = backups(store, config).backup(to, Progress.on(System.err));
      out.printf(Locale.ROOT, "backup of %s (schema %s) written to %s in %.1fs%n",
          config.store().describeStore(), m.schemaVersion(), to, (System.nanoTime() - t0) / 1e9);
      for (Manifest.TableFile f : m.tables()) {
        out.printf(Locale.ROOT, "  %-24s %,12d rows %,14d bytes  sha256 %s%n", f.name(), f.rows(), f.bytes(), f.sha256());
      }
      return 0;
    }
  }

  /** The backups of the store {@code config} names, with its backup directory and retention. */
  static Backups backups(Store store, StatekeeperConfig config) {
    return new Backups(store, Statekeeper.SCHEMA, config.effectiveBackupDir(), config.backups().backupKeep());
  }
}
