package dev.statekeeper.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.statekeeper.store.Store;
import dev.statekeeper.tasks.Priority;
import dev.statekeeper.tasks.TaskImport;
import dev.statekeeper.tasks.TaskImport.ImportedTask;
import dev.statekeeper.tasks.TaskStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Imports an orchestrator's JSON state file, repairing what concurrent writers did to it (see
 * {@link JsonSalvage}). Records found in several documents keep their last whole version. The
 * real run copies the source file next to the backups first, never changes it, and writes
 * everything in one transaction; each record's id is derived from the tenant and its id in the
 * file, so running the import again adds nothing twice.
 */
public final class JsonImporter {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Store store;
  private final Path backupDir;

  public JsonImporter(Store store, Path backupDir) {
    this.store = store;
    this.backupDir = backupDir;
  }

  /** One record that was not imported, and why. */
  public record Rejected(String id, String reason) {}

  /** What happened to one kind of record. */
  public record CollectionReport(
      int found, int valid, int imported, int alreadyPresent, int partialDropped, int duplicatesMerged, List<Rejected> rejected) {}

  /** The whole report; {@code sourceCopy} is where the original file was kept (null on a dry run). */
  public record ImportReport(
      String file, boolean dryRun, String tenant, boolean bomRemoved, int nulBytesRemoved, int documents,
      int truncatedDocuments, int droppedTrailingChars, int duplicateKeys, CollectionReport tasks,
      List<String> notes, String sourceCopy) {}

  /** Reads {@code file} with {@code mapping} (null: the default) into {@code tenant}. */
  public ImportReport run(Path file, Path mappingFile, String tenant, boolean dryRun) {
    return run(file, mappingFile, tenant, dryRun, Progress.NONE);
  }

  /** As {@link #run(Path, Path, String, boolean)}, showing progress of the reading and the writing. */
  public ImportReport run(Path file, Path mappingFile, String tenant, boolean dryRun, Progress progress) {
    ImportMapping mapping = mappingFile == null ? ImportMapping.defaults() : ImportMapping.read(mappingFile);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    progress.start("read " + file.getFileName(), bytes.length);
    JsonSalvage.Result salvage = JsonSalvage.read(bytes);
    progress.advance(bytes.length);
    progress.done();
    List<String> notes = new ArrayList<>(salvage.report().notes());

    Map<String, JsonNode> records = new LinkedHashMap<>();
    int found = 0;
    int partial = 0;
    int merged = 0;
    List<Rejected> rejected = new ArrayList<>();
    for (JsonSalvage.Document doc : salvage.documents()) {
      JsonNode collection = at(doc.root(), mapping.tasksPath(), doc.root().isArray());
      if (collection == null) {
        continue;
      }
      List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
      if (collection.isArray()) {
        collection.forEach(n -> entries.add(Map.entry("", n)));
      } else if (collection.isObject()) {
        collection.fields().forEachRemaining(entries::add);
      }
      for (Map.Entry<String, JsonNode> e : entries) {
        found++;
        JsonNode record = e.getValue();
        if (!doc.isWhole(record)) {
          partial++;
          continue;
        }
        if (!record.isObject()) {
          rejected.add(new Rejected(e.getKey(), "not a JSON object"));
          continue;
        }
        String id = text(record, mapping.taskFields().get("id"));
        if (id == null) id = e.getKey().isEmpty() ? null : e.getKey();
        if (id == null) {
          rejected.add(new Rejected("(record " + found + ")", "no id"));
          continue;
        }
        if (records.put(id, record) != null) {
          merged++;
        }
      }
    }
    List<ImportedTask> tasks = new ArrayList<>();
    for (Map.Entry<String, JsonNode> r : records.entrySet()) {
      try {
        ImportedTask t = toTask(tenant, r.getKey(), r.getValue(), mapping, file);
        String problem = TaskImport.problem(t);
        if (problem == null) tasks.add(t); else rejected.add(new Rejected(r.getKey(), problem));
      } catch (IllegalArgumentException e) {
        rejected.add(new Rejected(r.getKey(), e.getMessage()));
      }
    }
    int imported = 0;
    String copy = null;
    if (!dryRun) {
      copy = keepCopy(file).toString();
      progress.start("import tasks", tasks.size());
      imported = store.write("importing " + file, c -> TaskImport.insert(c, store.dialect(), tenant, tasks));
      progress.advance(tasks.size());
      progress.done();
    }
    var report = salvage.report();
    return new ImportReport(
        file.toString(), dryRun, tenant, report.bomRemoved(), report.nulBytesRemoved(), report.documents(),
        report.truncatedDocuments(), report.droppedTrailingChars(), report.duplicateKeys(),
        new CollectionReport(found, tasks.size(), imported, dryRun ? 0 : tasks.size() - imported, partial, merged, rejected),
        notes, copy);
  }

