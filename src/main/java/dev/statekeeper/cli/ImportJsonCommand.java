package dev.statekeeper.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.backup.JsonImporter;
import dev.statekeeper.backup.JsonImporter.ImportReport;
import dev.statekeeper.keys.Keys;
import dev.statekeeper.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "import-json",
    mixinStandardHelpOptions = true,
    description = {
      "Import an orchestrator's JSON state file (tasks with statuses, priorities and assignments),",
      "repairing what concurrent writers do to such files: trailing data after a document, several",
      "documents concatenated, a document cut off mid-write (every whole record is kept), NUL bytes,",
      "a BOM, duplicate keys. --dry-run only prints the report. The real run is one transaction,",
      "never changes FILE, keeps a copy of it in <backup-dir>/imports, and can be run again safely.",
      "Tasks that were in progress come back as pending (their old assignee is in the audit event)."
    })
final class ImportJsonCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The JSON state file.")
  Path file;

  @Option(names = "--mapping", paramLabel = "FILE", description = "A mapping file for other shapes and field names (see README).")
  Path mapping;

  @Option(names = "--tenant", defaultValue = Keys.DEFAULT_TENANT, description = "Tenant to import into. Default: ${DEFAULT-VALUE}.")
  String tenant;

  @Option(names = "--dry-run", description = "Read and repair, print the report, change nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    StatekeeperConfig config = options.toConfig();
    try (Store store = Store.open(config)) {
      store.migrate();
      ImportReport report = new JsonImporter(store, config)
          .run(file, mapping, tenant, dryRun, dev.statekeeper.backup.Progress.on(System.err));
      PrintWriter out = spec.commandLine().getOut();
      out.println(new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
      return 0;
    }
  }
}
