package dev.statekeeper.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.access.Grant;
import dev.statekeeper.access.Relation;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.support.EmbeddedSuite;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session contract through the embedded API, run once per store by the subclasses. Each test
 * works in a tenant of its own. Event retention is configured (30 days) and runs only when a test
 * asks; events are aged by rewriting their time in the database.
 */
abstract class SessionStoreContract extends EmbeddedSuite {

  Sessions sessions;
  Caller me;

  abstract StoreKind kind();

  StatekeeperConfig config(Path dir) {
    return kind().config(dir).toBuilder()
        .set(dev.statekeeper.sessions.SessionSettings.MAX_EVENT_BYTES, (long) (2048))
        .set(dev.statekeeper.sessions.SessionSettings.MAX_STATE_BYTES, (long) (4096))
        .set(dev.statekeeper.sessions.SessionSettings.SESSION_EVENT_RETENTION, Duration.ofDays(30))
        .set(dev.statekeeper.jobs.JobSettings.RETENTION_INTERVAL, Duration.ofHours(1))
        .build();
  }

  @BeforeAll
  void openStatekeeper(@TempDir Path dir) {
    sessions = open(config(dir)).sessions();
  }

  @BeforeEach
  void freshTenant() {
    me = new Caller("s-" + UUID.randomUUID(), "agent:tester", Role.AGENT);
  }

  Session create(String id) {
    return sessions.create(me, NewSession.create().withId(id));
  }

  List<SessionEvent> allEvents(String id) {
    List<SessionEvent> out = new ArrayList<>();
    Long after = null;
    while (true) {
      EventPage page = sessions.events(me, id, after, 1000);
      out.addAll(page.items());
      if (page.nextAfterSeq() == null) {
        return out;
      }
      after = page.nextAfterSeq();
    }
  }

  // ---------------------------------------------------------------- create and read

  @Test
  void create_withoutAnything_generatesAnIdAndAppliesTheDefaults() {
    Session s = sessions.create(me, NewSession.create());

    assertThat(s.id()).matches("[0-9a-f-]{36}");
    assertThat(s.status()).isEqualTo(SessionStatus.ACTIVE);
    assertThat(s.agent()).isNull();
    assertThat(s.user()).isNull();
    assertThat(s.state()).isEqualTo(json("{}"));
    assertThat(s.version()).isEqualTo(1);
    assertThat(s.eventCount()).isZero();
    assertThat(s.createdAt()).isEqualTo(s.updatedAt());
    assertThat(sessions.get(me, s.id())).isEqualTo(s);
  }

  @Test
  void create_withAClientId_keepsEveryField_andTheSameIdAgainIs409() {
    Session s = sessions.create(me, new NewSession("run:42.a_b-c", "agent:planner", "user:alice", json("{\"step\":1}")));

    assertThat(s.id()).isEqualTo("run:42.a_b-c");
    assertThat(s.agent()).isEqualTo("agent:planner");
    assertThat(s.user()).isEqualTo("user:alice");
    assertThat(s.state()).isEqualTo(json("{\"step\":1}"));
    assertProblem(() -> create("run:42.a_b-c"), StatekeeperException.Conflict.class, "session_exists");
    assertThat(sessions.get(me, s.id())).isEqualTo(s);
  }

