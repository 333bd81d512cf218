package dev.statekeeper.backup;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.statekeeper.Caller;
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
 * JsonImporter} reads by default ({@code {"tasks": [...]}}), so an orchestrator that kept its
 * state in such a file can start from it again. Written to a temporary file and moved into place,
 * so a reader never sees half of it.
 */
public final class JsonExporter {

  private final Tasks tasks;

  public JsonExporter(Tasks tasks) {
    this.tasks = tasks;
  }

  /** Writes {@code caller.tenant()}'s tasks to {@code file}; returns how many. */
  public long export(Caller caller, Path file, Progress progress) {
    Path tmp = file.toAbsolutePath().resolveSibling(file.getFileName() + ".tmp-" + System.nanoTime());
    long n = 0;
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
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the export into " + file + ": " + e.getMessage(), e);
    }
    progress.done();
    return n;
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
