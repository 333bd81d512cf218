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

  // ---------------------------------------------------------------- listing, deleting, reading backwards

  @Test
  void list_isNewestFirst_pagesWithCursors_andFiltersByAgentUserAndStatus() {
    Caller admin = new Caller(me.tenant(), "user:admin", Role.ADMIN);
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String id = String.format("l%02d", i); // created in one millisecond, sessions come in id order
      sessions.create(me, NewSession.create().withId(id).withAgent(i % 2 == 0 ? "planner" : "coder").withUser("u" + (i % 3)));
      made.add(0, id); // newest first
    }
    sessions.terminate(me, "l03");

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      SessionPage page = sessions.list(me, SessionQuery.newest().withLimit(10).withCursor(cursor));
      page.items().forEach(x -> seen.add(x.id()));
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);
    assertThat(seen).isEqualTo(made);
    assertThat(pages).isEqualTo(3);
    assertThat(sessions.list(admin, SessionQuery.newest().withLimit(1000)).items()).extracting(Session::id).isEqualTo(made);

    assertThat(sessions.list(me, new SessionQuery("coder", "u0", null, null, null)).items()).extracting(Session::id)
        .containsExactly("l21", "l15", "l09", "l03");
    assertThat(sessions.list(me, new SessionQuery(null, null, "terminated", null, null)).items()).extracting(Session::id)
        .containsExactly("l03");
    assertThat(sessions.list(me, new SessionQuery("coder", null, "active", 5, null)).items()).extracting(Session::id)
        .containsExactly("l23", "l21", "l19", "l17", "l15");
    // a page that ends exactly at the last session says so: no cursor to an empty page
    SessionPage all = sessions.list(me, SessionQuery.newest().withLimit(25));
    assertThat(all.items()).hasSize(25);
    assertThat(all.nextCursor()).isNull();
    assertThat(sessions.list(me, SessionQuery.newest().withLimit(24)).nextCursor()).isNotNull();
  }

  @Test
  void list_showsOnlyWhatTheCallerMayRead() {
    Caller peer = new Caller(me.tenant(), "agent:peer", Role.AGENT);
    create("mine-1");
    sessions.create(peer, NewSession.create().withId("theirs-1"));
    create("mine-2");
    sessions.create(peer, NewSession.create().withId("theirs-2"));
    assertThat(sessions.list(me, SessionQuery.newest()).items()).extracting(Session::id).containsExactly("mine-2", "mine-1");
    assertThat(sessions.list(peer, SessionQuery.newest()).items()).extracting(Session::id).containsExactly("theirs-2", "theirs-1");
    sk.access().grant(peer, new Grant("session:theirs-1", Relation.VIEWER, me.subject()));
    assertThat(sessions.list(me, SessionQuery.newest()).items()).extracting(Session::id)
        .containsExactly("mine-2", "theirs-1", "mine-1");
    Caller stranger = new Caller(me.tenant(), "agent:stranger", Role.AGENT);
    assertThat(sessions.list(stranger, SessionQuery.newest()).items()).isEmpty();
    Caller otherTenant = new Caller("other-" + UUID.randomUUID(), "user:admin", Role.ADMIN);
    assertThat(sessions.list(otherTenant, SessionQuery.newest()).items()).isEmpty();
  }

  @Test
  void list_withBadParameters_isRefused() {
    assertProblem(() -> sessions.list(me, new SessionQuery(null, null, "done", null, null)), StatekeeperException.InvalidInput.class, "invalid_status");
    assertProblem(() -> sessions.list(me, new SessionQuery(null, null, "Active", null, null)), StatekeeperException.InvalidInput.class, "invalid_status");
    assertProblem(() -> sessions.list(me, SessionQuery.newest().withLimit(0)), StatekeeperException.InvalidInput.class, "invalid_limit");
    assertProblem(() -> sessions.list(me, SessionQuery.newest().withLimit(1001)), StatekeeperException.InvalidInput.class, "invalid_limit");
    assertProblem(() -> sessions.list(me, SessionQuery.newest().withCursor("not-a-cursor")), StatekeeperException.InvalidInput.class, "invalid_cursor");
    assertProblem(() -> sessions.list(me, new SessionQuery(" ", null, null, null, null)), StatekeeperException.InvalidInput.class, "invalid_agent");
  }

  @Test
  void delete_removesTheSessionItsEventsStateAndGrants_andAuditsIt() {
    create("gone");
    sessions.append(me, "gone", List.of(NewEvent.of("a", null), NewEvent.of("b", null), NewEvent.of("c", null)));
    sessions.replaceState(me, "gone", 1L, json("{\"step\":3}"));
    Caller peer = new Caller(me.tenant(), "agent:peer", Role.AGENT);
    sk.access().grant(me, new Grant("session:gone", Relation.EDITOR, "agent:peer"));
    assertThat(sessions.get(peer, "gone").eventCount()).isEqualTo(3);

    assertThat(sessions.delete(me, "gone")).isEqualTo(3);

    assertProblem(() -> sessions.get(me, "gone"), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.events(me, "gone", null, null), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.delete(me, "gone"), StatekeeperException.NotFound.class, "session_not_found");
    assertThat(count("SELECT COUNT(*) FROM session_events WHERE tenant = ? AND session_id = ?", me.tenant(), "gone")).isZero();
    assertThat(count("SELECT COUNT(*) FROM sessions WHERE tenant = ? AND id = ?", me.tenant(), "gone")).isZero();
    assertThat(count("SELECT COUNT(*) FROM access_grants WHERE tenant = ? AND resource = ?", me.tenant(), "session:gone")).isZero();

    // a session made later with the same id starts empty, and the old grants do not apply to it
    Caller admin = new Caller(me.tenant(), "user:admin", Role.ADMIN);
    sessions.create(admin, NewSession.create().withId("gone"));
    assertThat(sessions.get(admin, "gone").eventCount()).isZero();
    assertThat(sessions.events(admin, "gone", null, null).items()).isEmpty();
    assertProblem(() -> sessions.get(peer, "gone"), StatekeeperException.NotFound.class, "session_not_found");
    assertProblem(() -> sessions.get(me, "gone"), StatekeeperException.NotFound.class, "session_not_found");

    var audit = sk.audit().list(admin, null, 10);
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).action()).isEqualTo("session.delete");
    assertThat(audit.get(0).target()).isEqualTo("session:gone");
    assertThat(audit.get(0).actor()).isEqualTo(me.subject());
    assertThat(audit.get(0).detail().get("events").asLong()).isEqualTo(3);
  }

  @Test
  void delete_isForTheOwnerOrAnAdmin() {
    create("kept");
    sessions.append(me, "kept", NewEvent.of("a", null));
    Caller peer = new Caller(me.tenant(), "agent:peer", Role.AGENT);
    Caller reader = new Caller(me.tenant(), me.subject(), Role.READER);
    assertProblem(() -> sessions.delete(peer, "kept"), StatekeeperException.NotFound.class, "session_not_found");
    sk.access().grant(me, new Grant("session:kept", Relation.EDITOR, "agent:peer"));
    assertProblem(() -> sessions.delete(peer, "kept"), StatekeeperException.Forbidden.class, "access_denied");
    assertProblem(() -> sessions.delete(reader, "kept"), StatekeeperException.Forbidden.class, "read_only_key");
    assertProblem(() -> sessions.delete(me, "no such id!"), StatekeeperException.NotFound.class, "session_not_found");
    Caller otherTenant = new Caller("other-" + UUID.randomUUID(), "user:admin", Role.ADMIN);
    assertProblem(() -> sessions.delete(otherTenant, "kept"), StatekeeperException.NotFound.class, "session_not_found");
    assertThat(sessions.get(me, "kept").eventCount()).isEqualTo(1);

    Caller admin = new Caller(me.tenant(), "user:admin", Role.ADMIN);
    assertThat(sessions.delete(admin, "kept")).isEqualTo(1);
    assertProblem(() -> sessions.get(me, "kept"), StatekeeperException.NotFound.class, "session_not_found");
  }

  @Test
  void events_newestFirst_pageBackwardsWithBeforeSeq_andBothBoundsMakeARange() {
    create("long");
    List<NewEvent> batch = new ArrayList<>();
    for (int i = 0; i < 25; i++) batch.add(NewEvent.of("e", JSON.valueToTree(i)));
    sessions.append(me, "long", batch);

    EventPage newest = sessions.events(me, "long", null, null, "desc", 10);
    assertThat(newest.items()).extracting(SessionEvent::seq).containsExactly(25L, 24L, 23L, 22L, 21L, 20L, 19L, 18L, 17L, 16L);
    assertThat(newest.nextBeforeSeq()).isEqualTo(16);
    assertThat(newest.nextAfterSeq()).isNull();
    List<Long> all = new ArrayList<>();
    Long before = null;
    do {
      EventPage page = sessions.events(me, "long", null, before, "desc", 10);
      page.items().forEach(e -> all.add(e.seq()));
      before = page.nextBeforeSeq();
    } while (before != null);
    List<Long> expected = new ArrayList<>(seqs(1, 25));
    java.util.Collections.reverse(expected);
    assertThat(all).isEqualTo(expected);

    assertThat(sessions.events(me, "long", 5L, 9L, "asc", null).items()).extracting(SessionEvent::seq).containsExactly(6L, 7L, 8L);
    assertThat(sessions.events(me, "long", 5L, 9L, "desc", null).items()).extracting(SessionEvent::seq).containsExactly(8L, 7L, 6L);
    assertThat(sessions.events(me, "long", null, 1L, "desc", null).items()).isEmpty();
    EventPage oldest = sessions.events(me, "long", null, 3L, "desc", 2);
    assertThat(oldest.items()).extracting(SessionEvent::seq).containsExactly(2L, 1L);
    assertThat(oldest.nextBeforeSeq()).as("seq 1 is the first: no page after it").isNull();
    assertThat(sessions.events(me, "long", null, null, null, 3).items()).extracting(SessionEvent::seq).containsExactly(1L, 2L, 3L);

    assertProblem(() -> sessions.events(me, "long", null, 0L, "desc", null), StatekeeperException.InvalidInput.class, "invalid_before_seq");
    assertProblem(() -> sessions.events(me, "long", null, null, "DESC", null), StatekeeperException.InvalidInput.class, "invalid_order");
    assertProblem(() -> sessions.events(me, "long", null, null, "newest", null), StatekeeperException.InvalidInput.class, "invalid_order");
  }

  private long count(String sql, Object... args) {
    return sk.store().read("counting for a test", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        SqlArgs.bind(ps, sk.store().dialect(), args);
        try (var rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }
}