  @Test
  void create_withBadInput_isRefusedAndCreatesNothing() {
    for (String bad : List.of("", "a b", "a/b", "..", ".", "x".repeat(129), "é", "a\u0000")) {
      assertProblem(() -> create(bad), StatekeeperException.InvalidInput.class, "invalid_session_id");
    }
    assertProblem(() -> sessions.create(me, new NewSession("s", null, null, json("[1]"))), StatekeeperException.InvalidInput.class, "invalid_state");
    assertProblem(() -> sessions.create(me, new NewSession("s", null, null, json("{\"a\":\"\\u0000\"}"))), StatekeeperException.InvalidInput.class, "invalid_state");
    assertProblem(
        () -> sessions.create(me, new NewSession("s", null, null, json("{\"a\":\"" + "x".repeat(5000) + "\"}"))),
        StatekeeperException.PayloadTooLarge.class, "state_too_large");
    assertProblem(() -> sessions.create(me, new NewSession("s", "a\nb", null, null)), StatekeeperException.InvalidInput.class, "invalid_agent");
    assertProblem(() -> sessions.create(me, new NewSession("s", null, " ", null)), StatekeeperException.InvalidInput.class, "invalid_user");
    assertProblem(() -> sessions.get(me, "s"), StatekeeperException.NotFound.class, "session_not_found");
  }

  @Test
  void anotherTenantsSession_isNotFoundForEveryOperation() {
    Session s = create("mine");
    sessions.append(me, "mine", NewEvent.of("msg", null));
    Caller other = new Caller("s-" + UUID.randomUUID(), "agent:other", Role.ADMIN);

    assertProblem(() -> sessions.get(other, "mine"), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.events(other, "mine", null, null), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.append(other, "mine", NewEvent.of("x", null)), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.replaceState(other, "mine", null, json("{}")), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.terminate(other, "mine"), StatekeeperException.NotFound.class, "session_not_found");
    // the same id is free in the other tenant
    assertThat(sessions.create(other, NewSession.create().withId("mine")).eventCount()).isZero();
    assertThat(sessions.get(me, "mine").eventCount()).isEqualTo(1);
    assertThat(sessions.get(me, "mine").version()).isEqualTo(s.version());
  }

  @Test
  void aReaderKey_readsButCannotChangeAnything() {
    create("r");
    Caller reader = new Caller(me.tenant(), "user:reader", Role.READER);
    sk.access().grant(me, new Grant("session:r", Relation.VIEWER, "user:reader")); // the creator owns and shares it

    assertThat(sessions.get(reader, "r").id()).isEqualTo("r");
    assertThat(sessions.events(reader, "r", null, null).items()).isEmpty();
    assertProblem(() -> sessions.create(reader, NewSession.create()), StatekeeperException.Forbidden.class, "read_only_key");
    assertProblem(() -> sessions.append(reader, "r", NewEvent.of("x", null)), StatekeeperException.Forbidden.class, "read_only_key");
    assertProblem(() -> sessions.replaceState(reader, "r", null, json("{}")), StatekeeperException.Forbidden.class, "read_only_key");
    assertProblem(() -> sessions.terminate(reader, "r"), StatekeeperException.Forbidden.class, "read_only_key");
    assertThat(sessions.get(me, "r").status()).isEqualTo(SessionStatus.ACTIVE);
  }

  @Test
  void anotherAgentsSession_isNotFound_untilItsOwnerSharesIt_andAViewerOnlyReads() {
    create("private");
    sessions.append(me, "private", NewEvent.of("msg", null));
    Caller peer = new Caller(me.tenant(), "agent:peer", Role.AGENT);

    assertProblem(() -> sessions.get(peer, "private"), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.events(peer, "private", null, null), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.append(peer, "private", NewEvent.of("x", null)), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.replaceState(peer, "private", null, json("{}")), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.terminate(peer, "private"), StatekeeperException.NotFound.class, "session_not_found");
    // exactly what a session that does not exist answers
    assertProblem(() -> sessions.get(peer, "no-such-session"), StatekeeperException.NotFound.class, "session_not_found");

    sk.access().grant(me, new Grant("session:private", Relation.VIEWER, "agent:peer"));
    assertThat(sessions.get(peer, "private").eventCount()).isEqualTo(1);
    assertThat(sessions.events(peer, "private", null, null).items()).hasSize(1);
    assertProblem(() -> sessions.append(peer, "private", NewEvent.of("x", null)), StatekeeperException.Forbidden.class, "access_denied");
    assertProblem(() -> sessions.terminate(peer, "private"), StatekeeperException.Forbidden.class, "access_denied");

    sk.access().grant(me, new Grant("session:private", Relation.EDITOR, "agent:peer"));
    assertThat(sessions.append(peer, "private", NewEvent.of("x", null)).seq()).isEqualTo(2);
    // an editor may not share; the owner may revoke
    assertProblem(() -> sk.access().grant(peer, new Grant("session:private", Relation.VIEWER, "agent:third")), StatekeeperException.Forbidden.class, "share_forbidden");
    sk.access().revoke(me, new Grant("session:private", Relation.EDITOR, "agent:peer"));
    sk.access().revoke(me, new Grant("session:private", Relation.VIEWER, "agent:peer"));
    assertProblem(() -> sessions.get(peer, "private"), StatekeeperException.NotFound.class, "session_not_found");
    assertThat(allEvents("private")).hasSize(2);
  }