  private static JsonNode at(JsonNode root, String path, boolean rootIsArray) {
    if (path == null || path.isEmpty() || path.equals("$")) return root;
    JsonNode n = root;
    for (String part : path.split("\\.")) {
      n = n.get(part);
      if (n == null) {
        return rootIsArray ? root : null; // a bare array of tasks
      }
    }
    return n;
  }

  private static ImportedTask toTask(String tenant, String sourceId, JsonNode r, ImportMapping m, Path file) {
    Map<String, List<String>> f = m.taskFields();
    String rawStatus = text(r, f.get("status"));
    String status = rawStatus == null ? "pending" : m.statusValues().get(ImportMapping.norm(rawStatus));
    if (status == null) {
      throw new IllegalArgumentException("unknown status '" + rawStatus + "' (map it with status_values)");
    }
    TaskStatus st = TaskStatus.fromWire(status);
    String agent = text(r, f.get("agent"));
    if (st == TaskStatus.CLAIMED) {
      st = TaskStatus.PENDING; // a lease from another system cannot be honoured: the work is offered again
    }
    String rawPriority = text(r, f.get("priority"));
    String p = rawPriority == null ? "NORMAL" : m.priorityValues().get(ImportMapping.norm(rawPriority));
    Priority priority = p == null ? Priority.NORMAL : Priority.parse(p);
    JsonNode payload = value(r, f.get("payload"));
    if (payload == null) {
      payload = JsonNodeFactory.instance.objectNode();
    } else if (!payload.isObject()) {
      payload = JsonNodeFactory.instance.objectNode().set("value", payload);
    }
    String attemptText = text(r, f.get("attempt"));
    String maxText = text(r, f.get("max_attempts"));
    int attempt = attemptText == null ? 0 : Math.max(0, parseInt(attemptText, "attempts"));
    int max = maxText == null ? 3 : parseInt(maxText, "max_attempts");
    if (st == TaskStatus.PENDING && attempt >= max) {
      max = attempt + 1; // offered again: it needs one attempt left
    }
    var detail = JsonNodeFactory.instance.objectNode();
    detail.put("source_id", sourceId);
    detail.put("source_status", rawStatus);
    detail.put("file", file.getFileName().toString());
    if (agent != null) detail.put("assigned_to", agent);
    String id = UUID.nameUUIDFromBytes(("statekeeper-import\0" + tenant + "\0" + sourceId).getBytes(StandardCharsets.UTF_8)).toString();
    String queue = text(r, f.get("queue"));
    return new ImportedTask(
        id, queue == null ? "default" : queue, text(r, f.get("type")), payload, priority, st, attempt, max,
        time(text(r, f.get("created_at"))), time(text(r, f.get("deadline"))), value(r, f.get("result")),
        text(r, f.get("error")), st == TaskStatus.PENDING ? null : agent, detail);
  }

  private static int parseInt(String s, String field) {
    try {
      return (int) Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " is not a number: '" + s + "'");
    }
  }

  /** ISO-8601 with an offset, or epoch seconds / milliseconds; null when absent or unreadable. */
  private static Instant time(String s) {
    if (s == null) return null;
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (RuntimeException notIso) {
      try {
        return Instant.parse(s.endsWith("Z") ? s : s + "Z");
      } catch (RuntimeException notLocal) {
        try {
          double n = Double.parseDouble(s);
          return n > 1e11 ? Instant.ofEpochMilli((long) n) : Instant.ofEpochMilli((long) (n * 1000));
        } catch (NumberFormatException notNumber) {
          return null;
        }
      }
    }
  }

  private static JsonNode value(JsonNode r, List<String> names) {
    for (String n : names) {
      JsonNode v = r.get(n);
      if (v != null && !v.isNull()) return v;
    }
    return null;
  }

  private static String text(JsonNode r, List<String> names) {
    JsonNode v = value(r, names);
    if (v == null || v.isContainerNode()) return null;
    String s = v.asText();
    return s.isBlank() ? null : s;
  }

  private Path keepCopy(Path file) {
    try {
      Path dir = backupDir.resolve("imports");
      Files.createDirectories(dir);
      String stamp = STAMP.format(Instant.now());
      Path copy = dir.resolve(stamp + "-" + file.getFileName());
      for (int i = 1; Files.exists(copy); i++) {
        copy = dir.resolve(stamp + "-" + i + "-" + file.getFileName());
      }
      return Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep a copy of " + file + " in " + backupDir + ": " + e.getMessage(), e);
    }
  }
}
