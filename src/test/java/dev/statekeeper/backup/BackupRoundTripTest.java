package dev.statekeeper.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.store.Store;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestDatabases;
import dev.statekeeper.memory.MemoryType;
import dev.statekeeper.memory.MemoryWrite;
import dev.statekeeper.memory.Precondition;
import dev.statekeeper.sessions.NewEvent;
import dev.statekeeper.sessions.NewSession;
import dev.statekeeper.tasks.ClaimRequest;
import dev.statekeeper.tasks.NewTask;
import dev.statekeeper.tasks.Priority;
import dev.statekeeper.tasks.Task;
import dev.statekeeper.tasks.TaskQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups move between the stores without changing a byte of what they carry. */
class BackupRoundTripTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static StatekeeperConfig sqlite(Path dir) {
    return StoreKind.SQLITE.config(dir).toBuilder().set(dev.statekeeper.tasks.TaskSettings.REAPER_INTERVAL, Duration.ofHours(1)).build();
  }

  private static StatekeeperConfig postgres(Path dir) {
    return StatekeeperConfig.builder().dataDir(dir).databaseUrl(TestDatabases.freshPostgresDatabase())
        .set(dev.statekeeper.tasks.TaskSettings.REAPER_INTERVAL, Duration.ofHours(1)).build();
  }

  /** Tasks in every state, with payloads, results, errors, events and idempotency keys. */
  private static void populate(Statekeeper sk) throws Exception {
    sk.bootstrapRootKey();
    Caller me = new Caller("acme", "user:alice", Role.ADMIN);
    sk.keys().create(new Caller("default", "user:root", Role.ROOT), "acme", "agent:w1", Role.AGENT);
    for (int i = 0; i < 60; i++) {
      sk.tasks().create(me, NewTask.of("t" + (i % 4))
          .withPayload(JSON.readTree("{\"i\":" + i + ",\"nested\":{\"b\":[1,2.50,\"x\"],\"a\":null},\"ü\":\"é\"}"))
          .withPriority(Priority.values()[i % 4])
          .withDeadline(i % 5 == 0 ? Instant.parse("2030-01-01T00:00:00.123Z") : null), i % 3 == 0 ? "key-" + i : null);
    }
    for (Task t : sk.tasks().claim(me, ClaimRequest.of("w1").withLimit(40))) {
      switch (t.payload().get("i").asInt() % 4) {
        case 0 -> sk.tasks().complete(me, t.id(), "w1", t.attempt(), JSON.readTree("{\"ok\":true,\"n\":1.0}"));
        case 1 -> sk.tasks().fail(me, t.id(), "w1", t.attempt(), "boom\nline two", false);
        case 2 -> sk.tasks().fail(me, t.id(), "w1", t.attempt(), "retry me", true);
        default -> { /* stays claimed */ }
      }
    }
    Task pending = sk.tasks().list(me, new TaskQuery(null, dev.statekeeper.tasks.TaskStatus.PENDING, null, 1, null)).items().get(0);
    sk.tasks().cancel(me, pending.id(), "no longer needed");

    // sessions with events and state, one terminated
    for (int i = 0; i < 3; i++) {
      String id = "chat-" + i;
      sk.sessions().create(me, new NewSession(id, "agent:w1", i == 0 ? null : "user:bob", JSON.readTree("{\"step\":" + i + ",\"ü\":[1.50,null]}")));
      for (int e = 0; e < 5; e++) {
        sk.sessions().append(me, id, NewEvent.of("message", e == 2 ? null : JSON.readTree("{\"n\":" + e + ",\"t\":\"é\"}")));
      }
    }
    sk.sessions().replaceState(me, "chat-1", 1L, JSON.readTree("{\"done\":true}"));
    sk.sessions().terminate(me, "chat-2");
    // memory: several versions, a tombstone, text to search
    for (int i = 0; i < 4; i++) {
      sk.memory().put(me, "user:alice:prefs", "drink",
          MemoryWrite.of(JSON.readTree("{\"v\":" + i + "}")).withText("alice drinks tea version " + i).withMetadata(JSON.readTree("{\"b\":1,\"a\":2}")),
          Precondition.NONE);
    }
    sk.memory().put(me, "user:bob", "k", MemoryWrite.of(JSON.readTree("\"x\"")).withType(MemoryType.EPISODIC), Precondition.NONE);
    sk.memory().delete(me, "user:bob", "k", Precondition.NONE);
    // documents: one replaced, several chunks
    sk.documents().create(me, new dev.statekeeper.documents.NewDocument("guides/tea.md", "Tea", "Brew green tea.", "wiki", null));
    sk.documents().replace(me, "guides/tea.md", dev.statekeeper.documents.NewDocument.of("Steep oolong twice. ".repeat(200)));
    // grants: an agent owns the session it made, and reads a memory subtree it was given
    sk.sessions().create(W1, new NewSession("w1-own", "agent:w1", null, null));
    sk.access().grant(me, new dev.statekeeper.access.Grant("memory:user:alice", dev.statekeeper.access.Relation.VIEWER, "agent:w1"));
  }

  /** The agent key of {@link #populate}'s tenant. */
  private static final Caller W1 = new Caller("acme", "agent:w1", Role.AGENT);

  /** What an agent was granted before the backup it may still do after the restore, and nothing more. */
  private static void assertGrantsRestored(Statekeeper sk) {
    assertThat(sk.sessions().get(W1, "w1-own").id()).isEqualTo("w1-own");
    assertThat(sk.memory().get(W1, "user:alice:prefs", "drink").version()).isEqualTo(4);
    assertThatThrownBy(() -> sk.sessions().get(W1, "chat-1")).isInstanceOf(dev.statekeeper.StatekeeperException.NotFound.class);
  }

  /** Sessions, events, memory history and keyword search came through a restore. */
  private static void assertSessionsAndMemoryRestored(Statekeeper sk) {
    Caller me = new Caller("acme", "user:alice", Role.ADMIN);
    assertThat(sk.sessions().get(me, "chat-1").state()).isEqualTo(JSON.valueToTree(Map.of("done", true)));
    assertThat(sk.sessions().get(me, "chat-2").status()).isEqualTo(dev.statekeeper.sessions.SessionStatus.TERMINATED);
    assertThat(sk.sessions().events(me, "chat-0", null, null).items()).hasSize(5);
    assertThat(sk.sessions().append(me, "chat-0", NewEvent.of("after-restore", null)).seq()).isEqualTo(6);
    assertThat(sk.memory().history(me, "user:alice:prefs", "drink", null, null).items()).hasSize(4);
    assertThat(sk.memory().search(me, dev.statekeeper.memory.SearchRequest.keyword("tea")))
        .singleElement()
        .satisfies(h -> assertThat(h.version()).isEqualTo(4));
    assertThatThrownBy(() -> sk.memory().get(me, "user:bob", "k")).isInstanceOf(dev.statekeeper.StatekeeperException.NotFound.class);
    assertThat(sk.documents().get(me, "guides/tea.md").version()).isEqualTo(2);
    assertThat(sk.documents().search(me, dev.statekeeper.documents.DocumentSearch.keyword("oolong"))).hasSizeGreaterThan(1);
    assertThat(sk.memory().put(me, "user:alice:prefs", "drink", MemoryWrite.of(JSON.valueToTree(5)), Precondition.ifVersion(4))
        .entry().version()).isEqualTo(5);
  }

  private static Map<String, String> checksums(Manifest m) {
    return m.tables().stream().collect(Collectors.toMap(Manifest.TableFile::name, Manifest.TableFile::sha256));
  }

  private static Manifest backupOf(StatekeeperConfig config, Path to) {
    try (Store store = Store.openReadOnly(config)) {
      return new Backups(store, Statekeeper.SCHEMA, to.getParent(), 7).backup(to, Progress.NONE);
    }
  }

  private static Map<String, Long> restoreInto(StatekeeperConfig config, Path from, boolean force) {
    try (Store store = Store.open(config)) {
      store.migrate();
      return new Backups(store, Statekeeper.SCHEMA, from.getParent(), 7).restore(from, force, Progress.NONE);
    }
  }

  private static List<Backups.Finding> verify(StatekeeperConfig config) {
    try (Store store = Store.openReadOnly(config)) {
      return new Backups(store, Statekeeper.SCHEMA, null, 7).verifyStore();
    }
  }

  @Test
  void sqliteToPostgresAndBack_keepsEveryRowByteForByte(@TempDir Path dir) throws Exception {
    StatekeeperConfig source = sqlite(dir.resolve("source"));
    try (Statekeeper sk = Statekeeper.open(source)) {
      populate(sk);
    }
    Manifest fromSqlite = backupOf(source, dir.resolve("b1"));
    assertThat(fromSqlite.tables()).extracting(Manifest.TableFile::name)
        .containsExactly(
            "api_keys", "tasks", "task_events", "task_idempotency_keys", "sessions", "session_events", "memory_entries",
            "memory_versions", "memory_vectors", "documents", "document_chunks", "document_vectors", "access_grants",
            "access_epochs", "audit_log");
    assertThat(fromSqlite.tables().get(1).rows()).isEqualTo(60);
    assertThat(Backups.checkBackup(dir.resolve("b1"), Statekeeper.SCHEMA, null, Progress.NONE)).isEmpty();

    StatekeeperConfig pg = postgres(dir.resolve("pg"));
    Map<String, Long> restored = restoreInto(pg, dir.resolve("b1"), false);
    assertThat(restored).containsEntry("tasks", 60L);
    assertThat(verify(pg)).allSatisfy(f -> assertThat(f.ok()).as(f.check() + ": " + f.detail()).isTrue());

    Manifest fromPostgres = backupOf(pg, dir.resolve("b2"));
    assertThat(checksums(fromPostgres)).isEqualTo(checksums(fromSqlite));
    assertThat(Files.readString(dir.resolve("b2/tasks.jsonl"))).isEqualTo(Files.readString(dir.resolve("b1/tasks.jsonl")));

    StatekeeperConfig back = sqlite(dir.resolve("back"));
    restoreInto(back, dir.resolve("b2"), false);
    Manifest again = backupOf(back, dir.resolve("b3"));
    assertThat(checksums(again)).isEqualTo(checksums(fromSqlite));

    // the restored store works: the root key authenticates and claims continue where they were
    try (Statekeeper sk = Statekeeper.open(pg)) {
      assertThat(sk.keys().authenticate("sk_test_bootstrap_root_key_0123456789").role()).isEqualTo(Role.ROOT);
      Caller me = new Caller("acme", "user:alice", Role.ADMIN);
      assertThat(sk.tasks().stats(me, null).counts()).containsEntry("cancelled", 1L);
      // idempotency keys came along: key-0 now belongs to the restored task
      assertThatThrownBy(() -> sk.tasks().create(me, NewTask.of("t0"), "key-0"))
          .isInstanceOf(dev.statekeeper.StatekeeperException.Conflict.class);
      assertThat(sk.tasks().create(me, NewTask.of("after-restore"), null).task().id()).isNotBlank();
      assertGrantsRestored(sk);
      assertSessionsAndMemoryRestored(sk);
    }
    try (Statekeeper sk = Statekeeper.open(back)) {
      assertGrantsRestored(sk);
      assertSessionsAndMemoryRestored(sk);
    }
  }

  @Test
  void everyTableOfTheSchema_isInTheBackup_orNamedAsNotCarried(@TempDir Path dir) {
    for (StoreKind kind : StoreKind.values()) {
      StatekeeperConfig config = kind == StoreKind.SQLITE ? sqlite(dir.resolve("schema-sqlite")) : postgres(dir.resolve("schema-pg"));
      List<String> tables;
      try (Store store = Store.open(config)) {
        store.migrate();
        tables = store.read("listing tables", c -> {
          String sql = kind == StoreKind.SQLITE
              // shadow tables belong to their full-text table
              ? "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite_%'"
              : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
          List<String> out = new ArrayList<>();
          try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
          }
          return out;
        });
      }
      List<String> carried = Statekeeper.SCHEMA.tables().stream().map(dev.statekeeper.store.Schema.Table::name).toList();
      List<String> notCarried = Statekeeper.SCHEMA.derived().stream().map(dev.statekeeper.store.Schema.Derived::name).toList();
      assertThat(tables).as("%s tables", kind).hasSizeGreaterThan(10);
      assertThat(tables).as("%s: tables no capability declares in its Schema", kind)
          .allSatisfy(t -> assertThat(carried.contains(t) || notCarried.contains(t)).as(t).isTrue());
      assertThat(carried).as("%s: Schema tables that are not in the database", kind).allSatisfy(t -> assertThat(tables).contains(t));
    }
  }

  /**
   * The columns a table has and its Schema leaves out on purpose: search indexes each store
   * rebuilds from {@code text} as rows are restored.
   */
  private static final java.util.Set<String> COLUMNS_NOT_CARRIED = java.util.Set.of(
      "memory_entries.id", "memory_entries.text_tsv", "document_chunks.text_tsv", "document_chunks.id", "documents.id");

  @Test
  void everyColumnOfACarriedTable_isInTheBackup_soANewColumnCannotBeForgotten(@TempDir Path dir) {
    for (StoreKind kind : StoreKind.values()) {
      StatekeeperConfig config = kind == StoreKind.SQLITE ? sqlite(dir.resolve("cols-sqlite")) : postgres(dir.resolve("cols-pg"));
      List<String> missing = new ArrayList<>();
      try (Store store = Store.open(config)) {
        store.migrate();
        for (dev.statekeeper.store.Schema.Table t : Statekeeper.SCHEMA.tables()) {
          List<String> columns = store.read("listing columns", c -> {
            String sql = kind == StoreKind.SQLITE
                ? "SELECT name FROM pragma_table_info(?)"
                : "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?";
            List<String> out = new ArrayList<>();
            try (var ps = c.prepareStatement(sql)) {
              ps.setString(1, t.name());
              try (var rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
              }
            }
            return out;
          });
          assertThat(columns).as("%s: columns of %s", kind, t.name()).isNotEmpty();
          for (String col : columns) {
            boolean declared = t.columns().stream().anyMatch(x -> x.name().equals(col));
            if (!declared && !COLUMNS_NOT_CARRIED.contains(t.name() + "." + col)) missing.add(t.name() + "." + col);
          }
        }
      }
      assertThat(missing).as("%s: columns in the database that no Schema carries (add them, or name them as not carried)", kind)
          .isEmpty();
    }
  }

  @Test
  void aForcedRestore_replacesTheTargetsGrants_andGivesTheStoreANewIdentity(@TempDir Path dir) throws Exception {
    StatekeeperConfig source = sqlite(dir.resolve("source"));
    try (Statekeeper sk = Statekeeper.open(source)) {
      populate(sk);
    }
    backupOf(source, dir.resolve("b"));
    StatekeeperConfig target = postgres(dir.resolve("target"));
    Caller intruder = new Caller("acme", "agent:intruder", Role.AGENT);
    try (Statekeeper sk = Statekeeper.open(target)) {
      // the target's own grant names a session that the backup also has
      sk.access().grant(Caller.admin("acme"), new dev.statekeeper.access.Grant("session:chat-0", dev.statekeeper.access.Relation.OWNER, "agent:intruder"));
    }
    String identityBefore = storeIdentity(target);

    restoreInto(target, dir.resolve("b"), true);

    assertThat(storeIdentity(target)).isNotEqualTo(identityBefore);
    assertThat(verify(target)).allSatisfy(f -> assertThat(f.ok()).as(f.check() + ": " + f.detail()).isTrue());
    try (Statekeeper sk = Statekeeper.open(target)) {
      assertThatThrownBy(() -> sk.sessions().get(intruder, "chat-0")).isInstanceOf(dev.statekeeper.StatekeeperException.NotFound.class);
      assertGrantsRestored(sk);
    }
  }

  @Test
  void aRestoreThePostgresRefuses_namesTheTableAndRow_butQuotesNoStoredText(@TempDir Path dir) throws Exception {
    // a SQLite store written before NUL was refused everywhere: PostgreSQL cannot store it
    StatekeeperConfig source = sqlite(dir.resolve("source"));
    Caller me = new Caller("acme", "user:alice", Role.ADMIN);
    try (Statekeeper sk = Statekeeper.open(source)) {
      sk.documents().create(me, dev.statekeeper.documents.NewDocument.of("private words of the first document"));
    }
    try (Store store = Store.open(source)) {
      store.write("planting a NUL", c -> {
        try (var st = c.createStatement()) {
          st.executeUpdate("UPDATE documents SET text = 'secret' || char(0) || ' text'");
        }
        return null;
      });
    }
    backupOf(source, dir.resolve("b"));

    StatekeeperConfig pg = postgres(dir.resolve("pg"));
    assertThatThrownBy(() -> restoreInto(pg, dir.resolve("b"), false))
        .hasMessageContaining("documents.jsonl row 1 could not be restored")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("INSERT"));
    assertThat(rows(pg, "documents")).isZero();
  }

  private static String storeIdentity(StatekeeperConfig config) {
    try (Store store = Store.openReadOnly(config)) {
      return store.read("reading the identity", c -> {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT id FROM store_identity")) {
          rs.next();
          return rs.getString(1);
        }
      });
    }
  }

  /** Words hashed into 64 buckets: a stand-in model that records every text it is asked to embed. */
  static final class RecordingEmbedder implements dev.statekeeper.search.Embedder {
    final java.util.Queue<String> texts = new java.util.concurrent.ConcurrentLinkedQueue<>();
    volatile boolean down;

    @Override
    public String model() {
      return "backup-test-words";
    }

    @Override
    public int dimensions() {
      return 64;
    }

    @Override
    public List<float[]> embed(List<String> batch) {
      if (down) throw new IllegalStateException("stand-in embedder is down");
      texts.addAll(batch);
      List<float[]> out = new ArrayList<>();
      for (String t : batch) {
        float[] v = new float[64];
        for (String w : t.toLowerCase(java.util.Locale.ROOT).split("\\W+")) {
          if (!w.isEmpty()) v[Math.floorMod(w.hashCode(), 64)] += 1;
        }
        out.add(dev.statekeeper.search.Vectors.normalised(v));
      }
      return out;
    }
  }

  private static long rows(StatekeeperConfig config, String table) {
    try (Store store = Store.openReadOnly(config)) {
      return store.read("counting", c -> {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
          rs.next();
          return rs.getLong(1);
        }
      });
    }
  }

  @Test
  void vectorsComeAlong_aRestoredStoreSearchesSemanticallyWithoutEmbeddingAgain(@TempDir Path dir) throws Exception {
    Caller me = new Caller("acme", "user:alice", Role.ADMIN);
    StatekeeperConfig source = sqlite(dir.resolve("source"));
    RecordingEmbedder before = new RecordingEmbedder();
    try (Statekeeper sk = Statekeeper.open(source, before)) {
      sk.memory().put(me, "notes", "tea", MemoryWrite.of(JSON.valueToTree(1)).withText("green tea in the morning"), Precondition.NONE);
      sk.memory().put(me, "notes", "bike", MemoryWrite.of(JSON.valueToTree(2)).withText("bicycle repair on saturday"), Precondition.NONE);
      sk.documents().create(me, dev.statekeeper.documents.NewDocument.of("Oolong is steeped twice."));
      sk.memory().embedPendingNow();
      sk.documents().embedPendingNow();
    }
    assertThat(before.texts).contains("green tea in the morning", "bicycle repair on saturday");
    Manifest m = backupOf(source, dir.resolve("b"));
    assertThat(m.tables()).filteredOn(t -> t.name().equals("memory_vectors")).singleElement()
        .satisfies(t -> assertThat(t.rows()).isEqualTo(2));
    assertThat(m.tables()).filteredOn(t -> t.name().equals("document_vectors")).singleElement()
        .satisfies(t -> assertThat(t.rows()).isEqualTo(1));

    // the target has data of its own, with embedding work still queued (its embedder is down)
    StatekeeperConfig target = postgres(dir.resolve("target"));
    RecordingEmbedder down = new RecordingEmbedder();
    down.down = true;
    try (Statekeeper sk = Statekeeper.open(target, down)) {
      sk.memory().put(me, "notes", "tea", MemoryWrite.of(JSON.valueToTree(9)).withText("coffee, black"), Precondition.NONE);
      sk.memory().put(me, "other", "x", MemoryWrite.of(JSON.valueToTree(9)).withText("something else"), Precondition.NONE);
    }
    assertThat(rows(target, "embedding_outbox")).isEqualTo(2);
    restoreInto(target, dir.resolve("b"), true);
    // the replaced data's queued work went with it
    assertThat(rows(target, "embedding_outbox")).isZero();

    RecordingEmbedder after = new RecordingEmbedder();
    try (Statekeeper sk = Statekeeper.open(target, after)) {
      assertThat(sk.memory().embeddingStatus().backlog()).isZero();
      assertThat(sk.documents().embeddingBacklog()).isZero();
      sk.memory().embedPendingNow(); // nothing to embed; brings the index up to date
      sk.documents().embedPendingNow();
      assertThat(sk.memory().search(me, new dev.statekeeper.memory.SearchRequest("green tea", null, null, "semantic", 1)))
          .singleElement().satisfies(h -> assertThat(h.key()).isEqualTo("tea"));
      assertThat(sk.documents().search(me, new dev.statekeeper.documents.DocumentSearch("oolong steeped", "semantic", 1, null)))
          .singleElement().satisfies(h -> assertThat(h.text()).contains("Oolong"));
      // only the two queries were embedded: every stored text came with its vector
      assertThat(after.texts).containsExactlyInAnyOrder("green tea", "oolong steeped");
    }
  }

  @Test
  void aBackupWithOneByteChanged_failsVerify_andIsNotRestored(@TempDir Path dir) throws Exception {
    StatekeeperConfig source = sqlite(dir.resolve("source"));
    try (Statekeeper sk = Statekeeper.open(source)) {
      populate(sk);
    }
    Path b = dir.resolve("b");
    backupOf(source, b);
    byte[] bytes = Files.readAllBytes(b.resolve("tasks.jsonl"));
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(b.resolve("tasks.jsonl"), bytes);

    assertThat(Backups.checkBackup(b, Statekeeper.SCHEMA, null, Progress.NONE)).anyMatch(p -> p.contains("tasks.jsonl has SHA-256"));
    StatekeeperConfig target = sqlite(dir.resolve("target"));
    assertThatThrownBy(() -> restoreInto(target, b, false)).hasMessageContaining("does not verify");
    assertThat(Backups.checkBackup(dir.resolve("nothing"), Statekeeper.SCHEMA, null, Progress.NONE)).singleElement().asString().contains("not a backup");
  }

  @Test
  void restoreIntoANonEmptyStore_isRefused_unlessForced(@TempDir Path dir) throws Exception {
    StatekeeperConfig source = sqlite(dir.resolve("source"));
    try (Statekeeper sk = Statekeeper.open(source)) {
      populate(sk);
    }
    backupOf(source, dir.resolve("b"));
    StatekeeperConfig target = sqlite(dir.resolve("target"));
    try (Statekeeper sk = Statekeeper.open(target)) {
      sk.tasks().create(Caller.admin("other"), NewTask.of("already here"), null);
    }
    assertThatThrownBy(() -> restoreInto(target, dir.resolve("b"), false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the store is not empty (tasks: 1 rows");
    try (Statekeeper sk = Statekeeper.open(target)) {
      assertThat(sk.tasks().list(Caller.admin("other"), TaskQuery.all()).items()).hasSize(1); // untouched
    }
    assertThat(restoreInto(target, dir.resolve("b"), true)).containsEntry("tasks", 60L);
    try (Statekeeper sk = Statekeeper.open(target)) {
      assertThat(sk.tasks().list(Caller.admin("other"), TaskQuery.all()).items()).isEmpty();
    }
  }

  @Test
  void aBackupTakenUnderWriteLoad_restoresToAConsistentState(@TempDir Path dir) throws Exception {
    for (StoreKind kind : StoreKind.values()) {
      StatekeeperConfig source =
          kind == StoreKind.SQLITE ? sqlite(dir.resolve("load-src-" + kind)) : postgres(dir.resolve("load-src-" + kind));
      Path b = dir.resolve("load-b-" + kind);
      try (Statekeeper sk = Statekeeper.open(source)) {
        sk.bootstrapRootKey();
        Caller me = new Caller("load", "user:x", Role.ADMIN);
        AtomicBoolean running = new AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
          List<Future<?>> load = new ArrayList<>();
          for (int w = 0; w < 4; w++) {
            int worker = w;
            load.add(pool.submit(() -> {
              int batch = 0;
              while (running.get()) {
                List<NewTask> tasks = new ArrayList<>();
                String marker = worker + "-" + batch++;
                for (int i = 0; i < 10; i++) tasks.add(NewTask.of("b").withPayload(JSON.readTree("{\"batch\":\"" + marker + "\"}")));
                sk.tasks().createBatch(me, tasks);
                batches.incrementAndGet();
                for (Task t : sk.tasks().claim(me, ClaimRequest.of("w" + worker).withLimit(5))) {
                  sk.tasks().complete(me, t.id(), "w" + worker, t.attempt(), null);
                }
              }
              return null;
            }));
          }
          // the backup is taken while the writers go on: some batches before it, more during and after it
          org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> batches.get() >= 20);
          try (Store store = Store.openReadOnly(source)) {
            new Backups(store, Statekeeper.SCHEMA, dir, 7).backup(b, Progress.NONE);
          }
          int atBackupEnd = batches.get();
          org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> batches.get() >= atBackupEnd + 20);
          running.set(false);
          for (Future<?> f : load) f.get();
        }
      }
      StatekeeperConfig target = sqlite(dir.resolve("load-target-" + kind));
      restoreInto(target, b, false);
      assertThat(verify(target)).allSatisfy(f -> assertThat(f.ok()).as(kind + " " + f.check() + ": " + f.detail()).isTrue());
      try (Statekeeper sk = Statekeeper.open(target)) {
        Map<String, Integer> perBatch = new HashMap<>();
        String cursor = null;
        do {
          var page = sk.tasks().list(new Caller("load", "user:x", Role.ADMIN), TaskQuery.all().withLimit(1000).withCursor(cursor));
          page.items().forEach(t -> perBatch.merge(t.payload().get("batch").asText(), 1, Integer::sum));
          cursor = page.nextCursor();
        } while (cursor != null);
        assertThat(perBatch).isNotEmpty();
        assertThat(perBatch.values()).as("%s: no half batch", kind).containsOnly(10);
      }
    }
  }
}