  @Test
  void aSessionProbedBeforeItExisted_isReadableByItsCreatorRightAfterCreation() {
    assertProblem(() -> sessions.get(me, "later"), StatekeeperException.NotFound.class, "session_not_found");
    create("later");
    assertThat(sessions.get(me, "later").id()).isEqualTo("later");
  }

  // ---------------------------------------------------------------- events

  @Test
  void append_numbersEventsFromOne_singlyAndInBatches_andCountsThem() {
    Session s = create("log");

    SessionEvent first = sessions.append(me, "log", NewEvent.of("message", json("{\"text\":\"hi\"}")));
    List<SessionEvent> batch =
        sessions.append(me, "log", List.of(NewEvent.of("tool_call", json("[1,2]")), NewEvent.of("tool_result", null), NewEvent.of("note", json("\"x\""))));

    assertThat(first.seq()).isEqualTo(1);
    assertThat(first.type()).isEqualTo("message");
    assertThat(first.data()).isEqualTo(json("{\"text\":\"hi\"}"));
    assertThat(first.createdAt()).isNotNull();
    assertThat(batch).extracting(SessionEvent::seq).containsExactly(2L, 3L, 4L);
    assertThat(batch).extracting(SessionEvent::type).containsExactly("tool_call", "tool_result", "note");
    assertThat(batch.get(1).data()).isNull();
    Session after = sessions.get(me, "log");
    assertThat(after.eventCount()).isEqualTo(4);
    assertThat(after.version()).isEqualTo(s.version()); // appends leave the state's version alone
    assertThat(allEvents("log")).containsExactly(first, batch.get(0), batch.get(1), batch.get(2));
  }

  @Test
  void events_pageAfterASequenceNumber() {
    create("p");
    for (int i = 0; i < 25; i++) {
      sessions.append(me, "p", NewEvent.of("e", JSON.valueToTree(i)));
    }

    EventPage page1 = sessions.events(me, "p", null, 10);
    EventPage page3 = sessions.events(me, "p", 20L, 10);
    EventPage end = sessions.events(me, "p", 25L, 10);

    assertThat(page1.items()).extracting(SessionEvent::seq).isEqualTo(seqs(1, 10));
    assertThat(page1.nextAfterSeq()).isEqualTo(10);
    assertThat(sessions.events(me, "p", page1.nextAfterSeq(), 10).items()).extracting(SessionEvent::seq).isEqualTo(seqs(11, 20));
    assertThat(page3.items()).extracting(SessionEvent::seq).isEqualTo(seqs(21, 25));
    assertThat(page3.nextAfterSeq()).isNull();
    assertThat(end.items()).isEmpty();
    assertThat(sessions.events(me, "p", null, null).items()).hasSize(25);
    assertThat(allEvents("p")).extracting(e -> e.data().asInt()).isEqualTo(java.util.stream.IntStream.range(0, 25).boxed().toList());
  }

