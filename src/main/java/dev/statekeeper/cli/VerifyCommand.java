package dev.statekeeper.cli;

import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.backup.Backups;
import dev.statekeeper.backup.Progress;
import dev.statekeeper.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    header = "Check the store's integrity and invariants, or a backup's.",
    description = {
      "Check the store (SQLite integrity_check and foreign_key_check, PostgreSQL constraints, and Statekeeper's own invariants: orphan events, tasks without their creation event, ...), or with --backup a backup directory (manifest, checksums, row counts, schema version). Exit code 1 when anything is wrong. Safe while the server runs."
    })
final class VerifyCommand extends Configured implements Callable<Integer> {

  @Override
  List<dev.statekeeper.config.Setting<?>> settings() {
    return CommandSettings.STORE;
  }



  @Option(names = "--backup", paramLabel = "DIR", description = "Verify this backup instead of the store.")
  Path backup;

  @Override
  public Integer call() {
    StatekeeperConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
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
      List<Backups.Finding> findings = new Backups(store, Statekeeper.SCHEMA, config.effectiveBackupDir(), config.backups().backupKeep()).verifyStore();
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
      return new Backups(store, Statekeeper.SCHEMA, config.effectiveBackupDir(), config.backups().backupKeep()).verifyBackup(backup, Progress.on(System.err));
    } catch (IllegalStateException noStore) {
      return Backups.checkBackup(backup, Statekeeper.SCHEMA, null, Progress.on(System.err));
    }
  }
}
