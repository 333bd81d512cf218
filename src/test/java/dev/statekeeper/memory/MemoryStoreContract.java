package dev.statekeeper.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.access.Grant;
import dev.statekeeper.access.Relation;
import dev.statekeeper.support.EmbeddedSuite;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory contract through the embedded API, run once per store by the subclasses: versions,
 * tombstones, compare-and-set, namespaces, listing by prefix and keyword search. Each test works
 * in a tenant of its own. Retention is in {@link MemoryRetentionContract}.
 */
abstract class MemoryStoreContract extends EmbeddedSuite {

  Memory memory;
  Caller me;

  abstract StoreKind kind();

  StatekeeperConfig config(Path dir) {
    return kind().config(dir).toBuilder().set(dev.statekeeper.memory.MemorySettings.MAX_MEMORY_VALUE_BYTES, (long) (4096)).set(dev.statekeeper.jobs.JobSettings.RETENTION_INTERVAL, Duration.ofHours(1)).build();
  }

  @BeforeAll
  void openStatekeeper(@TempDir Path dir) {
    memory = open(config(dir)).memory();
  }

  @BeforeEach
  void freshTenant() {
    // An admin key of a fresh tenant: these tests are about storage; access has its own below.
    me = new Caller("m-" + UUID.randomUUID(), "agent:tester", Role.ADMIN);
  }

  PutResult put(String ns, String key, String valueJson) {
    return memory.put(me, ns, key, MemoryWrite.of(json(valueJson)), Precondition.NONE);
  }

  PutResult put(String ns, String key, String valueJson, String text) {
    return memory.put(me, ns, key, MemoryWrite.of(json(valueJson)).withText(text), Precondition.NONE);
  }

  List<MemoryEntry> history(String ns, String key) {
    return memory.history(me, ns, key, 1000, null).items();
  }

  // ---------------------------------------------------------------- versions

  @Test
  void put_first_createsVersion1WithTheContractDefaults() {
    PutResult r = put("user:alice", "prefs", "{\"tea\":true}");

    assertThat(r.created()).isTrue();
    MemoryEntry e = r.entry();
    assertThat(e.namespace()).isEqualTo("user:alice");
    assertThat(e.key()).isEqualTo("prefs");
    assertThat(e.version()).isEqualTo(1);
    assertThat(e.type()).isEqualTo(MemoryType.SEMANTIC);
    assertThat(e.value()).isEqualTo(json("{\"tea\":true}"));
    assertThat(e.text()).isNull();
    assertThat(e.metadata()).isEqualTo(json("{}"));
    assertThat(e.deleted()).isFalse();
    assertThat(e.createdAt()).isEqualTo(e.updatedAt());
    assertThat(e.writtenBy()).isEqualTo("agent:tester");
    assertThat(memory.get(me, "user:alice", "prefs")).isEqualTo(e);
  }

