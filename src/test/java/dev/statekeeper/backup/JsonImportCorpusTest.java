package dev.statekeeper.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corruption corpus made from good state files: truncation at many offsets, an overwrite that
 * leaves the old tail ("Extra data"), appended documents, interleaved writers, NULs, BOMs,
 * duplicate keys. The importer never fails, never takes a partial record, and counts what it
 * dropped exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JsonImportCorpusTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Store store;
  JsonImporter importer;

  @BeforeAll
  void open(@TempDir Path data) {
    StatekeeperConfig config = StatekeeperConfig.builder().dataDir(data).build();
    store = Store.open(config);
    store.migrate();
    importer = new JsonImporter(store, config);
  }

  @AfterAll
  void close() {
    store.close();
  }

  /** A state file as Python's json.dump(indent=2) writes it, with each record's span. */
  record Sample(String text, List<int[]> spans, List<ObjectNode> records) {}

  static Sample sample(int n, String statusOf0, int extra) {
    return sample(n, statusOf0, extra, 0);
  }

  static Sample sample(int n, String statusOf0, int extra, int shift) {
    List<ObjectNode> records = new ArrayList<>();
    String[] statuses = {"pending", "in_progress", "done", "failed", "cancelled"};
    for (int i = 0; i < n + extra; i++) {
      ObjectNode r = JSON.createObjectNode();
      r.put("id", "task-" + i);
      r.put("type", "summarize");
      r.put("status", i == 0 ? statusOf0 : statuses[(i + shift) % statuses.length]);
      r.put("priority", (i + shift) % 7 == 0 ? "urgent" : "normal");
      if (i % 5 == 1) r.put("assigned_to", "agent-" + (i % 3));
      r.putObject("payload").put("doc", "docs/" + i + ".md").put("text", "é \"quoted\" {braces} [x]");
      r.put("attempts", i % 5 == 1 ? 1 : 0);
      records.add(r);
    }
    StringBuilder text = new StringBuilder("{\n  \"version\": 3,\n  \"tasks\": [\n");
    List<int[]> spans = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      String pretty = records.get(i).toPrettyString().replace("\n", "\n    ");
      if (i > 0) text.append(",\n");
      text.append("    ");
      int start = text.length();
      text.append(pretty);
      spans.add(new int[] {start, text.length()});
    }
    text.append("\n  ],\n  \"updated\": \"2026-11-23T10:00:00Z\"\n}\n");
    return new Sample(text.toString(), spans, records);
  }

  private JsonImporter.ImportReport dryRun(String text) throws Exception {
    return dryRun(text.getBytes(StandardCharsets.UTF_8));
  }

  private JsonImporter.ImportReport dryRun(byte[] bytes) throws Exception {
    Path f = Files.createTempFile(dir, "state", ".json");
    Files.write(f, bytes);
    return importer.run(f, null, "corpus", true);
  }

  @Test
  void truncationAtAnyOffset_keepsEveryWholeRecord_andCountsTheCutOne() throws Exception {
    Sample s = sample(40, "pending", 0);
    for (int cut = 0; cut <= s.text().length(); cut += 3) {
      JsonImporter.ImportReport r = dryRun(s.text().substring(0, cut));
      int whole = 0;
      int partial = 0;
      for (int[] span : s.spans()) {
        if (span[1] <= cut) whole++;
        else if (span[0] < cut) partial++;
      }
      assertThat(r.tasks().valid()).as("valid records when cut at %d", cut).isEqualTo(whole);
      assertThat(r.tasks().partialDropped()).as("partial records when cut at %d", cut).isEqualTo(partial);
      assertThat(r.tasks().rejected()).isEmpty();
      if (cut < s.text().length() - 2) {
        assertThat(r.truncatedDocuments()).as("cut at %d", cut).isLessThanOrEqualTo(1);
      }
    }
  }

  @Test
  void anOverwriteThatLeavesTheOldTail_importsOnlyTheNewDocument() throws Exception {
    Sample old = sample(40, "pending", 0);
    Sample fresh = sample(25, "done", 0); // fewer records, and task-0 finished since
    String text = fresh.text() + old.text().substring(fresh.text().length());
    JsonImporter.ImportReport r = dryRun(text);
    assertThat(r.tasks().valid()).isEqualTo(25);
    assertThat(r.droppedTrailingChars()).isEqualTo(old.text().length() - fresh.text().length());
    assertThat(r.notes()).anyMatch(n -> n.contains("extra data"));
  }

  @Test
  void appendedDocuments_mergeWithTheLastWholeVersionWinning() throws Exception {
    Sample v1 = sample(30, "pending", 0);
    Sample v2 = sample(30, "done", 5); // task-0 done, five new tasks
    Path f = Files.createTempFile(dir, "appended", ".json");
    Files.writeString(f, v1.text() + v2.text().substring(0, v2.spans().get(10)[0] + 20)); // v2 cut inside task-10
    JsonImporter.ImportReport dry = importer.run(f, null, "append", true);
    assertThat(dry.documents()).isEqualTo(2);
    assertThat(dry.tasks().valid()).isEqualTo(30); // 0..29 (task-10 and later from v1)
    assertThat(dry.tasks().partialDropped()).isEqualTo(1);
    assertThat(dry.tasks().duplicatesMerged()).isEqualTo(10);

    JsonImporter.ImportReport real = importer.run(f, null, "append", false);
    assertThat(real.tasks().imported()).isEqualTo(30);
    JsonNode task0 = exportedTask("append", "task-0");
    assertThat(task0.get("status").asText()).isEqualTo("completed");
  }

  @Test
  void nulBytesBomsAndDuplicateKeys_areRepairedAndReported() throws Exception {
    Sample s = sample(10, "pending", 0);
    String withDuplicate = s.text().replaceFirst("\"status\" : \"pending\"", "\"status\" : \"pending\",\n      \"status\" : \"done\"");
    byte[] body = withDuplicate.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[3 + body.length + 4096];
    bytes[0] = (byte) 0xEF;
    bytes[1] = (byte) 0xBB;
    bytes[2] = (byte) 0xBF;
    System.arraycopy(body, 0, bytes, 3, body.length); // then 4,096 NULs: a preallocated block after a crash
    JsonImporter.ImportReport r = dryRun(bytes);
    assertThat(r.bomRemoved()).isTrue();
    assertThat(r.nulBytesRemoved()).isEqualTo(4096);
    assertThat(r.duplicateKeys()).isEqualTo(1);
    assertThat(r.tasks().valid()).isEqualTo(10);
    assertThat(r.truncatedDocuments()).isZero();
  }

  /**
   * Writers interleaved at arbitrary byte offsets can splice two versions of one record into
   * valid JSON; no reader can tell that from the bytes. What holds: records are whole, and each
   * field of an imported record is a value some writer wrote for that record.
   */
  @Test
  void interleavedWriters_neverYieldAFieldThatNeitherWrote() throws Exception {
    Sample v1 = sample(40, "pending", 0);
    Sample v2 = sample(40, "done", 3, 2);
    Map<String, List<String>> versions = new HashMap<>(); // "<id>.<field>" -> values written
    for (Sample s : List.of(v1, v2)) {
      for (ObjectNode r : s.records()) {
        String[] n = normalized(r).split("\\|", 3);
        String id = r.get("id").asText();
        versions.computeIfAbsent(id + ".status", k -> new ArrayList<>()).add(n[0]);
        versions.computeIfAbsent(id + ".priority", k -> new ArrayList<>()).add(n[1]);
        versions.computeIfAbsent(id + ".payload", k -> new ArrayList<>()).add(n[2]);
      }
    }
    Random random = new Random(42);
    for (int round = 0; round < 40; round++) {
      int block = 64 << random.nextInt(5);
      StringBuilder mixed = new StringBuilder();
      int len = Math.max(v1.text().length(), v2.text().length());
      for (int at = 0; at < len; at += block) {
        String src = random.nextBoolean() ? v1.text() : v2.text();
        if (at < src.length()) mixed.append(src, at, Math.min(src.length(), at + block));
      }
      Path f = Files.createTempFile(dir, "mixed", ".json");
      Files.writeString(f, mixed);
      String tenant = "mixed-" + round;
      JsonImporter.ImportReport r = importer.run(f, null, tenant, false);
      assertThat(r.tasks().imported() + r.tasks().rejected().size()).isEqualTo(r.tasks().valid() + r.tasks().rejected().size());
      // every imported task is exactly one that a writer wrote
      JsonNode exported = export(tenant);
      for (JsonNode t : exported.get("tasks")) {
        String sourceId = sourceIdOf(tenant, t.get("id").asText(), exported);
        assertThat(versions).containsKey(sourceId + ".status");
        assertThat(versions.get(sourceId + ".status")).as("round %d, %s", round, sourceId).contains(t.get("status").asText());
        assertThat(versions.get(sourceId + ".priority")).as("round %d, %s", round, sourceId).contains(t.get("priority").asText());
        assertThat(versions.get(sourceId + ".payload")).as("round %d, %s", round, sourceId).contains(t.get("payload").toString());
      }
    }
  }

  @Test
  void randomBytes_neverMakeTheImporterFail() throws Exception {
    Random random = new Random(7);
    Sample s = sample(20, "pending", 0);
    for (int i = 0; i < 200; i++) {
      byte[] bytes = s.text().getBytes(StandardCharsets.UTF_8);
      for (int k = 0; k < 1 + random.nextInt(20); k++) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      JsonImporter.ImportReport r = dryRun(bytes);
      assertThat(r.tasks().valid() + r.tasks().partialDropped() + r.tasks().rejected().size()).isLessThanOrEqualTo(21 * 2);
    }
  }

  @Test
  void aRealImport_runTwice_addsNothingTheSecondTime_andLeavesTheSourceAsItWas() throws Exception {
    Sample s = sample(15, "pending", 0);
    Path f = dir.resolve("state.json");
    Files.writeString(f, s.text() + "garbage tail");
    byte[] before = Files.readAllBytes(f);
    JsonImporter.ImportReport first = importer.run(f, null, "twice", false);
    JsonImporter.ImportReport second = importer.run(f, null, "twice", false);
    assertThat(first.tasks().imported()).isEqualTo(15);
    assertThat(second.tasks().imported()).isZero();
    assertThat(second.tasks().alreadyPresent()).isEqualTo(15);
    assertThat(Files.readAllBytes(f)).isEqualTo(before);
    assertThat(Path.of(first.sourceCopy())).exists().hasBinaryContent(before);
    JsonNode task1 = exportedTask("twice", "task-1");
    assertThat(task1.get("status").asText()).isEqualTo("pending"); // was in_progress: offered again
    assertThat(exportedTask("twice", "task-0").get("priority").asText()).isEqualTo("CRITICAL"); // "urgent"
  }

  @Test
  void aMappingFile_readsAnotherShape() throws Exception {
    Path f = dir.resolve("jobs.json");
    Files.writeString(f, "{\"state\":{\"jobs\":{\"j1\":{\"kind\":\"crawl\",\"phase\":\"queued\",\"prio\":\"p0\"},"
        + "\"j2\":{\"kind\":\"crawl\",\"phase\":\"shipped\"}}}}");
    Path mapping = dir.resolve("mapping.json");
    Files.writeString(mapping, "{\"tasks\":{\"path\":\"state.jobs\",\"fields\":{\"type\":\"kind\",\"status\":\"phase\"}},"
        + "\"status_values\":{\"shipped\":\"completed\"}}");
    JsonImporter.ImportReport r = importer.run(f, mapping, "mapped", false);
    assertThat(r.tasks().imported()).isEqualTo(2);
    assertThat(exportedTask("mapped", "j1").get("priority").asText()).isEqualTo("CRITICAL");
    assertThat(exportedTask("mapped", "j2").get("status").asText()).isEqualTo("completed");
  }

  // ---------------------------------------------------------------- helpers

  private JsonNode export(String tenant) throws Exception {
    StatekeeperConfig config = StatekeeperConfig.defaults();
    try (dev.statekeeper.tasks.Tasks tasks = dev.statekeeper.tasks.Tasks.start(store, config);
        var sessions = dev.statekeeper.sessions.Sessions.start(store, config, dev.statekeeper.Authorizer.ALLOW_ALL);
        var memory = dev.statekeeper.memory.Memory.start(store, config, dev.statekeeper.Authorizer.ALLOW_ALL)) {
      Path out = Files.createTempFile(dir, "export", ".json");
      new JsonExporter(tasks, sessions, memory).export(dev.statekeeper.Caller.admin(tenant), out, Progress.NONE);
      return JSON.readTree(out.toFile());
    }
  }

  private JsonNode exportedTask(String tenant, String sourceId) throws Exception {
    String id = java.util.UUID.nameUUIDFromBytes(("statekeeper-import\0" + tenant + "\0" + sourceId).getBytes(StandardCharsets.UTF_8)).toString();
    for (JsonNode t : export(tenant).get("tasks")) {
      if (t.get("id").asText().equals(id)) return t;
    }
    throw new AssertionError("no imported task for " + sourceId);
  }

  private static String sourceIdOf(String tenant, String id, JsonNode exported) {
    for (int i = 0; i < 100; i++) {
      String candidate = "task-" + i;
      if (java.util.UUID.nameUUIDFromBytes(("statekeeper-import\0" + tenant + "\0" + candidate).getBytes(StandardCharsets.UTF_8)).toString().equals(id)) {
        return candidate;
      }
    }
    return "?";
  }

  /** A record as it reads after import: status and priority mapped, payload as is. */
  private static String normalized(ObjectNode r) {
    String status = ImportMapping.DEFAULT_STATUS.get(r.get("status").asText());
    if (status.equals("claimed")) status = "pending";
    String priority = ImportMapping.DEFAULT_PRIORITY.get(r.get("priority").asText());
    return status + "|" + priority + "|" + r.get("payload");
  }
}