  static List<Long> seqs(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void append_withABadEvent_appendsNoneOfTheBatch() {
    create("b");
    sessions.append(me, "b", NewEvent.of("ok", null));

    assertProblem(() -> sessions.append(me, "b", List.of(NewEvent.of("ok", null), NewEvent.of(null, null))), StatekeeperException.InvalidInput.class, "invalid_event_type");
    assertProblem(() -> sessions.append(me, "b", List.of(NewEvent.of("ok", null), NewEvent.of("t\u0001", null))), StatekeeperException.InvalidInput.class, "invalid_event_type");
    assertProblem(() -> sessions.append(me, "b", NewEvent.of("x".repeat(257), null)), StatekeeperException.InvalidInput.class, "invalid_event_type");
    assertProblem(
        () -> sessions.append(me, "b", List.of(NewEvent.of("ok", null), NewEvent.of("big", json("\"" + "x".repeat(3000) + "\"")))),
        StatekeeperException.PayloadTooLarge.class, "event_too_large");
    assertProblem(() -> sessions.append(me, "b", NewEvent.of("nul", json("{\"a\":\"\\u0000\"}"))), StatekeeperException.InvalidInput.class, "invalid_event_data");
    assertProblem(() -> sessions.append(me, "b", List.of()), StatekeeperException.InvalidInput.class, "invalid_events");
    List<NewEvent> tooMany = new ArrayList<>();
    for (int i = 0; i < 1001; i++) tooMany.add(NewEvent.of("e", null));
    assertProblem(() -> sessions.append(me, "b", tooMany), StatekeeperException.InvalidInput.class, "invalid_events");

    assertThat(sessions.get(me, "b").eventCount()).isEqualTo(1);
    assertThat(allEvents("b")).hasSize(1);
    // the next good append continues without a gap
    assertThat(sessions.append(me, "b", NewEvent.of("ok", null)).seq()).isEqualTo(2);
  }

  @Test
  void append_ofTheLargestBatch_numbersItConsecutively() {
    create("big");
    sessions.append(me, "big", NewEvent.of("first", null));
    List<NewEvent> batch = new ArrayList<>();
    for (int i = 0; i < 1000; i++) batch.add(NewEvent.of("e", JSON.valueToTree(i)));

    List<SessionEvent> got = sessions.append(me, "big", batch);

    assertThat(got).extracting(SessionEvent::seq).isEqualTo(seqs(2, 1001));
    assertThat(got.get(999).data().asInt()).isEqualTo(999);
    assertThat(sessions.get(me, "big").eventCount()).isEqualTo(1001);
  }

  @Test
  void events_withBadParameters_areRefused_andOfAnUnknownSession_isNotFound() {
    create("q");
    assertProblem(() -> sessions.events(me, "q", -1L, null), StatekeeperException.InvalidInput.class, "invalid_after_seq");
    assertProblem(() -> sessions.events(me, "q", null, 0), StatekeeperException.InvalidInput.class, "invalid_limit");
    assertProblem(() -> sessions.events(me, "q", null, 1001), StatekeeperException.InvalidInput.class, "invalid_limit");
    assertProblem(() -> sessions.events(me, "nope", null, null), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.events(me, "../etc", null, null), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.append(me, "nope", NewEvent.of("x", null)), StatekeeperException.NotFound.class, "session_not_found");
  }

  // ---------------------------------------------------------------- state and termination

  @Test
  void replaceState_withTheCurrentVersion_replacesItWhole_andAStaleVersionIs412AndChangesNothing() {
    create("st");
    Session v2 = sessions.replaceState(me, "st", 1L, json("{\"a\":1,\"b\":[true]}"));

    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.state()).isEqualTo(json("{\"a\":1,\"b\":[true]}"));
    assertThat(sessions.replaceState(me, "st", null, json("{\"c\":null}")).state()).isEqualTo(json("{\"c\":null}"));
    assertThatThrownBy(() -> sessions.replaceState(me, "st", 2L, json("{}")))
        .isInstanceOfSatisfying(StatekeeperException.PreconditionFailed.class, e -> assertThat(e.currentVersion()).isEqualTo(3));
    assertThat(sessions.get(me, "st").state()).isEqualTo(json("{\"c\":null}"));
    assertProblem(() -> sessions.replaceState(me, "st", 3L, json("[]")), StatekeeperException.InvalidInput.class, "invalid_state");
    assertProblem(() -> sessions.replaceState(me, "st", 3L, null), StatekeeperException.InvalidInput.class, "invalid_state");
    assertProblem(
        () -> sessions.replaceState(me, "st", 3L, json("{\"a\":\"" + "x".repeat(5000) + "\"}")),
        StatekeeperException.PayloadTooLarge.class, "state_too_large");
    assertProblem(() -> sessions.replaceState(me, "nope", 1L, json("{}")), StatekeeperException.NotFound.class, "session_not_found");
    assertThat(sessions.get(me, "st").version()).isEqualTo(3);
  }

