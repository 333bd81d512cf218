package dev.statekeeper.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.backup.JsonImporter;
import dev.statekeeper.backup.JsonImporter.CollectionReport;
import dev.statekeeper.backup.JsonImporter.ImportReport;
import dev.statekeeper.backup.Progress;
import dev.statekeeper.keys.Keys;
import dev.statekeeper.store.Store;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "import-json",
    header = "Import an orchestrator's JSON state file, repairing what concurrent writers did to it.",
    description = {
      "Import an orchestrator's JSON state file (tasks with statuses, priorities and assignments), repairing what concurrent writers do to such files: trailing data after a document, several documents concatenated, a document cut off mid-write (every whole record is kept), NUL bytes, a BOM, duplicate keys. --dry-run only prints the report. The real run is one transaction, never changes FILE, keeps a copy of it in <backup-dir>/imports, and can be run again safely. Tasks that were in progress come back as pending (their old assignee is in the audit event). Prints a short breakdown ending with a summary line (--json: the full report instead). Exit codes: 0 imported (or nothing new), 1 nothing in FILE can be imported, 2 FILE cannot be read."
    })
final class ImportJsonCommand extends Configured {

  /** How many rejected records the breakdown lists; --json lists them all. */
  private static final int REJECTED_SHOWN = 10;

  @Parameters(paramLabel = "FILE", description = "The JSON state file.")
  Path file;

  @Option(names = "--mapping", paramLabel = "FILE", description = "A mapping file for other shapes and field names (docs/data-safety.md, \"Importing\").")
  Path mapping;

  @Option(names = "--tenant", defaultValue = Keys.DEFAULT_TENANT, description = "Tenant to import into. Default: ${DEFAULT-VALUE}.")
  String tenant;

