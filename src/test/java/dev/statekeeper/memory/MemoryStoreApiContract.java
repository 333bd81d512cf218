package dev.statekeeper.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.access.Grant;
import dev.statekeeper.access.Relation;
import dev.statekeeper.audit.AuditLog;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestClock;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What agent frameworks' stores need from memory, through the embedded API, once per store:
 * atomic batches, listings in either order bounded by keys, filters on metadata and value,
 * search without a query, namespace listings, TTL and purge. Each test works in a tenant of its
 * own; time is the test's clock ({@link TestClock}), so TTLs pass without sleeping.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MemoryStoreApiContract {

  static final ObjectMapper JSON = new ObjectMapper();

  final TestClock clock = new TestClock();
  Statekeeper sk;
  Memory memory;
  Caller me;

  abstract StoreKind kind();

  @BeforeAll
  void open(@TempDir Path dir) {
    // the sweeper runs only when a test asks (sweepExpiredNow), so a test sees expired rows first
    sk = Statekeeper.open(kind().config(dir).toBuilder()
        .set(dev.statekeeper.jobs.JobSettings.RETENTION_INTERVAL, Duration.ofHours(1))
        // 50 racing writers on a pool of 10: they queue for connections rather than give up
        .set(dev.statekeeper.store.StoreSettings.CONNECTION_TIMEOUT, Duration.ofSeconds(30)).build(), clock.database());
    memory = sk.memory();
  }

  @AfterAll
  void close() {
    if (sk != null) sk.close();
  }

  @BeforeEach
  void freshTenant() {
    me = new Caller("a-" + UUID.randomUUID(), "user:admin", Role.ADMIN);
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  PutResult put(String ns, String key, String valueJson) {
    return memory.put(me, ns, key, MemoryWrite.of(json(valueJson)), Precondition.NONE);
  }

  PutResult put(String ns, String key, String valueJson, String metadataJson) {
    return memory.put(me, ns, key, MemoryWrite.of(json(valueJson)).withMetadata(json(metadataJson)), Precondition.NONE);
  }

  static void assertProblem(Runnable call, Class<? extends StatekeeperException> type, String code) {
    assertThatThrownBy(call::run)
        .isInstanceOf(type)
        .satisfies(e -> assertThat(((StatekeeperException) e).code()).isEqualTo(code));
  }

  List<String> keys(MemoryQuery q) {
    return memory.list(me, q).items().stream().map(MemoryEntry::key).toList();
  }

  List<String> names(MemoryQuery q) {
    return memory.list(me, q).items().stream().map(e -> e.namespace() + "/" + e.key()).toList();
  }

  /** Rows of {@code table} in this test's tenant. */
  long rows(String table) {
    return sk.store().read("counting", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE tenant = ?")) {
        SqlArgs.bind(ps, sk.store().dialect(), me.tenant());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  // ---------------------------------------------------------------- batch

  @Test
  void batch_appliesEveryOp_andAnswersEachInTheOrderGiven() {
    put("t:1", "old", "1");
    put("t:1", "gone", "1");

    List<MemoryBatch.Result> r = memory.batch(me, new MemoryBatch(List.of(
        MemoryBatch.Op.put("t:1", "zeta", MemoryWrite.of(json("{\"a\":1}")).withText("z")),
        MemoryBatch.Op.put("t:1", "old", MemoryWrite.of(json("2"))).onlyAtVersion(1),
        MemoryBatch.Op.delete("t:1", "gone"),
        MemoryBatch.Op.put("t:0", "alpha", MemoryWrite.of(json("3"))).onlyIfAbsent(),
        MemoryBatch.Op.delete("t:1", "never-written"))));

    assertThat(r).extracting(MemoryBatch.Result::key).containsExactly("zeta", "old", "gone", "alpha", "never-written");
    assertThat(r).extracting(MemoryBatch.Result::created).containsExactly(true, false, false, true, false);
    assertThat(r.get(1).entry().version()).isEqualTo(2);
    assertThat(r.get(2).entry().deleted()).isTrue();
    assertThat(r.get(4).entry()).as("a delete of nothing changes nothing").isNull();
    assertThat(names(MemoryQuery.all())).containsExactly("t:0/alpha", "t:1/old", "t:1/zeta");
  }

  @Test
  void batch_withOneFailingPrecondition_appliesNothing_andNamesTheOp() {
    put("t", "a", "1");
    put("t", "b", "1");

    assertThatThrownBy(() -> memory.batch(me, new MemoryBatch(List.of(
            MemoryBatch.Op.put("t", "a", MemoryWrite.of(json("2"))).onlyAtVersion(1),
            MemoryBatch.Op.put("t", "new", MemoryWrite.of(json("2"))),
            MemoryBatch.Op.put("t", "b", MemoryWrite.of(json("2"))).onlyAtVersion(7),
            MemoryBatch.Op.delete("t", "a")))))
        .isInstanceOfSatisfying(StatekeeperException.PreconditionFailed.class, e -> {
          assertThat(e.opIndex()).isEqualTo(2);
          assertThat(e.currentVersion()).isEqualTo(1);
          assertThat(e.getMessage()).startsWith("ops[2]: memory t/b is at version 1, not 7");
        });

    assertThat(memory.get(me, "t", "a").version()).isEqualTo(1);
    assertThat(memory.get(me, "t", "a").value()).isEqualTo(json("1"));
    assertThat(names(MemoryQuery.all())).containsExactly("t/a", "t/b");
    assertThat(rows("memory_versions")).isEqualTo(2);
  }

  @Test
  void batch_ofOneKeyTwice_appliesInTheOrderGiven() {
    List<MemoryBatch.Result> r = memory.batch(me, new MemoryBatch(List.of(
        MemoryBatch.Op.put("t", "k", MemoryWrite.of(json("1"))).onlyIfAbsent(),
        MemoryBatch.Op.put("t", "k", MemoryWrite.of(json("2"))).onlyAtVersion(1),
        MemoryBatch.Op.delete("t", "k").onlyAtVersion(2))));

    assertThat(r).extracting(x -> x.entry().version()).containsExactly(1L, 2L, 3L);
    assertProblem(() -> memory.get(me, "t", "k"), StatekeeperException.NotFound.class, "memory_not_found");
  }

  @Test
  void batch_withBadOps_isRefusedWithTheOpsIndex_andChangesNothing() {
    put("t", "a", "1");
    List<MemoryBatch.Op> tooMany = new ArrayList<>();
    for (int i = 0; i <= MemoryBatch.MAX_OPS; i++) tooMany.add(MemoryBatch.Op.put("t", "k" + i, MemoryWrite.of(json("1"))));
    assertProblem(() -> memory.batch(me, new MemoryBatch(tooMany)), StatekeeperException.InvalidInput.class, "batch_too_large");
    assertProblem(() -> memory.batch(me, new MemoryBatch(List.of())), StatekeeperException.InvalidInput.class, "invalid_batch");

    Map<String, MemoryBatch.Op> bad = new LinkedHashMap<>();
    bad.put("invalid_namespace", MemoryBatch.Op.put("bad ns", "k", MemoryWrite.of(json("1"))));
    bad.put("invalid_value", new MemoryBatch.Op("put", "t", "k", null, null, null, null, null, null, null));
    bad.put("invalid_op", new MemoryBatch.Op("upsert", "t", "k", json("1"), null, null, null, null, null, null));
    bad.put("invalid_batch", new MemoryBatch.Op("delete", "t", "a", json("1"), null, null, null, null, null, null));
    bad.put("invalid_precondition", new MemoryBatch.Op("put", "t", "k", json("1"), null, null, null, 1L, true, null));
    bad.put("invalid_ttl", MemoryBatch.Op.put("t", "k", MemoryWrite.of(json("1")).withTtlSeconds(0L)));
    bad.forEach((code, op) -> assertThatThrownBy(() -> memory.batch(me, new MemoryBatch(List.of(
            MemoryBatch.Op.put("t", "fine", MemoryWrite.of(json("1"))), op))))
        .isInstanceOfSatisfying(StatekeeperException.class, e -> {
          assertThat(e.code()).as(code).isEqualTo(code);
          assertThat(e.getMessage()).as(code).startsWith("ops[1]: ");
        }));

    assertThat(names(MemoryQuery.all())).containsExactly("t/a");
  }

  @Test
  void batch_needsWriteAccessToEveryNamespace_elseNothingIsWritten() {
    sk.access().grant(me, new Grant("memory:mine", Relation.EDITOR, "agent:w"));
    Caller agent = new Caller(me.tenant(), "agent:w", Role.AGENT);

    assertProblem(() -> memory.batch(agent, new MemoryBatch(List.of(
            MemoryBatch.Op.put("mine", "a", MemoryWrite.of(json("1"))),
            MemoryBatch.Op.put("theirs", "b", MemoryWrite.of(json("1")))))),
        StatekeeperException.Forbidden.class, "access_denied");
    assertThat(names(MemoryQuery.all())).isEmpty();
  }

  // ---------------------------------------------------------------- listing

  @Test
  void list_newestFirst_andBetweenKeys_inEitherOrder() {
    for (int i = 1; i <= 20; i++) put("ckpt:thread", String.format("c%02d", i), "" + i);
    put("ckpt:thread:child", "c99", "1");

    assertThat(keys(MemoryQuery.namespace("ckpt:thread").newestFirst().withLimit(1))).containsExactly("c20");
    assertThat(keys(MemoryQuery.namespace("ckpt:thread").newestFirst().withKeysBetween(null, "c10").withLimit(3)))
        .containsExactly("c09", "c08", "c07");
    assertThat(keys(MemoryQuery.namespace("ckpt:thread").withKeysBetween("c05", "c08"))).containsExactly("c06", "c07");
    // a subtree: the namespace, then its descendants; newest first, the other way round
    assertThat(names(MemoryQuery.prefix("ckpt:thread").newestFirst().withLimit(2)))
        .containsExactly("ckpt:thread:child/c99", "ckpt:thread/c20");
    assertThat(names(MemoryQuery.prefix("ckpt:thread").withKeysBetween("c18", null)))
        .containsExactly("ckpt:thread/c19", "ckpt:thread/c20", "ckpt:thread:child/c99");
  }

  @Test
  void list_pagesNewestFirst_withoutGapsOrRepeats() {
    List<String> written = new ArrayList<>();
    for (String ns : List.of("p", "p:a", "p:b")) {
      for (int i = 0; i < 7; i++) {
        put(ns, "k" + i, "1");
        written.add(ns + "/k" + i);
      }
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      MemoryPage page = memory.list(me, MemoryQuery.prefix("p").newestFirst().withLimit(4).withCursor(cursor));
      page.items().forEach(e -> seen.add(e.namespace() + "/" + e.key()));
      cursor = page.nextCursor();
    } while (cursor != null);

    assertThat(seen).containsExactlyElementsOf(written.reversed());
  }

  @Test
  void list_ofOneNamespace_leavesOutItsDescendants() {
    put("user:a", "k", "1");
    put("user:a:deep", "k", "1");
    assertThat(names(MemoryQuery.namespace("user:a"))).containsExactly("user:a/k");
    assertProblem(() -> memory.list(me, new MemoryQuery("user", "user:a", null, null, null, null, null, null, null)),
        StatekeeperException.InvalidInput.class, "invalid_parameter");
    assertProblem(() -> memory.list(me, MemoryQuery.all().withKeysBetween("bad key", null)),
        StatekeeperException.InvalidInput.class, "invalid_key");
    assertProblem(() -> memory.list(me, new MemoryQuery(null, null, null, "newest", null, null, null, null, null)),
        StatekeeperException.InvalidInput.class, "invalid_order");
  }

  // ---------------------------------------------------------------- filters

  void fillForFilters() {
    // each put a millisecond after the one before, so "most recently updated" is never a tie
    put("f", "a", "{\"kind\":\"note\",\"n\":1}", "{\"source\":\"loop\",\"step\":1,\"flag\":true,\"run\":{\"attempt\":2}}");
    clock.advance(Duration.ofMillis(1));
    put("f", "b", "{\"kind\":\"task\",\"n\":2}", "{\"source\":\"input\",\"step\":10,\"flag\":false,\"tag\":null}");
    clock.advance(Duration.ofMillis(1));
    put("f", "c", "{\"kind\":\"note\",\"n\":3}", "{\"source\":\"loop\",\"step\":\"10\",\"flag\":1}");
    clock.advance(Duration.ofMillis(1));
    put("f", "d", "\"just a string\"", "{}");
  }

  List<String> filtered(String filterJson) {
    return keys(MemoryQuery.namespace("f").withFilter(filterJson));
  }

  @Test
  void filters_onMetadataAndValue_withEveryOperator() {
    fillForFilters();

    assertThat(filtered("{\"metadata\":{\"source\":\"loop\"}}")).containsExactly("a", "c");
    assertThat(filtered("{\"metadata\":{\"source\":{\"$eq\":\"loop\"}}}")).containsExactly("a", "c");
    assertThat(filtered("{\"metadata\":{\"source\":{\"$ne\":\"loop\"}}}")).as("$ne holds for a missing field").containsExactly("b", "d");
    assertThat(filtered("{\"metadata\":{\"step\":{\"$gt\":1}}}")).as("numbers compare with numbers only").containsExactly("b");
    assertThat(filtered("{\"metadata\":{\"step\":{\"$gte\":1,\"$lt\":10}}}")).containsExactly("a");
    assertThat(filtered("{\"metadata\":{\"step\":{\"$lte\":\"10\"}}}")).as("strings with strings").containsExactly("c");
    assertThat(filtered("{\"metadata\":{\"step\":10}}")).containsExactly("b");
    assertThat(filtered("{\"metadata\":{\"flag\":true}}")).as("true is not 1").containsExactly("a");
    assertThat(filtered("{\"metadata\":{\"flag\":1}}")).containsExactly("c");
    assertThat(filtered("{\"metadata\":{\"tag\":null}}")).as("null equals a JSON null, not a missing field").containsExactly("b");
    assertThat(filtered("{\"metadata\":{\"run.attempt\":2}}")).containsExactly("a");
    assertThat(filtered("{\"metadata\":{\"source\":{\"$in\":[\"input\",\"other\"]}}}")).containsExactly("b");
    assertThat(filtered("{\"value\":{\"kind\":\"note\",\"n\":{\"$gt\":1}}}")).containsExactly("c");
    assertThat(filtered("{\"value\":{\"kind\":{\"$ne\":\"note\"}}}")).as("a string value has no fields").containsExactly("b", "d");
    assertThat(filtered("{\"metadata\":{\"source\":\"loop\"},\"value\":{\"n\":3}}")).containsExactly("c");
  }

  @Test
  void badFilters_areRefusedWithInvalidFilter() {
    for (String bad : List.of(
        "[1]", "{\"meta\":{}}", "{\"metadata\":1}", "{\"metadata\":{\"a\":{\"$regex\":\"x\"}}}",
        "{\"metadata\":{\"a\":{\"b\":1}}}", "{\"metadata\":{\"a\":[1]}}", "{\"metadata\":{\"a\":{\"$gt\":true}}}",
        "{\"metadata\":{\"a\":{\"$in\":[]}}}", "{\"metadata\":{\"a b\":1}}", "{\"metadata\":{\"a..b\":1}}",
        "{\"metadata\":{\"a\":{}}}", "not json", "{\"metadata\":{\"1.2.3.4.5.6.7.8.9\":1}}")) {
      assertThatThrownBy(() -> memory.list(me, MemoryQuery.all().withFilter(bad)))
          .as(bad)
          .isInstanceOfSatisfying(StatekeeperException.InvalidInput.class, e -> assertThat(e.code()).isEqualTo("invalid_filter"));
    }
    StringBuilder many = new StringBuilder("{\"metadata\":{");
    for (int i = 0; i <= MemoryFilter.MAX_CONDITIONS; i++) many.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":1");
    assertProblem(() -> memory.list(me, MemoryQuery.all().withFilter(many + "}}")), StatekeeperException.InvalidInput.class, "invalid_filter");
  }

  // ---------------------------------------------------------------- search

  @Test
  void search_withoutAQuery_returnsTheFilteredEntries_mostRecentlyUpdatedFirst_withoutScore() {
    fillForFilters();
    clock.advance(Duration.ofSeconds(1));
    put("f", "a", "{\"kind\":\"note\",\"n\":1}", "{\"source\":\"loop\"}");

    List<SearchHit> hits = memory.search(me, new SearchRequest(null, "f", null, null, null).withFilter(json("{\"metadata\":{\"source\":\"loop\"}}")));
    assertThat(hits).extracting(SearchHit::key).containsExactly("a", "c");
    assertThat(hits).extracting(SearchHit::score).containsOnlyNulls();
    assertThat(memory.search(me, new SearchRequest("", null, null, null, 2).withOffset(1))).extracting(SearchHit::key).containsExactly("d", "c");
  }

  @Test
  void search_withAQuery_appliesTheFilterAndTheOffset() {
    for (int i = 0; i < 6; i++) {
      memory.put(me, "s", "k" + i, MemoryWrite.of(json("1")).withText("sailing boats " + "boats ".repeat(i))
          .withMetadata(json("{\"even\":" + (i % 2 == 0) + "}")), Precondition.NONE);
    }
    SearchRequest boats = SearchRequest.keyword("boats");
    List<String> all = memory.search(me, boats).stream().map(SearchHit::key).toList();
    assertThat(all).hasSize(6);
    assertThat(memory.search(me, boats.withOffset(2).withLimit(2))).extracting(SearchHit::key).containsExactlyElementsOf(all.subList(2, 4));
    assertThat(memory.search(me, boats.withFilter(json("{\"metadata\":{\"even\":true}}")))).extracting(SearchHit::key)
        .containsExactlyElementsOf(all.stream().filter(k -> (k.charAt(1) - '0') % 2 == 0).toList());
    assertProblem(() -> memory.search(me, boats.withOffset(-1)), StatekeeperException.InvalidInput.class, "invalid_offset");
  }

  // ---------------------------------------------------------------- namespaces

  @Test
  void namespaces_byPrefixSuffixAndDepth_pagedAndOnlyWhatTheCallerMayRead() {
    for (String ns : List.of("user:a:prefs", "user:a:notes", "user:b:prefs", "user:b", "team:x:prefs")) put(ns, "k", "1");
    put("user:c", "k", "1");
    memory.delete(me, "user:c", "k", Precondition.NONE);

    assertThat(memory.namespaces(me, null, null, null, null, null))
        .containsExactly("team:x:prefs", "user:a:notes", "user:a:prefs", "user:b", "user:b:prefs");
    assertThat(memory.namespaces(me, "user", "prefs", null, null, null)).containsExactly("user:a:prefs", "user:b:prefs");
    assertThat(memory.namespaces(me, null, null, 2, null, null)).containsExactly("team:x", "user:a", "user:b");
    assertThat(memory.namespaces(me, null, null, 1, null, null)).containsExactly("team", "user");
    assertThat(memory.namespaces(me, "user", null, null, 2, 1)).containsExactly("user:a:prefs", "user:b");

    sk.access().grant(me, new Grant("memory:user:b", Relation.VIEWER, "agent:v"));
    Caller viewer = new Caller(me.tenant(), "agent:v", Role.AGENT);
    assertThat(memory.namespaces(viewer, null, null, null, null, null)).containsExactly("user:b", "user:b:prefs");
    assertProblem(() -> memory.namespaces(me, null, null, 0, null, null), StatekeeperException.InvalidInput.class, "invalid_max_depth");
    assertProblem(() -> memory.namespaces(me, null, "bad suffix", null, null, null), StatekeeperException.InvalidInput.class, "invalid_suffix");
  }

  // ---------------------------------------------------------------- TTL

  @Test
  void ttl_anExpiredEntry_isAbsentEverywhere_andTheSweeperPurgesIt() {
    memory.put(me, "t", "short", MemoryWrite.of(json("1")).withText("ephemeral sailing").withTtlSeconds(60L), Precondition.NONE);
    memory.put(me, "t", "long", MemoryWrite.of(json("1")).withText("lasting sailing"), Precondition.NONE);
    MemoryEntry e = memory.get(me, "t", "short");
    assertThat(e.ttlSeconds()).isEqualTo(60);
    assertThat(Duration.between(e.updatedAt(), e.expiresAt())).isEqualTo(Duration.ofSeconds(60));
    memory.embedPendingNow();

    clock.advance(Duration.ofSeconds(61));

    assertProblem(() -> memory.get(me, "t", "short"), StatekeeperException.NotFound.class, "memory_not_found");
    assertThat(keys(MemoryQuery.namespace("t"))).containsExactly("long");
    assertThat(memory.search(me, SearchRequest.keyword("sailing"))).extracting(SearchHit::key).containsExactly("long");
    assertThat(memory.search(me, new SearchRequest("sailing", null, null, "semantic", 10))).extracting(SearchHit::key).containsExactly("long");
    assertThat(memory.namespaces(me, null, null, null, null, null)).containsExactly("t");
    assertProblem(() -> memory.delete(me, "t", "short", Precondition.NONE), StatekeeperException.NotFound.class, "memory_not_found");
    // its versions too, before the sweeper has removed them
    assertProblem(() -> memory.get(me, "t", "short", 1L), StatekeeperException.NotFound.class, "memory_not_found");
    assertProblem(() -> memory.history(me, "t", "short", null, null), StatekeeperException.NotFound.class, "memory_not_found");
    assertThat(memory.history(me, "t", "long", null, null).items()).hasSize(1);

    assertThat(memory.sweepExpiredNow()).isGreaterThanOrEqualTo(1);
    assertThat(rows("memory_entries")).isEqualTo(1);
    assertThat(rows("memory_versions")).isEqualTo(1);
    assertThat(liveVectors()).isEqualTo(1);
    assertProblem(() -> memory.history(me, "t", "short", null, null), StatekeeperException.NotFound.class, "memory_not_found");
  }

  @Test
  void ttl_aReadWithRefresh_movesTheExpiryAhead_andAWriteWithoutTtlMakesTheEntryPermanent() {
    memory.put(me, "t", "k", MemoryWrite.of(json("1")).withTtlSeconds(100L), Precondition.NONE);
    clock.advance(Duration.ofSeconds(60));
    MemoryEntry refreshed = memory.get(me, "t", "k", true);
    assertThat(refreshed.version()).as("a refresh writes no version").isEqualTo(1);
    clock.advance(Duration.ofSeconds(60));
    assertThat(memory.get(me, "t", "k").value()).isEqualTo(json("1"));
    clock.advance(Duration.ofSeconds(41));
    assertProblem(() -> memory.get(me, "t", "k", true), StatekeeperException.NotFound.class, "memory_not_found");

    // expired, so a write creates it anew; without a TTL it never expires
    PutResult again = memory.put(me, "t", "k", MemoryWrite.of(json("2")), Precondition.ABSENT);
    assertThat(again.created()).isTrue();
    assertThat(again.entry().expiresAt()).isNull();
    clock.advance(Duration.ofDays(400));
    assertThat(memory.get(me, "t", "k").value()).isEqualTo(json("2"));

    Caller reader = new Caller(me.tenant(), "user:r", Role.READER);
    assertProblem(() -> memory.get(reader, "t", "k", true), StatekeeperException.Forbidden.class, "read_only_key");
    assertProblem(() -> memory.put(me, "t", "x", MemoryWrite.of(json("1")).withTtlSeconds(-5L), Precondition.NONE),
        StatekeeperException.InvalidInput.class, "invalid_ttl");
  }

  long outboxRowsOf(String ns, String key) {
    return sk.store().read("counting", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT COUNT(*) FROM embedding_outbox WHERE tenant = ? AND namespace = ? AND key = ?")) {
        SqlArgs.bind(ps, sk.store().dialect(), me.tenant(), ns, key);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  long liveVectors() {
    return sk.store().read("counting", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM memory_vectors WHERE tenant = ? AND vector IS NOT NULL")) {
        SqlArgs.bind(ps, sk.store().dialect(), me.tenant());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  // ---------------------------------------------------------------- purge

  @Test
  void purge_ofOneEntry_removesItsRowsInEveryTable_andIsAudited() {
    memory.put(me, "p", "k", MemoryWrite.of(json("1")).withText("sailing"), Precondition.NONE);
    memory.put(me, "p", "k", MemoryWrite.of(json("2")).withText("sailing again"), Precondition.NONE);
    memory.embedPendingNow();
    memory.delete(me, "p", "k", Precondition.NONE); // a tombstone, and outbox work
    memory.put(me, "p", "other", MemoryWrite.of(json("1")), Precondition.NONE);

    Memory.PurgeResult r = memory.purge(me, "p", "k");

    assertThat(r.entries()).isEqualTo(1);
    assertThat(r.versions()).isEqualTo(3);
    // the background worker may have turned the vector into a removal already, for the tombstone
    assertThat(r.vectors()).isBetween(0L, 1L);
    assertThat(rows("memory_entries")).isEqualTo(1);
    assertThat(rows("memory_versions")).isEqualTo(1);
    assertThat(liveVectors()).isZero();
    assertThat(outboxRowsOf("p", "k")).isZero();
    assertProblem(() -> memory.history(me, "p", "k", null, null), StatekeeperException.NotFound.class, "memory_not_found");
    assertProblem(() -> memory.purge(me, "p", "k"), StatekeeperException.NotFound.class, "memory_not_found");

    List<AuditLog.Entry> audit = AuditLog.list(sk.store(), me.tenant(), null, 10);
    assertThat(audit).singleElement().satisfies(a -> {
      assertThat(a.action()).isEqualTo("memory.purge");
      assertThat(a.target()).isEqualTo("memory:p/k");
      assertThat(a.actor()).isEqualTo("user:admin");
      assertThat(a.detail().get("versions").asLong()).isEqualTo(3);
    });

    // written again, the key starts over and is embedded again
    PutResult fresh = memory.put(me, "p", "k", MemoryWrite.of(json("9")).withText("sailing anew"), Precondition.NONE);
    assertThat(fresh.entry().version()).isEqualTo(1);
    memory.embedPendingNow();
    assertThat(memory.search(me, new SearchRequest("sailing", null, null, "semantic", 10))).extracting(SearchHit::key).containsExactly("k");
  }

  @Test
  void purgeOfASubtree_removesEverythingInAndBelowIt_andItsGrants_butNothingBeside() {
    for (String ns : List.of("user:alice", "user:alice:notes", "user:alice-b", "user:bob")) {
      memory.put(me, ns, "k", MemoryWrite.of(json("1")).withText("sailing " + ns), Precondition.NONE);
    }
    memory.embedPendingNow();
    sk.access().grant(me, new Grant("memory:user:alice", Relation.EDITOR, "agent:w"));
    sk.access().grant(me, new Grant("memory:user:alice:notes", Relation.VIEWER, "agent:v"));
    sk.access().grant(me, new Grant("memory:user:bob", Relation.VIEWER, "agent:w"));
    Caller w = new Caller(me.tenant(), "agent:w", Role.AGENT);
    assertThat(memory.get(w, "user:alice", "k").value()).isEqualTo(json("1")); // a decision now cached

    Memory.PurgeResult r = memory.purgeSubtree(me, "user:alice");

    assertThat(r.entries()).isEqualTo(2);
    assertThat(names(MemoryQuery.all())).containsExactly("user:alice-b/k", "user:bob/k");
    assertThat(rows("memory_versions")).isEqualTo(2);
    assertThat(liveVectors()).isEqualTo(2);
    assertThat(sk.access().list(me, null, null)).extracting(Grant::resource).containsExactly("memory:user:bob");
    assertProblem(() -> memory.get(w, "user:alice", "k"), StatekeeperException.Forbidden.class, "access_denied");
    assertThat(memory.search(me, new SearchRequest("sailing", null, null, "semantic", 10))).extracting(SearchHit::namespace)
        .containsExactlyInAnyOrder("user:alice-b", "user:bob");
    assertThat(AuditLog.list(sk.store(), me.tenant(), null, 10)).extracting(AuditLog.Entry::target).containsExactly("memory:user:alice");
  }

  @Test
  void purge_isForAdminKeysOnly() {
    put("p", "k", "1");
    sk.access().grant(me, new Grant("memory:p", Relation.OWNER, "agent:o"));
    Caller owner = new Caller(me.tenant(), "agent:o", Role.AGENT);
    assertProblem(() -> memory.purge(owner, "p", "k"), StatekeeperException.Forbidden.class, "admin_required");
    assertProblem(() -> memory.purgeSubtree(owner, "p"), StatekeeperException.Forbidden.class, "admin_required");
    assertThat(memory.get(me, "p", "k").version()).isEqualTo(1);
  }

  /**
   * 50 writers race 20 batches each over 12 overlapping keys, each batch putting 3 keys at the
   * versions its writer last read: many are refused. Every acknowledged batch is in the history
   * whole (each of its puts is the version it was answered with), every refused one is nowhere,
   * and each key's history is exactly the acknowledged puts on it.
   */
  @Test
  void racingBatches_areEachAppliedWholeOrNotAtAll() throws Exception {
    int writers = 50;
    int rounds = 20;
    int keys = 12;
    record Put(String key, long version) {}
    Map<String, List<Put>> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
    List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < writers; w++) {
        int writer = w;
        pool.submit(() -> {
          java.util.Random random = new java.util.Random(writer);
          for (int round = 0; round < rounds; round++) {
            String tag = writer + "-" + round;
            List<String> chosen = new ArrayList<>();
            while (chosen.size() < 3) {
              String k = "k" + random.nextInt(keys);
              if (!chosen.contains(k)) chosen.add(k);
            }
            List<MemoryBatch.Op> ops = new ArrayList<>();
            for (String k : chosen) {
              MemoryBatch.Op put = MemoryBatch.Op.put("race", k, MemoryWrite.of(JSON.getNodeFactory().textNode(tag)));
              Long seen;
              try {
                seen = memory.get(me, "race", k).version();
              } catch (StatekeeperException.NotFound e) {
                seen = null;
              }
              ops.add(seen == null ? put.onlyIfAbsent() : put.onlyAtVersion(seen));
            }
            try {
              List<MemoryBatch.Result> done = memory.batch(me, new MemoryBatch(ops));
              List<Put> puts = new ArrayList<>();
              for (MemoryBatch.Result r : done) puts.add(new Put(r.key(), r.entry().version()));
              acknowledged.put(tag, puts);
            } catch (StatekeeperException.PreconditionFailed e) {
              refused.add(tag);
            } catch (Throwable t) {
              unexpected.add(t);
            }
          }
          return null;
        });
      }
    }
    assertThat(unexpected).isEmpty();
    assertThat(acknowledged.size() + refused.size()).isEqualTo(writers * rounds);
    assertThat(acknowledged).as("some batches get through").isNotEmpty();
    assertThat(refused).as("the race is real: some batches are refused").isNotEmpty();

    Map<String, String> writerOfVersion = new java.util.HashMap<>(); // "key@version" -> tag
    long versions = 0;
    for (int k = 0; k < keys; k++) {
      String key = "k" + k;
      String cursor = null;
      try {
        do {
          MemoryPage page = memory.history(me, "race", key, 1000, cursor);
          for (MemoryEntry e : page.items()) {
            writerOfVersion.put(key + "@" + e.version(), e.value().asText());
            versions++;
          }
          cursor = page.nextCursor();
        } while (cursor != null);
      } catch (StatekeeperException.NotFound e) {
        // never written
      }
    }
    long acknowledgedPuts = 0;
    for (var a : acknowledged.entrySet()) {
      for (Put p : a.getValue()) {
        assertThat(writerOfVersion.get(p.key() + "@" + p.version())).as("%s wrote %s@%d", a.getKey(), p.key(), p.version())
            .isEqualTo(a.getKey());
        acknowledgedPuts++;
      }
    }
    assertThat(versions).as("every version in the history is an acknowledged put").isEqualTo(acknowledgedPuts);
    assertThat(writerOfVersion.values()).as("no refused batch left a version").doesNotContainAnyElementsOf(refused);
  }
}
