package dev.statekeeper.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Caller;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.memory.MemoryEntry;
import dev.statekeeper.memory.MemoryQuery;
import dev.statekeeper.sessions.Session;
import dev.statekeeper.sessions.SessionEvent;
import dev.statekeeper.sessions.SessionStatus;
import dev.statekeeper.support.StoreKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * import-json and export-json beyond tasks: sessions with their events and key/value memory,
 * from a state file that concurrent writers damaged, on both stores; again without duplicates;
 * and back out through the export into another tenant unchanged.
 */
class JsonImportSessionsAndMemoryTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Two versions of one file written over each other: the newer, shorter one won; the older's tail is extra data. */
  private static final String STATE = """
      {"tasks": [{"id": "t1", "type": "crawl", "status": "done"}],
       "sessions": {
         "chat-1": {"agent": "planner", "user": "alice", "status": "active", "state": {"step": 3},
                    "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": {"text": "hello"}}, "plain note"]},
         "chat-2": {"status": "closed", "events": [{"type": "tool_call", "data": [1, 2]}]},
         "bad id!": {"state": {}},
         "chat-3": {"state": "not an object", "events": {"not": "a list"}}
       },
       "memory": {
         "favourite_colour": "green",
         "profile": {"namespace": "user:alice", "value": {"name": "Alice"}, "text": "Alice likes sailing", "type": "semantic"},
         "diary": {"namespace": "user:alice", "value": "went sailing", "type": "episodic", "metadata": {"mood": "good"}},
         "bad key/x": 1,
         "broken": {"namespace": "no spaces allowed", "value": 1}
       }}
      {"tasks": [{"id": "t1", "type": "crawl", "status": "running"}, {"id": "t2", "type": "x"}]}
      """.stripTrailing();

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void sessionsAndMemory_areImportedWholeOnce_andExportedBackTheSame(StoreKind kind, @TempDir Path dir) throws Exception {
    // an appended second document, cut off mid-write
    String damaged = STATE.substring(0, STATE.length() - 10);
    Path file = dir.resolve("state.json");
    Files.writeString(file, damaged, StandardCharsets.UTF_8);
    StatekeeperConfig config = kind.config(dir.resolve("data"));
    String tenant = "imp-" + UUID.randomUUID().toString().substring(0, 8);
    Caller admin = Caller.admin(tenant);

    try (Statekeeper sk = Statekeeper.open(config)) {
      JsonImporter importer = new JsonImporter(sk.store(), config);
      JsonImporter.ImportReport dry = importer.run(file, null, tenant, true);
      assertThat(dry.sessions().valid()).isEqualTo(2);
      assertThat(dry.memory().valid()).isEqualTo(3);
      assertThat(sk.sessions().list(admin, null, null)).isEmpty(); // a dry run changes nothing

      JsonImporter.ImportReport r = importer.run(file, null, tenant, false);
      assertThat(r.sessions().found()).isEqualTo(4);
      assertThat(r.sessions().imported()).isEqualTo(2);
      assertThat(r.sessions().rejected()).extracting(JsonImporter.Rejected::id).containsExactlyInAnyOrder("bad id!", "chat-3");
      assertThat(r.memory().found()).isEqualTo(5);
      assertThat(r.memory().imported()).isEqualTo(3);
      assertThat(r.memory().rejected()).hasSize(2);
      assertThat(Files.readString(file)).isEqualTo(damaged); // the source is never changed

      Session chat = sk.sessions().get(admin, "chat-1");
      assertThat(chat.agent()).isEqualTo("planner");
      assertThat(chat.user()).isEqualTo("alice");
      assertThat(chat.state()).isEqualTo(JSON.readTree("{\"step\":3}"));
      assertThat(chat.status()).isEqualTo(SessionStatus.ACTIVE);
      List<SessionEvent> events = sk.sessions().events(admin, "chat-1", null, null).items();
      assertThat(events).extracting(SessionEvent::seq).containsExactly(1L, 2L, 3L);
      assertThat(events).extracting(SessionEvent::type).containsExactly("user", "assistant", "event");
      assertThat(events.get(0).data().asText()).isEqualTo("hi");
      assertThat(events.get(1).data()).isEqualTo(JSON.readTree("{\"text\":\"hello\"}"));
      assertThat(sk.sessions().get(admin, "chat-2").status()).isEqualTo(SessionStatus.TERMINATED);
      // an imported session goes on like any other
      assertThat(sk.sessions().append(admin, "chat-1", dev.statekeeper.sessions.NewEvent.of("next", null)).seq()).isEqualTo(4);

      assertThat(sk.memory().get(admin, "imported", "favourite_colour").value().asText()).isEqualTo("green");
      MemoryEntry profile = sk.memory().get(admin, "user:alice", "profile");
      assertThat(profile.value()).isEqualTo(JSON.readTree("{\"name\":\"Alice\"}"));
      assertThat(profile.text()).isEqualTo("Alice likes sailing");
      assertThat(sk.memory().get(admin, "user:alice", "diary").metadata()).isEqualTo(JSON.readTree("{\"mood\":\"good\"}"));
      assertThat(sk.memory().search(admin, dev.statekeeper.memory.SearchRequest.keyword("sailing").withPrefix("user:alice")))
          .isNotEmpty();

      // again: nothing new, not even a memory version
      JsonImporter.ImportReport again = importer.run(file, null, tenant, false);
      assertThat(again.sessions().imported()).isZero();
      assertThat(again.sessions().alreadyPresent()).isEqualTo(2);
      assertThat(again.memory().imported()).isZero();
      assertThat(again.memory().alreadyPresent()).isEqualTo(3);
      assertThat(sk.memory().get(admin, "user:alice", "profile").version()).isEqualTo(1);
      assertThat(sk.sessions().get(admin, "chat-1").eventCount()).isEqualTo(4);

      // the way back: export, import into a fresh tenant, and it reads the same
      Path out = dir.resolve("export.json");
      JsonExporter.Counts counts = new JsonExporter(sk.tasks(), sk.sessions(), sk.memory()).export(admin, out, Progress.NONE);
      assertThat(counts.sessions()).isEqualTo(2);
      assertThat(counts.events()).isEqualTo(5);
      assertThat(counts.memoryEntries()).isEqualTo(3);
      String other = tenant + "-back";
      Caller otherAdmin = Caller.admin(other);
      JsonImporter.ImportReport back = importer.run(out, null, other, false);
      assertThat(back.sessions().rejected()).isEmpty();
      assertThat(back.memory().rejected()).isEmpty();
      for (String id : List.of("chat-1", "chat-2")) {
        Session a = sk.sessions().get(admin, id);
        Session b = sk.sessions().get(otherAdmin, id);
        assertThat(b.status()).isEqualTo(a.status());
        assertThat(b.state()).isEqualTo(a.state());
        assertThat(b.agent()).isEqualTo(a.agent());
        assertThat(sk.sessions().events(otherAdmin, id, null, null).items()).extracting(SessionEvent::type, SessionEvent::data)
            .containsExactlyElementsOf(sk.sessions().events(admin, id, null, null).items().stream()
                .map(e -> org.assertj.core.groups.Tuple.tuple(e.type(), e.data())).toList());
      }
      assertThat(sk.memory().list(otherAdmin, MemoryQuery.all()).items())
          .extracting(MemoryEntry::namespace, MemoryEntry::key, MemoryEntry::value, MemoryEntry::type, MemoryEntry::text, MemoryEntry::metadata)
          .containsExactlyElementsOf(sk.memory().list(admin, MemoryQuery.all()).items().stream()
              .map(e -> org.assertj.core.groups.Tuple.tuple(e.namespace(), e.key(), e.value(), e.type(), e.text(), e.metadata())).toList());
    }
  }
}