  @Test
  void put_again_appendsAVersionAndKeepsTheOldOne() {
    MemoryEntry v1 = put("user:alice", "prefs", "{\"tea\":true}").entry();
    PutResult r =
        memory.put(
            me, "user:alice", "prefs",
            MemoryWrite.of(json("[1,2]")).withType(MemoryType.EPISODIC).withText("likes coffee").withMetadata(json("{\"src\":\"chat\"}")),
            Precondition.NONE);

    assertThat(r.created()).isFalse();
    MemoryEntry v2 = r.entry();
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.type()).isEqualTo(MemoryType.EPISODIC);
    assertThat(v2.text()).isEqualTo("likes coffee");
    assertThat(v2.metadata()).isEqualTo(json("{\"src\":\"chat\"}"));
    assertThat(v2.createdAt()).isEqualTo(v1.createdAt());
    assertThat(v2.updatedAt()).isAfterOrEqualTo(v1.updatedAt());
    assertThat(memory.get(me, "user:alice", "prefs")).isEqualTo(v2);
    assertThat(memory.get(me, "user:alice", "prefs", 1)).isEqualTo(v1);
    assertThat(memory.get(me, "user:alice", "prefs", 2)).isEqualTo(v2);
    assertThat(history("user:alice", "prefs")).containsExactly(v1, v2);
  }

  @Test
  void getVersion_ofAVersionNeverWritten_isVersionNotFound_andOfAnUnknownEntry_isNotFound() {
    put("a", "k", "1");

    assertProblem(() -> memory.get(me, "a", "k", 2), StatekeeperException.NotFound.class, "memory_version_not_found");
    assertProblem(() -> memory.get(me, "a", "other", 1), StatekeeperException.NotFound.class, "memory_not_found");
    assertProblem(() -> memory.get(me, "a", "k", 0), StatekeeperException.InvalidInput.class, "invalid_version");
    assertProblem(() -> memory.get(me, "a", "other"), StatekeeperException.NotFound.class, "memory_not_found");
    assertProblem(() -> memory.history(me, "a", "other", null, null), StatekeeperException.NotFound.class, "memory_not_found");
  }

  @Test
  void delete_writesATombstone_afterWhichTheEntryIsNotFoundButItsHistoryStays() {
    put("notes", "n1", "\"first\"", "first words");
    put("notes", "n1", "\"second\"", "second words");

    MemoryEntry tombstone = memory.delete(me, "notes", "n1", Precondition.NONE);

    assertThat(tombstone.version()).isEqualTo(3);
    assertThat(tombstone.deleted()).isTrue();
    assertThat(tombstone.value()).isNull();
    assertThat(tombstone.text()).isNull();
    assertProblem(() -> memory.get(me, "notes", "n1"), StatekeeperException.NotFound.class, "memory_not_found");
    assertThat(history("notes", "n1")).extracting(MemoryEntry::version).containsExactly(1L, 2L, 3L);
    assertThat(history("notes", "n1")).extracting(MemoryEntry::deleted).containsExactly(false, false, true);
    assertThat(memory.get(me, "notes", "n1", 3)).isEqualTo(tombstone);
    assertThat(memory.get(me, "notes", "n1", 2).value()).isEqualTo(json("\"second\""));
    assertThat(memory.list(me, MemoryQuery.prefix("notes")).items()).isEmpty();
    assertThat(memory.search(me, SearchRequest.keyword("words"))).isEmpty();
    // a second delete finds nothing to delete and writes nothing
    assertProblem(() -> memory.delete(me, "notes", "n1", Precondition.NONE), StatekeeperException.NotFound.class, "memory_not_found");
    assertThat(history("notes", "n1")).hasSize(3);
  }

  @Test
  void put_afterADelete_createsTheEntryAgainAsTheNextVersion() {
    MemoryEntry v1 = put("notes", "n1", "1").entry();
    memory.delete(me, "notes", "n1", Precondition.NONE);

    PutResult again = put("notes", "n1", "2");

    assertThat(again.created()).isTrue();
    assertThat(again.entry().version()).isEqualTo(3);
    assertThat(again.entry().createdAt()).isAfterOrEqualTo(v1.createdAt());
    assertThat(memory.get(me, "notes", "n1").value()).isEqualTo(json("2"));
    assertThat(history("notes", "n1")).extracting(MemoryEntry::version).containsExactly(1L, 2L, 3L);
  }

  @Test
  void delete_ofAnEntryNeverWritten_isNotFound() {
    assertProblem(() -> memory.delete(me, "notes", "nope", Precondition.NONE), StatekeeperException.NotFound.class, "memory_not_found");
  }

  // ---------------------------------------------------------------- compare-and-set

  @Test
  void ifMatch_withTheCurrentVersion_writes_andWithAStaleOne_is412WithTheCurrentVersionAndChangesNothing() {
    put("cas", "k", "1");
    assertThat(memory.put(me, "cas", "k", MemoryWrite.of(json("2")), Precondition.ifVersion(1)).entry().version()).isEqualTo(2);

    assertThatThrownBy(() -> memory.put(me, "cas", "k", MemoryWrite.of(json("3")), Precondition.ifVersion(1)))
        .isInstanceOfSatisfying(
            StatekeeperException.PreconditionFailed.class, e -> assertThat(e.currentVersion()).isEqualTo(2));
    assertThat(memory.get(me, "cas", "k").value()).isEqualTo(json("2"));
    assertThat(history("cas", "k")).hasSize(2);
  }

  @Test
  void ifMatch_onAMissingOrDeletedEntry_is412WithVersion0() {
    assertThatThrownBy(() -> memory.put(me, "cas", "missing", MemoryWrite.of(json("1")), Precondition.ifVersion(1)))
        .isInstanceOfSatisfying(
            StatekeeperException.PreconditionFailed.class, e -> assertThat(e.currentVersion()).isZero());
    assertThatThrownBy(() -> memory.put(me, "cas", "missing", MemoryWrite.of(json("1")), Precondition.EXISTS))
        .isInstanceOf(StatekeeperException.PreconditionFailed.class);
    put("cas", "gone", "1");
    memory.delete(me, "cas", "gone", Precondition.NONE);
    assertThatThrownBy(() -> memory.put(me, "cas", "gone", MemoryWrite.of(json("1")), Precondition.ifVersion(2)))
        .isInstanceOfSatisfying(
            StatekeeperException.PreconditionFailed.class, e -> assertThat(e.currentVersion()).isZero());
    assertProblem(() -> memory.get(me, "cas", "missing"), StatekeeperException.NotFound.class, "memory_not_found");
  }

  @Test
  void ifNoneMatch_createsOnlyWhenThereIsNoLiveEntry() {
    PutResult created = memory.put(me, "cas", "once", MemoryWrite.of(json("1")), Precondition.ABSENT);
    assertThat(created.created()).isTrue();

    assertThatThrownBy(() -> memory.put(me, "cas", "once", MemoryWrite.of(json("2")), Precondition.ABSENT))
        .isInstanceOfSatisfying(
            StatekeeperException.PreconditionFailed.class, e -> assertThat(e.currentVersion()).isEqualTo(1));
    assertThat(memory.get(me, "cas", "once").value()).isEqualTo(json("1"));

    memory.delete(me, "cas", "once", Precondition.NONE);
    PutResult recreated = memory.put(me, "cas", "once", MemoryWrite.of(json("3")), Precondition.ABSENT);
    assertThat(recreated.created()).isTrue();
    assertThat(recreated.entry().version()).isEqualTo(3);
  }

  @Test
  void ifMatchAny_writesOnlyWhenALiveEntryExists() {
    put("cas", "any", "1");
    assertThat(memory.put(me, "cas", "any", MemoryWrite.of(json("2")), Precondition.EXISTS).entry().version()).isEqualTo(2);
  }

  @Test
  void delete_withAStaleIfMatch_is412AndDeletesNothing() {
    put("cas", "d", "1");
    put("cas", "d", "2");

    assertThatThrownBy(() -> memory.delete(me, "cas", "d", Precondition.ifVersion(1)))
        .isInstanceOf(StatekeeperException.PreconditionFailed.class);
    assertThat(memory.get(me, "cas", "d").version()).isEqualTo(2);
    assertThat(memory.delete(me, "cas", "d", Precondition.ifVersion(2)).version()).isEqualTo(3);
    assertProblem(() -> memory.delete(me, "cas", "d", Precondition.ABSENT), StatekeeperException.InvalidInput.class, "invalid_precondition");
  }

  // ---------------------------------------------------------------- who may do what

  @Test
  void anotherTenantsEntries_areNotFoundNotListedAndNotSearchable() {
    put("shared", "k", "1", "secret plans");
    Caller other = new Caller("m-" + UUID.randomUUID(), "agent:other", Role.ADMIN);

    assertProblem(() -> memory.get(other, "shared", "k"), StatekeeperException.NotFound.class, "memory_not_found");
    assertProblem(() -> memory.get(other, "shared", "k", 1), StatekeeperException.NotFound.class, "memory_not_found");
    assertProblem(() -> memory.history(other, "shared", "k", null, null), StatekeeperException.NotFound.class, "memory_not_found");
    assertProblem(() -> memory.delete(other, "shared", "k", Precondition.NONE), StatekeeperException.NotFound.class, "memory_not_found");
    assertThat(memory.list(other, MemoryQuery.prefix("shared")).items()).isEmpty();
    assertThat(memory.search(other, SearchRequest.keyword("secret"))).isEmpty();
    // the other tenant's own write of the same key is a separate entry
    assertThat(memory.put(other, "shared", "k", MemoryWrite.of(json("2")), Precondition.NONE).entry().version()).isEqualTo(1);
    assertThat(memory.get(me, "shared", "k").value()).isEqualTo(json("1"));
  }

  @Test
  void aReaderKey_readsButCannotWriteOrDelete() {
    put("r", "k", "1");
    Caller reader = new Caller(me.tenant(), "user:reader", Role.READER);
    grant("memory:r", Relation.VIEWER, "user:reader");

    assertThat(memory.get(reader, "r", "k").value()).isEqualTo(json("1"));
    assertThat(memory.list(reader, MemoryQuery.prefix("r")).items()).hasSize(1);
    assertProblem(() -> memory.put(reader, "r", "k", MemoryWrite.of(json("2")), Precondition.NONE), StatekeeperException.Forbidden.class, "read_only_key");
    assertProblem(() -> memory.delete(reader, "r", "k", Precondition.NONE), StatekeeperException.Forbidden.class, "read_only_key");
    assertThat(history("r", "k")).hasSize(1);
  }

  // ---------------------------------------------------------------- access

  void grant(String resource, Relation relation, String subject) {
    sk.access().grant(me, new Grant(resource, relation, subject));
  }

  @Test
  void anAgentWithoutAGrant_isRefusedEveryNamespace_andListsAndFindsNothing() {
    put("user:alice", "k", "1", "sailing notes");
    Caller stranger = new Caller(me.tenant(), "agent:stranger", Role.AGENT);

    assertProblem(() -> memory.get(stranger, "user:alice", "k"), StatekeeperException.Forbidden.class, "access_denied");
    assertProblem(() -> memory.history(stranger, "user:alice", "k", null, null), StatekeeperException.Forbidden.class, "access_denied");
    assertProblem(() -> memory.get(stranger, "user:alice", "k", 1), StatekeeperException.Forbidden.class, "access_denied");
    assertProblem(() -> memory.put(stranger, "user:alice", "k", MemoryWrite.of(json("2")), Precondition.NONE), StatekeeperException.Forbidden.class, "access_denied");
    assertProblem(() -> memory.delete(stranger, "user:alice", "k", Precondition.NONE), StatekeeperException.Forbidden.class, "access_denied");
    assertThat(memory.list(stranger, MemoryQuery.all()).items()).isEmpty();
    assertThat(memory.list(stranger, MemoryQuery.prefix("user")).items()).isEmpty();
    assertThat(memory.search(stranger, SearchRequest.keyword("sailing"))).isEmpty();
    assertThat(history("user:alice", "k")).hasSize(1);
  }

  @Test
  void aGrantOnANamespace_coversItsSubtreeByWholeSegments_andNothingElse() {
    grant("memory:user:alice", Relation.EDITOR, "agent:helper");
    Caller helper = new Caller(me.tenant(), "agent:helper", Role.AGENT);
    put("user:bob", "k", "1", "sailing bob");
    put("user:alice-b", "k", "1", "sailing alice-b");

    assertThat(memory.put(helper, "user:alice", "a", MemoryWrite.of(json("1")).withText("sailing one"), Precondition.NONE).created()).isTrue();
    assertThat(memory.put(helper, "user:alice:prefs", "b", MemoryWrite.of(json("2")).withText("sailing two"), Precondition.NONE).created()).isTrue();
    assertThat(memory.get(helper, "user:alice:prefs", "b").value()).isEqualTo(json("2"));
    assertProblem(() -> memory.put(helper, "user:alice-b", "k", MemoryWrite.of(json("2")), Precondition.NONE), StatekeeperException.Forbidden.class, "access_denied");
    assertProblem(() -> memory.get(helper, "user:bob", "k"), StatekeeperException.Forbidden.class, "access_denied");
    assertProblem(() -> memory.put(helper, "user", "k", MemoryWrite.of(json("2")), Precondition.NONE), StatekeeperException.Forbidden.class, "access_denied");
    // an editor writes but does not delete; an owner does
    assertProblem(() -> memory.delete(helper, "user:alice", "a", Precondition.NONE), StatekeeperException.Forbidden.class, "access_denied");

    assertThat(memory.list(helper, MemoryQuery.all()).items()).extracting(MemoryEntry::namespace).containsExactly("user:alice", "user:alice:prefs");
    assertThat(memory.list(helper, MemoryQuery.prefix("user")).items()).extracting(MemoryEntry::namespace).containsExactly("user:alice", "user:alice:prefs");
    assertThat(memory.list(helper, MemoryQuery.prefix("user:alice:prefs")).items()).extracting(MemoryEntry::key).containsExactly("b");
    assertThat(memory.list(helper, MemoryQuery.prefix("user:bob")).items()).isEmpty();
    assertThat(memory.search(helper, SearchRequest.keyword("sailing"))).extracting(SearchHit::namespace).containsExactlyInAnyOrder("user:alice", "user:alice:prefs");
    assertThat(memory.search(helper, SearchRequest.keyword("sailing").withPrefix("user:bob"))).isEmpty();

    sk.access().revoke(me, new Grant("memory:user:alice", Relation.EDITOR, "agent:helper"));
    assertProblem(() -> memory.get(helper, "user:alice", "a"), StatekeeperException.Forbidden.class, "access_denied");
    assertThat(memory.list(helper, MemoryQuery.all()).items()).isEmpty();
  }

  @Test
  void aListingOverSeveralReadableSubtrees_pagesInNamespaceOrder_withoutGapsOrRepeats() {
    // "a-b" sorts between "a" and "a:x", so the readable subtrees interleave in key order
    for (String ns : List.of("a", "a:x", "a-b", "a-b:y", "c", "d")) {
      for (int i = 0; i < 3; i++) put(ns, "k" + i, Integer.toString(i));
    }
    grant("memory:a", Relation.VIEWER, "agent:pager");
    grant("memory:a:x", Relation.OWNER, "agent:pager");
    grant("memory:a-b", Relation.VIEWER, "agent:pager");
    grant("memory:d", Relation.VIEWER, "agent:pager");
    Caller pager = new Caller(me.tenant(), "agent:pager", Role.AGENT);

    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      MemoryPage page = memory.list(pager, new MemoryQuery(null, null, 4, cursor));
      page.items().forEach(e -> seen.add(e.namespace() + "/" + e.key()));
      cursor = page.nextCursor();
    } while (cursor != null);

    List<String> expected = new ArrayList<>();
    for (String ns : List.of("a", "a-b", "a-b:y", "a:x", "d")) {
      for (int i = 0; i < 3; i++) expected.add(ns + "/k" + i);
    }
    assertThat(seen).containsExactlyElementsOf(expected);
  }

  @Test
  void visibleSubtrees_areTheReadableOnesInsideTheListing_withoutOverlap() {
    var names = java.util.Set.of("a", "a:x", "a-b", "b:c:d");
    var readable = new dev.statekeeper.Authorizer.Readable(false, names);

    assertThat(Memory.visible(null, readable)).containsExactly("a", "a-b", "b:c:d");
    assertThat(Memory.visible("a", readable)).containsExactly("a");
    assertThat(Memory.visible("a:x:y", readable)).isNull(); // inside a readable subtree: all of it
    assertThat(Memory.visible("b", readable)).containsExactly("b:c:d");
    assertThat(Memory.visible("b:c", readable)).containsExactly("b:c:d");
    assertThat(Memory.visible("z", readable)).isEmpty();
    assertThat(Memory.visible("a", dev.statekeeper.Authorizer.Readable.ALL)).isNull();
  }

  // ---------------------------------------------------------------- input

  @Test
  void badContent_isRefusedWithAStableCodeAndWritesNothing() {
    assertProblem(() -> memory.put(me, "in", "k", MemoryWrite.of(null), Precondition.NONE), StatekeeperException.InvalidInput.class, "invalid_value");
    assertProblem(() -> memory.put(me, "in", "k", MemoryWrite.of(json("null")), Precondition.NONE), StatekeeperException.InvalidInput.class, "invalid_value");
    assertProblem(() -> memory.put(me, "in", "k", new MemoryWrite(json("1"), "fact", null, null), Precondition.NONE), StatekeeperException.InvalidInput.class, "invalid_memory_type");
    assertProblem(() -> memory.put(me, "in", "k", new MemoryWrite(json("1"), "SEMANTIC", null, null), Precondition.NONE), StatekeeperException.InvalidInput.class, "invalid_memory_type");
    assertProblem(() -> memory.put(me, "in", "k", MemoryWrite.of(json("1")).withMetadata(json("[1]")), Precondition.NONE), StatekeeperException.InvalidInput.class, "invalid_metadata");
    assertProblem(() -> memory.put(me, "in", "k", MemoryWrite.of(json("{\"a\":\"x\\u0000y\"}")), Precondition.NONE), StatekeeperException.InvalidInput.class, "invalid_value");
    assertProblem(() -> memory.put(me, "in", "k", MemoryWrite.of(json("1")).withText("a\u0000b"), Precondition.NONE), StatekeeperException.InvalidInput.class, "invalid_text");
    assertProblem(() -> memory.put(me, "in", "k", MemoryWrite.of(json("1")).withText("x".repeat(65_537)), Precondition.NONE), StatekeeperException.InvalidInput.class, "invalid_text");
    assertProblem(() -> memory.put(me, "in", "k", MemoryWrite.of(json("\"" + "x".repeat(5000) + "\"")), Precondition.NONE), StatekeeperException.PayloadTooLarge.class, "value_too_large");
    String deep = "[".repeat(300) + "]".repeat(300);
    assertProblem(() -> memory.put(me, "in", "k", MemoryWrite.of(json(deep)), Precondition.NONE), StatekeeperException.InvalidInput.class, "invalid_value");
    assertThat(memory.list(me, MemoryQuery.prefix("in")).items()).isEmpty();
    assertProblem(() -> memory.history(me, "in", "k", null, null), StatekeeperException.NotFound.class, "memory_not_found");
  }

  @Test
  void namespaces_ofUpToEightSegmentsAreAccepted_andNineAreRefused() {
    String eight = "a:b:c:d:e:f:g:h";
    assertThat(put(eight, "k", "1").entry().namespace()).isEqualTo(eight);
    assertProblem(() -> put(eight + ":i", "k", "1"), StatekeeperException.InvalidInput.class, "invalid_namespace");
    String longest = ("x".repeat(31) + ":").repeat(8).substring(0, 256);
    assertThat(longest).hasSize(256);
    assertThat(put(longest.replaceAll(":$", "y"), "k", "1").entry().version()).isEqualTo(1);
    assertProblem(() -> put("x".repeat(257), "k", "1"), StatekeeperException.InvalidInput.class, "invalid_namespace");
  }

  @Test
  void namespacesAndKeys_withCharactersOutsideTheAlphabet_areRefused() {
    for (String bad :
        List.of(
            "", "user alice", "user/alice", "user:al*", "user:al%", "usér", "user:", ":user", "user::alice", "a\u0000b",
            "tab\there", "user;alice", "user,alice", "user?x", "user#x", "\u202euser", "user:\uD83D\uDE00", "user\\x")) {
      assertProblem(() -> put(bad, "k", "1"), StatekeeperException.InvalidInput.class, "invalid_namespace");
      assertProblem(() -> memory.get(me, bad, "k"), StatekeeperException.InvalidInput.class, "invalid_namespace");
      assertProblem(() -> memory.list(me, MemoryQuery.prefix(bad.isEmpty() ? " " : bad)), StatekeeperException.InvalidInput.class, "invalid_prefix");
    }
    for (String bad : List.of("", "a:b", "a/b", "k e y", "x".repeat(129), "é", "..", ".", "a\u0000")) {
      assertProblem(() -> put("ns", bad, "1"), StatekeeperException.InvalidInput.class, "invalid_key");
    }
    assertThat(put("A-Z_a.z-09", "Key_1.v-2", "1").created()).isTrue();
    assertThat(memory.list(me, new MemoryQuery(null, null, 1000, null)).items()).hasSize(1);
  }

  @Test
  void pathTraversalText_isJustAnInvalidNamespace() {
    for (String bad : List.of("../../etc/passwd", "..", "user:..", ".:a", "user:../admin", "..\\..\\windows", "%2e%2e%2f", "user:...")) {
      assertProblem(() -> put(bad, "k", "1"), StatekeeperException.InvalidInput.class, "invalid_namespace");
    }
    assertThat(memory.list(me, new MemoryQuery(null, null, null, null)).items()).isEmpty();
    // dots inside a segment are ordinary characters
    assertThat(put("user:a..b", "k.v", "1").created()).isTrue();
  }

  // ---------------------------------------------------------------- listing

  @Test
  void list_matchesThePrefixByWholeSegments() {
    for (String ns :
        List.of("user", "user:al", "user:alice", "user:alice:prefs", "user:alice:prefs:ui", "user:alice2", "user:alice-x",
            "user:alice.x", "user:alice_x", "user:alicf", "user:alicd:x", "users:alice", "team:alice")) {
      put(ns, "k", "\"" + ns + "\"");
    }

    assertThat(namespaces(memory.list(me, MemoryQuery.prefix("user:alice"))))
        .containsExactly("user:alice", "user:alice:prefs", "user:alice:prefs:ui");
    assertThat(namespaces(memory.list(me, MemoryQuery.prefix("user:al")))).containsExactly("user:al");
    assertThat(namespaces(memory.list(me, MemoryQuery.prefix("user:alice:prefs")))).containsExactly("user:alice:prefs", "user:alice:prefs:ui");
    assertThat(namespaces(memory.list(me, MemoryQuery.prefix("user"))))
        .hasSize(11)
        .doesNotContain("users:alice", "team:alice");
    assertThat(namespaces(memory.list(me, MemoryQuery.prefix("use")))).isEmpty();
    assertThat(namespaces(memory.list(me, new MemoryQuery(null, null, null, null)))).hasSize(13);
  }

  @Test
  void list_underscoreInAPrefixIsAnOrdinaryCharacter_notAWildcard() {
    put("user_1", "k", "1");
    put("userX1", "k", "1");
    put("user_1:a", "k", "1");
    put("userX1:a", "k", "1");

    assertThat(namespaces(memory.list(me, MemoryQuery.prefix("user_1")))).containsExactly("user_1", "user_1:a");
  }

  @Test
  void list_filtersByType_leavesOutDeletedEntries_andPagesInNamespaceKeyOrder() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 125; i++) {
      String ns = "p:" + (i % 5) + (i % 2 == 0 ? "" : ":deep");
      String key = String.format("k%03d", i);
      MemoryType type = i % 3 == 0 ? MemoryType.EPISODIC : MemoryType.SEMANTIC;
      memory.put(me, ns, key, MemoryWrite.of(json("" + i)).withType(type), Precondition.NONE);
      if (i % 10 == 7) {
        memory.delete(me, ns, key, Precondition.NONE);
      } else if (type == MemoryType.EPISODIC) {
        expected.add(ns + "/" + key);
      }
    }
    put("p", "self", "1"); // the prefix's own namespace comes first
    memory.put(me, "p", "self2", MemoryWrite.of(json("1")).withType(MemoryType.EPISODIC), Precondition.NONE);
    expected.add("p/self2");
    expected.sort(null);

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      MemoryPage page = memory.list(me, new MemoryQuery("p", "episodic", 7, cursor));
      assertThat(page.items()).hasSizeLessThanOrEqualTo(7);
      page.items().forEach(e -> {
        assertThat(e.type()).isEqualTo(MemoryType.EPISODIC);
        assertThat(e.deleted()).isFalse();
        seen.add(e.namespace() + "/" + e.key());
      });
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);

    assertThat(seen).isEqualTo(expected);
    assertThat(pages).isGreaterThanOrEqualTo(expected.size() / 7);
    assertThat(memory.list(me, new MemoryQuery("p", null, 1000, null)).items()).hasSize(125 - 12 + 2);
  }

  @Test
  void list_withBadParameters_isRefused() {
    assertProblem(() -> memory.list(me, new MemoryQuery("p", "nope", null, null)), StatekeeperException.InvalidInput.class, "invalid_memory_type");
    assertProblem(() -> memory.list(me, new MemoryQuery("p", null, 0, null)), StatekeeperException.InvalidInput.class, "invalid_limit");
    assertProblem(() -> memory.list(me, new MemoryQuery("p", null, 1001, null)), StatekeeperException.InvalidInput.class, "invalid_limit");
    assertProblem(() -> memory.list(me, new MemoryQuery("p", null, null, "not-a-cursor!")), StatekeeperException.InvalidInput.class, "invalid_cursor");
    assertProblem(() -> memory.history(me, "p", "k", null, "bad"), StatekeeperException.InvalidInput.class, "invalid_cursor");
  }

  @Test
  void history_pagesOldestFirst() {
    for (int i = 1; i <= 25; i++) {
      put("h", "k", "" + i);
    }
    List<Long> versions = new ArrayList<>();
    String cursor = null;
    do {
      MemoryPage page = memory.history(me, "h", "k", 10, cursor);
      page.items().forEach(e -> versions.add(e.version()));
      cursor = page.nextCursor();
    } while (cursor != null);
    assertThat(versions).hasSize(25).isSorted().doesNotHaveDuplicates();
    assertThat(versions.get(24)).isEqualTo(25);
  }

  static List<String> namespaces(MemoryPage page) {
    return page.items().stream().map(MemoryEntry::namespace).toList();
  }

  // ---------------------------------------------------------------- keyword search

  @Test
  void search_findsCurrentTextRankedByHowManyOfTheWordsMatch() {
    put("kb", "both", "1", "Alice prefers green tea in the morning");
    put("kb", "tea", "2", "Bob drinks black tea");
    put("kb", "none", "3", "Carol likes coffee");
    put("kb", "notext", "4");

    List<SearchHit> hits = memory.search(me, SearchRequest.keyword("green tea"));

    assertThat(hits).extracting(SearchHit::key).containsExactly("both", "tea");
    assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
    assertThat(hits.get(0).version()).isEqualTo(1);
    assertThat(hits.get(0).namespace()).isEqualTo("kb");
    assertThat(hits.get(0).value()).isEqualTo(json("1"));
    // stemming: "drinking" finds "drinks", on both stores
    assertThat(memory.search(me, SearchRequest.keyword("drinking"))).extracting(SearchHit::key).containsExactly("tea");
  }

  @Test
  void search_seesOnlyTheCurrentVersionsText() {
    put("kb", "k", "1", "the old words about penguins");
    put("kb", "k", "2", "the new words about giraffes");

    assertThat(memory.search(me, SearchRequest.keyword("penguins"))).isEmpty();
    assertThat(memory.search(me, SearchRequest.keyword("giraffes"))).extracting(SearchHit::version).containsExactly(2L);
    put("kb", "k", "3"); // a write without text takes the entry out of search
    assertThat(memory.search(me, SearchRequest.keyword("giraffes"))).isEmpty();
  }

  @Test
  void search_filtersByPrefixByWholeSegmentsAndByType() {
    memory.put(me, "user:alice", "a", MemoryWrite.of(json("1")).withText("sailing trip"), Precondition.NONE);
    memory.put(me, "user:alice:log", "b", MemoryWrite.of(json("1")).withText("sailing lesson").withType(MemoryType.EPISODIC), Precondition.NONE);
    memory.put(me, "user:alice2", "c", MemoryWrite.of(json("1")).withText("sailing club"), Precondition.NONE);
    memory.put(me, "team", "d", MemoryWrite.of(json("1")).withText("sailing"), Precondition.NONE);

    assertThat(memory.search(me, SearchRequest.keyword("sailing").withPrefix("user:alice")))
        .extracting(SearchHit::key).containsExactlyInAnyOrder("a", "b");
    assertThat(memory.search(me, SearchRequest.keyword("sailing").withPrefix("user:alice").withType(MemoryType.EPISODIC)))
        .extracting(SearchHit::key).containsExactly("b");
    assertThat(memory.search(me, SearchRequest.keyword("sailing"))).hasSize(4);
    assertThat(memory.search(me, SearchRequest.keyword("sailing").withLimit(2))).hasSize(2);
  }

  @Test
  void search_withQuerySyntaxOfEitherStore_neverFails() {
    put("kb", "k", "1", "alpha beta gamma; don't panic: 42 * 7");
    for (String q :
        List.of(
            "\"", "\"alpha", "alpha\"", "*", "alpha*", "(alpha", "alpha)", "alpha AND", "OR", "NOT alpha", "NEAR(alpha beta)",
            "alpha - beta", "-alpha", "^alpha", "alpha:beta", "text:alpha", "'", "don't", "a'b", "\\", "&", "|", "!",
            "alpha & | ! beta", "<->", "alpha <-> beta", "{alpha}", "[beta]", "+gamma", "\u0000", "…", "😀", "é", "\u0301",
            "e\u0301", "日本語", "ALPHA", "   ", "42", "7")) {
      try {
        memory.search(me, SearchRequest.keyword(q));
      } catch (StatekeeperException.InvalidInput e) {
        assertThat(e.code()).as(q).isEqualTo("invalid_query");
      }
    }
    assertThat(memory.search(me, SearchRequest.keyword("\"alpha\" OR (beta"))).hasSize(1);
    assertThat(memory.search(me, SearchRequest.keyword("???"))).isEmpty();
  }

  @Test
  void search_modes_allThreeWork_andAnUnknownModeIsRefused() {
    put("kb", "k", "1", "zebra");
    assertThat(memory.search(me, new SearchRequest("zebra", null, null, null, null))).hasSize(1); // hybrid
    assertThat(memory.search(me, new SearchRequest("zebra", null, null, "keyword", null))).hasSize(1);
    assertProblem(() -> memory.search(me, new SearchRequest("zebra", null, null, "HYBRID", null)), StatekeeperException.InvalidInput.class, "invalid_search_mode");
    memory.embedPendingNow();
    assertThat(memory.search(me, new SearchRequest("a striped animal", null, null, "semantic", null)))
        .extracting(SearchHit::key).containsExactly("k");
    assertProblem(() -> memory.search(me, new SearchRequest("zebra", null, null, "fuzzy", null)), StatekeeperException.InvalidInput.class, "invalid_search_mode");
    assertThat(memory.search(me, new SearchRequest(" ", null, null, null, null))).as("a blank query browses")
        .extracting(SearchHit::key).contains("k");
    assertThat(memory.search(me, new SearchRequest(null, null, null, null, null))).as("no query browses, unscored")
        .extracting(SearchHit::score).containsOnlyNulls();
    assertProblem(() -> memory.search(me, new SearchRequest("x".repeat(1001), null, null, null, null)), StatekeeperException.InvalidInput.class, "invalid_query");
    assertProblem(() -> memory.search(me, new SearchRequest("zebra", null, null, null, 101)), StatekeeperException.InvalidInput.class, "invalid_limit");
    assertProblem(() -> memory.search(me, new SearchRequest("zebra", "bad prefix", null, null, null)), StatekeeperException.InvalidInput.class, "invalid_prefix");
  }
}