  @Test
  void terminate_isFinal_appendsAndStateChangesAre409_andTerminatingAgainChangesNothing() {
    create("t");
    sessions.append(me, "t", NewEvent.of("e", null));

    Session done = sessions.terminate(me, "t");

    assertThat(done.status()).isEqualTo(SessionStatus.TERMINATED);
    assertThat(done.version()).isEqualTo(2);
    assertProblem(() -> sessions.append(me, "t", NewEvent.of("late", null)), StatekeeperException.Conflict.class, "session_terminated");
    assertProblem(() -> sessions.replaceState(me, "t", 2L, json("{}")), StatekeeperException.Conflict.class, "session_terminated");
    assertProblem(() -> sessions.replaceState(me, "t", null, json("{}")), StatekeeperException.Conflict.class, "session_terminated");
    assertThat(sessions.terminate(me, "t")).isEqualTo(done);
    assertThat(sessions.get(me, "t")).isEqualTo(done);
    assertThat(allEvents("t")).hasSize(1);
    assertProblem(() -> sessions.terminate(me, "nope"), StatekeeperException.NotFound.class, "session_not_found");
  }

  // ---------------------------------------------------------------- retention

  /** Makes events up to {@code upTo} of a session look written {@code age} ago. */
  void age(String id, long upTo, Duration age) {
    Instant then = Instant.now().minus(age);
    sk.store().write(
        "ageing events for a test",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE session_events SET created_at = ? WHERE tenant = ? AND session_id = ? AND seq <= ?")) {
            SqlArgs.bind(ps, sk.store().dialect(), then, me.tenant(), id, upTo);
            return ps.executeUpdate();
          }
        });
  }

  @Test
  void retention_removesEventsOlderThanTheLimitAndNothingElse() {
    sessions.runRetentionNow(); // leftovers of other tests first, so the count below is this test's
    create("old");
    create("young");
    for (int i = 0; i < 10; i++) {
      sessions.append(me, "old", NewEvent.of("e", JSON.valueToTree(i)));
      sessions.append(me, "young", NewEvent.of("e", JSON.valueToTree(i)));
    }
    age("old", 6, Duration.ofDays(31));
    age("young", 10, Duration.ofDays(29));
    long before = sessions.retentionStatus().eventsRemoved();

    sessions.runRetentionNow();

    assertThat(allEvents("old")).extracting(SessionEvent::seq).isEqualTo(seqs(7, 10));
    assertThat(allEvents("young")).extracting(SessionEvent::seq).isEqualTo(seqs(1, 10));
    assertThat(sessions.retentionStatus().eventsRemoved() - before).isEqualTo(6);
    assertThat(sessions.retentionStatus().failures()).isZero();
    Session old = sessions.get(me, "old");
    assertThat(old.eventCount()).isEqualTo(10);
    assertThat(old.state()).isEqualTo(json("{}"));
    // numbering continues after the removed events
    assertThat(sessions.append(me, "old", NewEvent.of("e", null)).seq()).isEqualTo(11);
  }
}
