package dev.statekeeper.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.memory.MemoryImport;
import dev.statekeeper.memory.MemoryWrite;
import dev.statekeeper.sessions.SessionImport;
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
import java.util.Optional;
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
  private final StatekeeperConfig config;

  /** Imports into {@code store}, with the limits of {@code config} and copies kept in its backup directory. */
  public JsonImporter(Store store, StatekeeperConfig config) {
    this.store = store;
    this.config = config;
    this.backupDir = config.effectiveBackupDir();
  }

  /** One record that was not imported, and why. */
  public record Rejected(String id, String reason) {}

  /** What happened to one kind of record. */
  public record CollectionReport(
      int found, int valid, int imported, int alreadyPresent, int partialDropped, int duplicatesMerged, List<Rejected> rejected) {}

  /**
   * The whole report; {@code sourceCopy} is where the original file was kept (null on a dry run
   * and when nothing was written); {@code nothingToImport} says why nothing in the file could be
   * imported (null when something could, even if it was all there already).
   */
  public record ImportReport(
      String file, boolean dryRun, String tenant, boolean bomRemoved, int nulBytesRemoved, int documents,
      int truncatedDocuments, int droppedTrailingChars, int duplicateKeys, CollectionReport tasks,
      CollectionReport sessions, CollectionReport memory, List<String> notes, String sourceCopy,
      String nothingToImport) {}

  /**
   * The records of one collection found in every document, the last whole version of each;
   * {@code present}: some document has the collection at all (an empty one counts).
   */
  private record Collected(
      Map<String, JsonNode> records, int found, int partial, int merged, List<Rejected> rejected, boolean present) {}

  /**
   * A state file read, repaired and sorted into records, before anything is checked against the
   * API's rules or written: no store is needed, so a file with nothing to import can be refused
   * before a store is created for it.
   */
  public static final class Reading {
    private final Path file;
    private final int bytes;
    private final ImportMapping mapping;
    private final JsonSalvage.Result salvage;
    private final Collected tasks;
    private final Collected sessions;
    private final Collected memory;

    private Reading(Path file, int bytes, ImportMapping mapping, JsonSalvage.Result salvage) {
      this.file = file;
      this.bytes = bytes;
      this.mapping = mapping;
      this.salvage = salvage;
      this.tasks = collect(salvage, mapping.tasksPath(), true, null, (key, r) -> {
        String id = text(r, mapping.taskFields().get("id"));
        return id != null ? id : key.isEmpty() ? null : key;
      });
      this.sessions = collect(salvage, mapping.sessionsPath(), false, null, (key, r) -> {
        String id = text(r, mapping.sessionFields().get("id"));
        return id != null ? id : key.isEmpty() ? null : key;
      });
      this.memory = collect(salvage, mapping.memoryPath(), false, mapping.memoryFields().get("value"), (key, r) -> {
        String k = text(r, mapping.memoryFields().get("key"));
        if (k == null) k = key.isEmpty() ? null : key;
        if (k == null) return null;
        String ns = text(r, mapping.memoryFields().get("namespace"));
        return (ns == null ? mapping.memoryNamespace() : ns) + "/" + k;
      });
    }

    /**
     * Why nothing in this file can be imported — it is empty, holds no JSON document (an HTML
     * error page, say), has none of the collections the mapping looks for, or not one whole
     * record — or empty when there are records to check and import.
     */
    public Optional<String> nothingToImport() {
      return Optional.ofNullable(reason(tasks.records().size() + sessions.records().size() + memory.records().size()));
    }

    /** The reason for {@link #nothingToImport} when {@code candidates} records are left to import. */
    private String reason(int candidates) {
      var report = salvage.report();
      String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
      if (bytes == 0) {
        return name + " is empty (0 bytes)";
      }
      if (report.documents() == 0) {
        if (report.droppedTrailingChars() == 0) {
          return name + " holds nothing but " + (report.nulBytesRemoved() > 0 ? "NUL bytes and " : "") + "white space";
        }
        return name + " holds no JSON object or array: it starts with " + excerpt(salvage.head());
      }
      if (!tasks.present() && !sessions.present() && !memory.present()) {
        return name + " holds JSON, but no " + mapping.tasksPath() + ", " + mapping.sessionsPath() + " or "
            + mapping.memoryPath() + " (--mapping reads other shapes)";
      }
      int found = tasks.found() + sessions.found() + memory.found();
      if (candidates == 0 && found > 0) {
        int partial = tasks.partial() + sessions.partial() + memory.partial();
        return "none of the " + found + " records in " + name + " is whole and valid (" + partial + " cut off, "
            + (found - partial) + " rejected or without an id)";
      }
      return null;
    }
  }

  /**
   * Reads {@code file} with {@code mappingFile} (null: the default mapping), repairing what
   * concurrent writers did to it; writes nothing.
   *
   * @throws UncheckedIOException when the file cannot be read
   * @throws IllegalArgumentException when the mapping file is not a valid mapping
   */
  public static Reading read(Path file, Path mappingFile, Progress progress) {
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
    return new Reading(file, bytes.length, mapping, salvage);
  }

  /** Reads {@code file} with {@code mapping} (null: the default) into {@code tenant}. */
  public ImportReport run(Path file, Path mappingFile, String tenant, boolean dryRun) {
    return run(file, mappingFile, tenant, dryRun, Progress.NONE);
  }

  /** As {@link #run(Path, Path, String, boolean)}, showing progress of the reading and the writing. */
  public ImportReport run(Path file, Path mappingFile, String tenant, boolean dryRun, Progress progress) {
    return run(read(file, mappingFile, progress), tenant, dryRun, progress);
  }

  /**
   * Checks the records of {@code reading} as the API would and, unless {@code dryRun}, writes
   * them into {@code tenant} in one transaction after keeping a copy of the file. When nothing is
   * left to import, nothing is written and no copy is kept.
   */
  public ImportReport run(Reading reading, String tenant, boolean dryRun, Progress progress) {
    Path file = reading.file;
    ImportMapping mapping = reading.mapping;
    JsonSalvage.Result salvage = reading.salvage;
    List<String> notes = new ArrayList<>(salvage.report().notes());

    Collected taskRecords = reading.tasks;
    List<Rejected> taskRejected = new ArrayList<>(taskRecords.rejected());
    List<ImportedTask> tasks = new ArrayList<>();
    for (Map.Entry<String, JsonNode> r : taskRecords.records().entrySet()) {
      try {
        ImportedTask t = toTask(tenant, r.getKey(), r.getValue(), mapping, file);
        String problem = TaskImport.problem(t);
        if (problem == null) tasks.add(t); else taskRejected.add(new Rejected(r.getKey(), problem));
      } catch (IllegalArgumentException e) {
        taskRejected.add(new Rejected(r.getKey(), e.getMessage()));
      }
    }

    Collected sessionRecords = reading.sessions;
    List<Rejected> sessionRejected = new ArrayList<>(sessionRecords.rejected());
    List<SessionImport.Prepared> sessions = new ArrayList<>();
    for (Map.Entry<String, JsonNode> r : sessionRecords.records().entrySet()) {
      try {
        sessions.add(SessionImport.prepare(toSession(r.getKey(), r.getValue(), mapping), config));
      } catch (StatekeeperException | IllegalArgumentException e) {
        sessionRejected.add(new Rejected(r.getKey(), e.getMessage()));
      }
    }

    MemoryImport memoryImport = new MemoryImport(store, config);
    Collected memoryRecords = reading.memory;
    List<Rejected> memoryRejected = new ArrayList<>(memoryRecords.rejected());
    List<MemoryImport.Prepared> memory = new ArrayList<>();
    for (Map.Entry<String, JsonNode> r : memoryRecords.records().entrySet()) {
      try {
        memory.add(memoryImport.prepare(toMemory(r.getKey(), r.getValue(), mapping)));
      } catch (StatekeeperException | IllegalArgumentException e) {
        memoryRejected.add(new Rejected(r.getKey(), e.getMessage()));
      }
    }

    int all = tasks.size() + sessions.size() + memory.size();
    String nothing = reading.reason(all);
    int[] imported = new int[3];
    String copy = null;
    if (!dryRun && nothing == null) {
      copy = keepCopy(file).toString();
      progress.start("import", all);
      store.write("importing " + file, c -> {
        imported[0] = TaskImport.insert(c, store.dialect(), tenant, tasks);
        imported[1] = SessionImport.insert(c, store.dialect(), tenant, sessions);
        imported[2] = memoryImport.write(c, tenant, memory, "system:import");
        return null;
      });
      progress.advance(all);
      progress.done();
    }
    var report = salvage.report();
    return new ImportReport(
        file.toString(), dryRun, tenant, report.bomRemoved(), report.nulBytesRemoved(), report.documents(),
        report.truncatedDocuments(), report.droppedTrailingChars(), report.duplicateKeys(),
        collectionReport(taskRecords, tasks.size(), imported[0], dryRun || nothing != null, taskRejected),
        collectionReport(sessionRecords, sessions.size(), imported[1], dryRun || nothing != null, sessionRejected),
        collectionReport(memoryRecords, memory.size(), imported[2], dryRun || nothing != null, memoryRejected),
        notes, copy, nothing);
  }

  /** The first characters of {@code text}, quoted, on one line. */
  private static String excerpt(String text) {
    String t = text.strip();
    String head = t.length() > 60 ? t.substring(0, 60) + "…" : t;
    return "\"" + head.replaceAll("\\p{Cntrl}", " ") + "\"";
  }

  private static CollectionReport collectionReport(Collected c, int valid, int imported, boolean dryRun, List<Rejected> rejected) {
    return new CollectionReport(c.found(), valid, imported, dryRun ? 0 : valid - imported, c.partial(), c.merged(), rejected);
  }

  /**
   * The records under {@code path} in every document: an array of records or an object of id →
   * record. {@code idOf(name in the object or "", record)} says which records are the same one
   * (a later whole version replaces an earlier); null means the record has no id. With {@code
   * valueFields} (memory), an object's member that is not a record with one of those fields is
   * read as {@code {"key": name, "value": member}} (a plain key/value memory).
   */
  private static Collected collect(JsonSalvage.Result salvage, String path, boolean bareArrayRoot, List<String> valueFields,
      java.util.function.BiFunction<String, JsonNode, String> idOf) {
    Map<String, JsonNode> records = new LinkedHashMap<>();
    int found = 0;
    int partial = 0;
    int merged = 0;
    List<Rejected> rejected = new ArrayList<>();
    boolean present = false;
    for (JsonSalvage.Document doc : salvage.documents()) {
      JsonNode collection = at(doc.root(), path, bareArrayRoot && doc.root().isArray());
      if (collection == null) {
        continue;
      }
      present |= collection.isArray() || collection.isObject();
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
        if (valueFields != null && !e.getKey().isEmpty() && !hasAny(record, valueFields)) {
          record = JsonNodeFactory.instance.objectNode().put("key", e.getKey()).set("value", record);
        }
        if (!record.isObject()) {
          rejected.add(new Rejected(e.getKey(), "not a JSON object"));
          continue;
        }
        String id = idOf.apply(e.getKey(), record);
        if (id == null) {
          rejected.add(new Rejected("(record " + found + ")", "no id"));
          continue;
        }
        if (records.put(id, record) != null) {
          merged++;
        }
      }
    }
    return new Collected(records, found, partial, merged, rejected, present);
  }

  private static boolean hasAny(JsonNode record, List<String> fields) {
    if (!record.isObject()) return false;
    for (String f : fields) {
      if (record.has(f)) return true;
    }
    return false;
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

  /** Sessions keep their id (when it is a valid one); one that was over comes back terminated. */
  private static SessionImport.ImportedSession toSession(String sourceId, JsonNode r, ImportMapping m) {
    Map<String, List<String>> f = m.sessionFields();
    JsonNode state = value(r, f.get("state"));
    if (state != null && !state.isObject()) {
      state = JsonNodeFactory.instance.objectNode().set("value", state);
    }
    String status = text(r, f.get("status"));
    boolean ended = status != null && ImportMapping.ENDED_SESSION.contains(ImportMapping.norm(status));
    List<SessionImport.ImportedEvent> events = new ArrayList<>();
    JsonNode list = value(r, f.get("events"));
    if (list != null) {
      if (!list.isArray()) {
        throw new IllegalArgumentException("its events are not a JSON array");
      }
      for (JsonNode e : list) {
        if (e.isObject()) {
          String type = text(e, f.get("event_type"));
          // a data field that is there, even as null, is the data; without one the whole event is
          String field = f.get("event_data").stream().filter(e::has).findFirst().orElse(null);
          JsonNode data = field == null ? e : e.get(field).isNull() ? null : e.get(field);
          events.add(new SessionImport.ImportedEvent(type == null ? "event" : type, data));
        } else {
          events.add(new SessionImport.ImportedEvent("event", e));
        }
      }
    }
    return new SessionImport.ImportedSession(
        sourceId, text(r, f.get("agent")), text(r, f.get("user")), state, ended, events, time(text(r, f.get("created_at"))));
  }

  /** {@code id} is namespace/key as {@link #collect} made it. */
  private static MemoryImport.ImportedEntry toMemory(String id, JsonNode r, ImportMapping m) {
    Map<String, List<String>> f = m.memoryFields();
    int slash = id.indexOf('/');
    JsonNode value = value(r, f.get("value"));
    JsonNode metadata = value(r, f.get("metadata"));
    if (metadata != null && !metadata.isObject()) {
      metadata = JsonNodeFactory.instance.objectNode().set("value", metadata);
    }
    String type = text(r, f.get("type"));
    if (type != null) {
      type = type.toLowerCase(java.util.Locale.ROOT);
    }
    return new MemoryImport.ImportedEntry(
        id.substring(0, slash), id.substring(slash + 1),
        new MemoryWrite(value == null ? r : value, type, text(r, f.get("text")), metadata));
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