  @Option(names = "--dry-run", description = "Read and repair, print the report, change nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the full report as JSON on standard output (the summary line goes to standard error).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    StatekeeperConfig config = config();
    PrintWriter out = out();
    PrintWriter err = spec.commandLine().getErr();
    // Nothing is opened or created before the file is known to hold something to import.
    for (Path p : mapping == null ? List.of(file) : List.of(file, mapping)) {
      Optional<String> unreadable = unreadable(p);
      if (unreadable.isPresent()) {
        err.println("statekeeper: cannot read " + p + ": " + unreadable.get());
        return 2;
      }
    }
    Progress progress = Progress.on(System.err);
    JsonImporter.Reading reading;
    try {
      reading = JsonImporter.read(file, mapping, progress);
    } catch (UncheckedIOException e) {
      err.println("statekeeper: " + e.getMessage());
      return 2;
    }
    Optional<String> nothing = reading.nothingToImport();
    if (nothing.isPresent()) {
      err.println("statekeeper: nothing to import: " + nothing.get());
      return 1;
    }
    ImportReport report;
    try (Store store = Store.open(config)) {
      store.migrate();
      report = new JsonImporter(store, config).run(reading, tenant, dryRun, progress);
    }
    if (json) {
      out.println(new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
      out.flush();
    } else {
      breakdown(report).forEach(out::println);
    }
    if (report.nothingToImport() != null) {
      err.println("statekeeper: nothing to import: " + report.nothingToImport());
      return 1;
    }
    (json ? err : out).println(summary(report));
    return 0;
  }

  private static Optional<String> unreadable(Path p) {
    if (!Files.exists(p)) return Optional.of("no such file");
    if (Files.isDirectory(p)) return Optional.of("it is a directory");
    if (!Files.isReadable(p)) return Optional.of("permission denied");
    return Optional.empty();
  }

  /** The one line that says what happened. */
  static String summary(ImportReport r) {
    String what = counted(r.tasks(), r.dryRun(), "task", "tasks") + ", " + counted(r.sessions(), r.dryRun(), "session", "sessions")
        + " and " + counted(r.memory(), r.dryRun(), "memory entry", "memory entries");
    int present = r.tasks().alreadyPresent() + r.sessions().alreadyPresent() + r.memory().alreadyPresent();
    int cut = r.tasks().partialDropped() + r.sessions().partialDropped() + r.memory().partialDropped();
    int rejected = r.tasks().rejected().size() + r.sessions().rejected().size() + r.memory().rejected().size();
    List<String> besides = new ArrayList<>();
    if (present > 0) besides.add(present + " already present");
    if (cut > 0) besides.add(cut + " cut off and dropped");
    if (rejected > 0) besides.add(rejected + " rejected");
    String rest = besides.isEmpty() ? "" : " (" + String.join(", ", besides) + ")";
    String where = " from " + r.file() + " into tenant '" + r.tenant() + "'";
    return r.dryRun()
        ? "Dry run: " + what + " would be imported" + where + rest + "; nothing was written."
        : "Imported " + what + where + rest + ".";
  }

  private static String counted(CollectionReport c, boolean dryRun, String one, String many) {
    int n = dryRun ? c.valid() : c.imported();
    return n + " " + (n == 1 ? one : many);
  }

  /** What was repaired, a table per collection, the first rejected records, then the summary line. */
  static List<String> breakdown(ImportReport r) {
    List<String> lines = new ArrayList<>();
    List<String> repairs = new ArrayList<>();
    if (r.bomRemoved()) repairs.add("BOM removed");
    if (r.nulBytesRemoved() > 0) repairs.add(String.format(Locale.ROOT, "%,d NUL bytes removed", r.nulBytesRemoved()));
    if (r.documents() > 1) repairs.add(r.documents() + " documents merged");
    if (r.truncatedDocuments() > 0) repairs.add(r.truncatedDocuments() + " cut-off document" + (r.truncatedDocuments() == 1 ? "" : "s"));
    if (r.droppedTrailingChars() > 0) repairs.add(String.format(Locale.ROOT, "%,d stray characters dropped", r.droppedTrailingChars()));
    if (r.duplicateKeys() > 0) repairs.add(r.duplicateKeys() + " duplicate key" + (r.duplicateKeys() == 1 ? "" : "s"));
    lines.add("repairs: " + (repairs.isEmpty() ? "none needed" : String.join(", ", repairs)));
    lines.add(String.format(Locale.ROOT, "%-9s %7s %7s %9s %8s %8s %7s %9s",
        "", "found", "valid", r.dryRun() ? "to import" : "imported", "present", "cut off", "merged", "rejected"));
    row(lines, "tasks", r.tasks(), r.dryRun());
    row(lines, "sessions", r.sessions(), r.dryRun());
    row(lines, "memory", r.memory(), r.dryRun());
    List<String> rejected = new ArrayList<>();
    r.tasks().rejected().forEach(x -> rejected.add("task " + x.id() + ": " + x.reason()));
    r.sessions().rejected().forEach(x -> rejected.add("session " + x.id() + ": " + x.reason()));
    r.memory().rejected().forEach(x -> rejected.add("memory " + x.id() + ": " + x.reason()));
    if (!rejected.isEmpty()) {
      lines.add("rejected:");
      rejected.stream().limit(REJECTED_SHOWN).forEach(x -> lines.add("  " + x));
      if (rejected.size() > REJECTED_SHOWN) {
        lines.add("  … and " + (rejected.size() - REJECTED_SHOWN) + " more (--json lists them all)");
      }
    }
    if (r.sourceCopy() != null) {
      lines.add("copy of the file: " + r.sourceCopy());
    }
    return lines;
  }

  private static void row(List<String> lines, String name, CollectionReport c, boolean dryRun) {
    lines.add(String.format(Locale.ROOT, "%-9s %7d %7d %9d %8d %8d %7d %9d",
        name, c.found(), c.valid(), dryRun ? c.valid() : c.imported(), c.alreadyPresent(), c.partialDropped(),
        c.duplicatesMerged(), c.rejected().size()));
  }
}
