package dev.statekeeper.documents;

import dev.statekeeper.Action;
import dev.statekeeper.Authorizer;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.search.SearchTerms;
import dev.statekeeper.store.Ids;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Documents: text to search, split into overlapping chunks ({@link Chunker}) — the one front door
 * for the HTTP layer and for Java code embedding Statekeeper. Every method acts within {@code
 * caller.tenant()}.
 *
 * <p>Access is by {@code document:<id>}: an agent or reader key needs a grant on it (the creator
 * becomes its owner); a document the caller may not read answers as a missing one (404), one it
 * may read but not change 403; admin keys act on every document of their tenant. Searches see only
 * readable documents.
 *
 * <p>Search: {@code keyword} over the chunks (SQLite FTS5 / PostgreSQL {@code tsvector}); what a
 * request without a mode gets for now. {@code semantic} and {@code hybrid} answer 400 {@code
 * search_mode_unavailable} until chunks are embedded like memory entries are.
 */
public final class Documents {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-][A-Za-z0-9_.:/-]{0,255}");
  static final int MAX_TEXT = 1_000_000;
  static final int MAX_FIELD = 1_000;
  static final int DEFAULT_LIMIT = 10;
  static final int MAX_LIMIT = 100;

  private final DocumentRepository repository;
  private final Authorizer authz;

  private Documents(Store store, Authorizer authz) {
    this.repository = new DocumentRepository(store);
    this.authz = authz;
  }

  public static Documents open(Store store, Authorizer authz) {
    return new Documents(store, authz);
  }

  /** Creates a document (version 1); 409 {@code document_exists} when the id is taken. */
  public Document create(Caller caller, NewDocument doc) {
    requireWriter(caller);
    String id = doc.id() == null ? Ids.next() : id(doc.id());
    DocumentRepository.Content content = content(doc);
    Document made =
        repository
            .create(caller.tenant(), id, content, caller.subject())
            .orElseThrow(() -> new StatekeeperException.Conflict("document_exists", "a document with id " + id + " exists already"));
    authz.created(caller, "document:" + id);
    return made.withoutText();
  }

  /** The result of {@link #replace}: the document and whether it was created by this call. */
  public record Replaced(Document document, boolean created) {}

  /** Replaces the document's text and fields (a new version), or creates it when there is none. */
  public Replaced replace(Caller caller, String id, NewDocument doc) {
    id(id);
    requireWriter(caller);
    DocumentRepository.Content content = content(doc);
    boolean exists = repository.get(caller.tenant(), id).isPresent();
    if (exists) {
      authorize(caller, Action.WRITE, id);
    }
    DocumentRepository.Written w = repository.replace(caller.tenant(), id, content, caller.subject());
    if (w.created()) {
      authz.created(caller, "document:" + id);
    }
    return new Replaced(w.document().withoutText(), w.created());
  }

  public Document get(Caller caller, String id) {
    id(id);
    authorize(caller, Action.READ, id);
    return repository.get(caller.tenant(), id).orElseThrow(() -> notFound(id));
  }

  /** Deletes the document and its chunks; 404 when there is none. */
  public void delete(Caller caller, String id) {
    id(id);
    authorize(caller, Action.DELETE, id);
    if (!repository.delete(caller.tenant(), id)) {
      throw notFound(id);
    }
  }

  /** Chunks matching the query, best first, of the documents the caller may read. */
  public List<DocumentHit> search(Caller caller, DocumentSearch request) {
    String mode = request.mode() == null ? "keyword" : request.mode().toLowerCase(Locale.ROOT);
    switch (mode) {
      case "keyword" -> {}
      case "semantic", "hybrid" ->
          throw new InvalidInput(
              "search_mode_unavailable",
              "search mode '" + mode + "' is not available for documents yet; use \"mode\": \"keyword\"");
      default ->
          throw new InvalidInput(
              "invalid_search_mode", "mode must be one of keyword, semantic, hybrid; got '" + request.mode() + "'");
    }
    List<String> terms = SearchTerms.of(request.query());
    int limit = request.limit() == null ? DEFAULT_LIMIT : request.limit();
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidInput("invalid_limit", "limit must be between 1 and " + MAX_LIMIT + "; got " + limit);
    }
    String source = request.source() == null || request.source().isEmpty() ? null : field("source", request.source());
    Authorizer.Readable readable = authz.readable(caller, "document");
    List<String> ids = readable.all() ? null : new ArrayList<>(readable.names());
    if (terms.isEmpty()) {
      return List.of();
    }
    return repository.search(caller.tenant(), terms, ids, source, limit);
  }

  // ---------------------------------------------------------------- helpers

  private void authorize(Caller caller, Action action, String id) {
    String resource = "document:" + id;
    if (!authz.allowed(caller, Action.READ, resource)) {
      throw notFound(id);
    }
    if (action != Action.READ) {
      requireWriter(caller);
      authz.require(caller, action, resource);
    }
  }

  private static void requireWriter(Caller caller) {
    if (caller.role() == Role.READER) {
      throw new StatekeeperException.Forbidden(
          "read_only_key", "a reader key cannot change documents (subject " + caller.subject() + ")");
    }
  }

  static String id(String id) {
    if (id == null || !ID.matcher(id).matches() || id.contains("..")) {
      throw new InvalidInput(
          "invalid_document_id",
          "a document id is 1-256 of A-Z a-z 0-9 _ . : / - (not starting with : or /, no ..); got '" + id + "'");
    }
    return id;
  }

  private static String field(String name, String value) {
    if (value.length() > MAX_FIELD) {
      throw new InvalidInput("invalid_" + name, name + " may be at most " + MAX_FIELD + " characters; got " + value.length());
    }
    return value;
  }

  private static DocumentRepository.Content content(NewDocument doc) {
    if (doc.text() == null || doc.text().isBlank()) {
      throw new InvalidInput("invalid_text", "text is required and may not be blank");
    }
    if (doc.text().length() > MAX_TEXT) {
      throw new InvalidInput("invalid_text", "text may be at most " + MAX_TEXT + " characters; got " + doc.text().length());
    }
    if (doc.metadata() != null && !doc.metadata().isObject() && !doc.metadata().isNull()) {
      throw new InvalidInput("invalid_metadata", "metadata must be a JSON object");
    }
    String title = doc.title() == null ? null : field("title", doc.title());
    String source = doc.source() == null ? null : field("source", doc.source());
    String metadata =
        doc.metadata() == null || doc.metadata().isNull() ? "{}" : JsonColumns.write(doc.metadata());
    return new DocumentRepository.Content(title, doc.text(), source, metadata, Chunker.chunks(doc.text()));
  }

  private static StatekeeperException.NotFound notFound(String id) {
    return new StatekeeperException.NotFound("document_not_found", "no document " + id);
  }
}
