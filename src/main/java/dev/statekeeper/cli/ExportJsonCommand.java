package dev.statekeeper.cli;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.backup.JsonExporter;
import dev.statekeeper.backup.Progress;
import dev.statekeeper.keys.Keys;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "export-json",
    header = "Write one tenant's current state as a JSON state file.",
    description = {
      "Write one tenant's current state as a JSON state file in the shape import-json reads: the rollback path to an orchestrator that kept its state in such a file."
    })
final class ExportJsonCommand extends Configured {

  @Parameters(paramLabel = "FILE", description = "The file to write (replaced atomically).")
  Path file;

  @Option(names = "--tenant", defaultValue = Keys.DEFAULT_TENANT, description = "Tenant to export. Default: ${DEFAULT-VALUE}.")
  String tenant;

  @Override
  public Integer call() {
    try (Statekeeper sk = Statekeeper.open(config())) {
      var n = new JsonExporter(sk.tasks(), sk.sessions(), sk.memory())
          .export(new Caller(tenant, "service:cli", Role.ADMIN), file, Progress.on(System.err));
      out().printf("exported %d tasks, %d sessions (%d events) and %d memory entries of tenant %s to %s%n",
          n.tasks(), n.sessions(), n.events(), n.memoryEntries(), tenant, file);
      return 0;
    }
  }
}
