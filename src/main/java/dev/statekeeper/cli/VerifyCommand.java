package dev.statekeeper.cli;

import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.backup.Backups;
import dev.statekeeper.backup.Progress;
import dev.statekeeper.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "verify",
    header = "Check the store's integrity and invariants, or a backup's.",
    description = {
      "Check the store (SQLite integrity_check and foreign_key_check, PostgreSQL constraints, and Statekeeper's own invariants: orphan events, tasks without their creation event, ...), or with --backup a backup directory (manifest, checksums, row counts, schema version). Exit code 1 when anything is wrong. Safe while the server runs."
    })
final class VerifyCommand extends Configured {

  @Option(names = "--backup", paramLabel = "DIR", description = "Verify this backup instead of the store.")
  Path backup;

  @Override
  public Integer call() {
    StatekeeperConfig config = config();
    PrintWriter out = out();
    if (backup != null) {
      List<String> problems = backupProblems(config);
      if (problems.isEmpty()) {
        out.println("backup " + backup + ": OK (checksums, row counts and schema version match)");
        return 0;
      }
      problems.forEach(p -> out.println("FAIL " + p));
      return 1;
    }
    try (Store store = Store.openReadOnly(config)) {
      List<Backups.Finding> findings = BackupCommand.backups(store, config).verifyStore();
      boolean ok = true;
      for (Backups.Finding f : findings) {
        out.printf("%-4s %-56s %s%n", f.ok() ? "OK" : "FAIL", f.check(), f.detail());
        ok &= f.ok();
      }
      return ok ? 0 : 1;
    }
  }

  private List<String> backupProblems(StatekeeperConfig config) {
    // A backup can be checked without any store; the schema check then only needs this build's version.
    try (Store store = Store.openReadOnly(config)) {
      return BackupCommand.backups(store, config).verifyBackup(backup, Progress.on(System.err));
    } catch (IllegalStateException noStore) {
      return Backups.checkBackup(backup, Statekeeper.SCHEMA, null, Progress.on(System.err));
    }
  }
}
