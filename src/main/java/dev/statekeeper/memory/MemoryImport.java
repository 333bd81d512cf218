package dev.statekeeper.memory;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Writing memory entries that come from outside (the JSON importer), inside a transaction the
 * caller runs, so that an import of tasks, sessions and memory is all or nothing. An entry whose
 * current version already holds the same value, type, text and metadata is left as it is, which
 * makes an import safe to run again; a different one becomes the entry's next version, as a
 * write through the API would (nothing is overwritten).
 */
public final class MemoryImport {

  private final MemoryRepository repository;
  private final long maxValueBytes;

  public MemoryImport(Store store, StatekeeperConfig config) {
    this.repository = new MemoryRepository(store);
    this.maxValueBytes = config.memory().maxMemoryValueBytes();
  }

  /** An entry as an import found it. */
  public record ImportedEntry(String namespace, String key, MemoryWrite write) {}

  /** An entry checked as the API checks one, ready to write. */
  public record Prepared(String namespace, String key, MemoryRepository.Content content) {}

  /** The API's checks and limits; throws {@link dev.statekeeper.StatekeeperException} with the reason. */
  public Prepared prepare(ImportedEntry e) {
    Namespaces.namespace(e.namespace());
    Namespaces.key(e.key());
    return new Prepared(e.namespace(), e.key(), MemoryInput.content(e.write(), maxValueBytes));
  }

  /** Writes the entries that are not there as they are; returns how many were written. */
  public int write(Connection c, String tenant, List<Prepared> entries, String actor) throws SQLException {
    int written = 0;
    for (Prepared p : entries) {
      Optional<MemoryEntry> cur = repository.currentIn(c, tenant, p.namespace(), p.key());
      if (cur.isPresent() && !cur.get().deleted() && same(cur.get(), p.content())) {
        continue;
      }
      repository.put(c, tenant, p.namespace(), p.key(), p.content(), Precondition.NONE, actor);
      written++;
    }
    return written;
  }

  /** Compared as JSON trees: PostgreSQL's jsonb does not keep the order of an object's fields. */
  private static boolean same(MemoryEntry e, MemoryRepository.Content c) {
    return e.type() == c.type()
        && Objects.equals(e.text(), c.text())
        && Objects.equals(e.value(), tree(c.valueJson()))
        && Objects.equals(e.metadata(), tree(c.metadataJson()));
  }

  private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
    return json == null ? null : dev.statekeeper.store.JsonColumns.read(json);
  }
}
