package dev.statekeeper.backup;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.statekeeper.Caller;
import dev.statekeeper.memory.Memory;
import dev.statekeeper.memory.MemoryEntry;
import dev.statekeeper.memory.MemoryPage;
import dev.statekeeper.memory.MemoryQuery;
import dev.statekeeper.sessions.EventPage;
import dev.statekeeper.sessions.Session;
import dev.statekeeper.sessions.SessionEvent;
import dev.statekeeper.sessions.Sessions;
import dev.statekeeper.tasks.Task;
import dev.statekeeper.tasks.TaskPage;
import dev.statekeeper.tasks.TaskQuery;
import dev.statekeeper.tasks.Tasks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * The rollback path: one tenant's state written as a JSON state file in the shape {@link
 * JsonImporter} reads by default ({@code {"tasks": [...], "sessions": [...], "memory": [...]}}),
 * sessions with their events and memory with its current entries, so an orchestrator that kept its
 * state in such a file can start from it again. Written to a temporary file and moved into place,
 * so a reader never sees half of it.
 */
public final class JsonExporter {

  private final Tasks tasks;
  private final Sessions sessions;
  private final Memory memory;

  public JsonExporter(Tasks tasks, Sessions sessions, Memory memory) {
    this.tasks = tasks;
    this.sessions = sessions;
    this.memory = memory;
  }

  /** How many of each were written. */
  public record Counts(long tasks, long sessions, long events, long memoryEntries) {}

  /** Writes {@code caller.tenant()}'s state to {@code file}. */
  public Counts export(Caller caller, Path file, Progress progress) {
    Path tmp = file.toAbsolutePath().resolveSibling(file.getFileName() + ".tmp-" + System.nanoTime());
    long n = 0;
    long sessionCount = 0;
    long eventCount = 0;
    long entries = 0;
    progress.start("export tasks", tasks.stats(caller, null).counts().values().stream().mapToLong(Long::longValue).sum());
    try (JsonGenerator g = RowCodec.CANONICAL.getFactory().createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
      g.setCodec(RowCodec.CANONICAL);
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("format", "statekeeper-export");
      g.writeStringField("exported_at", Instant.now().toString());
      g.writeStringField("tenant", caller.tenant());
      g.writeArrayFieldStart("tasks");
      String cursor = null;
      do {
        TaskPage page = tasks.list(caller, TaskQuery.all().withLimit(1000).withCursor(cursor));
        for (Task t : page.items()) {
          write(g, t);
          n++;
        }
        progress.advance(page.items().size());
        cursor = page.nextCursor();
      } while (cursor != null);
      g.writeEndArray();
      progress.done();

      g.writeArrayFieldStart("sessions");
      String after = null;
      while (true) {
        var page = sessions.list(caller, after, 1000);
        for (Session s : page) {
          eventCount += write(g, caller, s);
          sessionCount++;
        }
        if (page.size() < 1000) break;
        after = page.get(page.size() - 1).id();
      }
      g.writeEndArray();

      g.writeArrayFieldStart("memory");
      String memoryCursor = null;
      do {
        MemoryPage page = memory.list(caller, new MemoryQuery(null, null, 1000, memoryCursor));
        for (MemoryEntry e : page.items()) {
          write(g, e);
          entries++;
        }
        memoryCursor = page.nextCursor();
      } while (memoryCursor != null);
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the export into " + file + ": " + e.getMessage(), e);
    }
    return new Counts(n, sessionCount, eventCount, entries);
  }

  /** One session with its events, in order; returns how many events. */
  private long write(JsonGenerator g, Caller caller, Session s) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", s.id());
    g.writeStringField("agent", s.agent());
    g.writeStringField("user", s.user());
    g.writeStringField("status", s.status().wireName());
    g.writeFieldName("state");
    g.writeTree(s.state());
    g.writeStringField("created_at", s.createdAt().toString());
    g.writeArrayFieldStart("events");
    long n = 0;
    Long after = null;
    while (true) {
      EventPage page = sessions.events(caller, s.id(), after, 1000);
      for (SessionEvent e : page.items()) {
        g.writeStartObject();
        g.writeStringField("type", e.type());
        g.writeFieldName("data");
        if (e.data() == null) g.writeNull(); else g.writeTree(e.data());
        g.writeStringField("created_at", e.createdAt().toString());
        g.writeEndObject();
        n++;
      }
      if (page.nextAfterSeq() == null) break;
      after = page.nextAfterSeq();
    }
    g.writeEndArray();
    g.writeEndObject();
    return n;
  }

  private static void write(JsonGenerator g, MemoryEntry e) throws IOException {
    g.writeStartObject();
    g.writeStringField("namespace", e.namespace());
    g.writeStringField("key", e.key());
    g.writeFieldName("value");
    g.writeTree(e.value());
    g.writeStringField("type", e.type().wireName());
    g.writeStringField("text", e.text());
    g.writeFieldName("metadata");
    g.writeTree(e.metadata());
    g.writeEndObject();
  }

  private static void write(JsonGenerator g, Task t) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", t.id());
    g.writeStringField("type", t.type());
    g.writeStringField("queue", t.queue());
    g.writeStringField("status", t.status().wireName());
    g.writeStringField("priority", t.priority().name());
    g.writeStringField("assigned_to", t.claimedBy());
    g.writeFieldName("payload");
    g.writeTree(t.payload());
    g.writeFieldName("result");
    if (t.result() == null) g.writeNull(); else g.writeTree(t.result());
    g.writeStringField("error", t.error());
    g.writeNumberField("attempts", t.attempt());
    g.writeNumberField("max_attempts", t.maxAttempts());
    g.writeStringField("created_at", t.createdAt().toString());
    g.writeStringField("deadline", t.deadline() == null ? null : t.deadline().toString());
    g.writeEndObject();
  }
}
