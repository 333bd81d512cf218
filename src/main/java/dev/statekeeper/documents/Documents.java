package dev.statekeeper.documents;

import dev.statekeeper.Capability;
import dev.statekeeper.http.Routes;
import dev.statekeeper.ops.Health;
import dev.statekeeper.ops.HealthCheck;
import dev.statekeeper.Action;
import dev.statekeeper.Authorizer;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.search.Embedder;
import dev.statekeeper.search.RankFusion;
import dev.statekeeper.search.SearchTerms;
import dev.statekeeper.search.StopWords;
import dev.statekeeper.store.Ids;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.StorableJson;
import dev.statekeeper.store.Store;
import dev.statekeeper.jobs.Job;
import dev.statekeeper.jobs.JobRunner;
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
 * <p>Search has memory's three modes over the chunks; chunks are embedded in the background from
 * an outbox written with every change (see {@link #search}).
 */
public final class Documents implements Capability, AutoCloseable {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-][A-Za-z0-9_.:/-]{0,255}");
  static final int MAX_TEXT = 1_000_000;
  static final int MAX_FIELD = 1_000;
  static final int DEFAULT_LIMIT = 10;
  static final int MAX_LIMIT = 100;

  private final DocumentRepository repository;
  private final Authorizer authz;
  private final Embedder embedder;
  private final DocumentVectors vectors;
  private final DocumentEmbeddings embeddings;

  private final JobRunner ownRunner; // null when the caller's runner runs the jobs

  private Documents(Store store, Authorizer authz, Embedder embedder, JobRunner ownRunner) {
    this.ownRunner = ownRunner;
    this.repository = new DocumentRepository(store);
    this.authz = authz;
    this.embedder = embedder;
    this.vectors = new DocumentVectors(store);
    this.embeddings = new DocumentEmbeddings(vectors, embedder);
  }

  /**
   * Opens documents on {@code store}, enforcing {@code authz}, and starts the background worker
   * that embeds chunks with {@code embedder} (first queueing documents that lack vectors).
   */
  public static Documents start(Store store, Authorizer authz, Embedder embedder) {
    JobRunner runner = JobRunner.standalone();
    return start(new Documents(store, authz, embedder, runner), runner);
  }

  /** Opens documents as {@link #start(Store, Authorizer, Embedder)} does; its {@link #jobs} are the caller's to run. */
  public static Documents open(Store store, Authorizer authz, Embedder embedder) {
    Documents documents = new Documents(store, authz, embedder, null);
    documents.embeddings.reconcile();
    return documents;
  }

  private static Documents start(Documents documents, JobRunner runner) {
    documents.embeddings.reconcile();
    runner.startAll(documents.jobs());
    return documents;
  }

  @Override
  public void routes(Routes routes) {
    new DocumentRoutes(this, routes.maxBodyBytes()).register(routes);
  }

  /**
   * {@code document_embeddings}: DEGRADED when the document embedding worker failed several times
   * in a row (semantic search then misses recent documents; keyword search and writes work).
   */
  @Override
  public java.util.Map<String, HealthCheck> healthChecks() {
    return java.util.Map.of("document_embeddings", () -> {
      java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
      d.put("backlog", embeddingBacklog());
      int failures = embeddingFailuresInARow();
      d.put("failures_in_a_row", failures);
      if (failures >= dev.statekeeper.search.EmbeddingLoop.DEGRADED_AFTER) {
        d.put("reason", "the document embedding worker failed " + failures + " times in a row");
        return Health.degraded(d);
      }
      return Health.up(d);
    });
  }

  /** The background job of documents: the embedding worker, which also keeps the in-memory index current. */
  @Override
  public java.util.List<Job> jobs() {
    return java.util.List.of(embeddings.job());
  }

  /** Creates a document (version 1); 409 {@code document_exists} when the id is taken. */
  public Document create(Caller caller, NewDocument doc) {
    requireWriter(caller);
    String id = doc.id() == null ? Ids.next() : id(doc.id());
    DocumentRepository.Content content = content(doc);
    DocumentRepository.Written made =
        repository
            .create(caller.tenant(), id, content, caller.subject(), guard(caller, Action.WRITE, id))
            .orElseThrow(() -> new StatekeeperException.Conflict("document_exists", "a document with id " + id + " exists already"));
    made.grants().announce();
    embeddings.wake();
    return made.document().withoutText();
  }

  /** The result of {@link #replace}: the document and whether it was created by this call. */
  public record Replaced(Document document, boolean created) {}

  /**
   * Replaces the document's text and fields (a new version), or creates it when there is none.
   * Whether the caller may replace it is decided inside the writing transaction, on the document
   * as it is then.
   */
  public Replaced replace(Caller caller, String id, NewDocument doc) {
    id(id);
    requireWriter(caller);
    DocumentRepository.Content content = content(doc);
    if (caller.role() == Role.AGENT && repository.get(caller.tenant(), id).isPresent()) {
      // early answer, which also warms the decision the transaction asks again (so it rarely
      // needs a second connection while holding one)
      authorize(caller, Action.WRITE, id);
    }
    DocumentRepository.Written w = repository.replace(caller.tenant(), id, content, caller.subject(), guard(caller, Action.WRITE, id));
    w.grants().announce();
    embeddings.wake();
    return new Replaced(w.document().withoutText(), w.created());
  }

  public Document get(Caller caller, String id) {
    id(id);
    authorize(caller, Action.READ, id);
    return repository.get(caller.tenant(), id).orElseThrow(() -> notFound(id));
  }

  /**
   * Deletes the document, its chunks and every grant on it (a later document with the same id
   * starts with none); 404 when there is none.
   */
  public void delete(Caller caller, String id) {
    id(id);
    authorize(caller, Action.DELETE, id); // early answer; decided again on the locked row
    repository.delete(caller.tenant(), id, guard(caller, Action.DELETE, id)).orElseThrow(() -> notFound(id)).announce();
    embeddings.wake();
  }

  /** The checks and grant changes a write of {@code document:<id>} runs inside its transaction. */
  private DocumentRepository.Guard guard(Caller caller, Action action, String id) {
    String resource = "document:" + id;
    return new DocumentRepository.Guard() {
      @Override
      public void mayChange() {
        authorize(caller, action, id);
      }

      @Override
      public Authorizer.GrantChange created(java.sql.Connection c) throws java.sql.SQLException {
        return authz.grantCreator(c, caller, resource);
      }

      @Override
      public Authorizer.GrantChange deleted(java.sql.Connection c) throws java.sql.SQLException {
        return authz.removeGrants(c, caller.tenant(), resource, /* subtree= */ false);
      }
    };
  }

  /**
   * Chunks matching the query, best first, of the documents the caller may read: {@code keyword}
   * (words; sees a write at once), {@code semantic} (cosine similarity of embeddings; sees a
   * write once its chunks are embedded, and never answers with an older version's chunks) or
   * {@code hybrid} (the default: both fused by reciprocal rank, k = 60).
   */
  public List<DocumentHit> search(Caller caller, DocumentSearch request) {
    String mode = request.mode() == null ? "hybrid" : request.mode(); // spelt exactly, as every enum
    if (!List.of("keyword", "semantic", "hybrid").contains(mode)) {
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
    if (terms.isEmpty() || (ids != null && ids.isEmpty())) {
      return List.of();
    }
    String tenant = caller.tenant();
    return switch (mode) {
      case "keyword" -> repository.search(tenant, terms, ids, source, limit);
      case "semantic" -> semantic(tenant, embedder.embedQuery(request.query()), ids, source, limit);
      default -> {
        int depth = Math.min(MAX_LIMIT, Math.max(50, limit * 2));
        List<String> content = StopWords.without(terms);
        List<DocumentHit> keyword = content.isEmpty() ? List.of() : repository.search(tenant, content, ids, source, depth);
        List<DocumentHit> semantic;
        try {
          semantic = semantic(tenant, embedder.embedQuery(request.query()), ids, source, depth);
        } catch (RuntimeException e) {
          semantic = List.of(); // hybrid answers from the keyword side alone
        }
        List<DocumentHit> out = new ArrayList<>();
        for (var f : RankFusion.fuse(List.of(keyword, semantic), h -> h.documentId() + '\u0000' + h.chunk())) {
          if (out.size() == limit) break;
          DocumentHit h = f.item();
          out.add(new DocumentHit(h.documentId(), h.chunk(), h.text(), f.score(), h.title(), h.source()));
        }
        yield out;
      }
    };
  }

  private List<DocumentHit> semantic(String tenant, float[] query, List<String> ids, String source, int limit) {
    List<DocumentEmbeddings.Candidate> candidates =
        embeddings.search(tenant, query, ids == null ? null : java.util.Set.copyOf(ids), source, limit + 10);
    List<String> docIds = new ArrayList<>();
    List<Integer> chunks = new ArrayList<>();
    for (var c : candidates) {
      docIds.add(c.documentId());
      chunks.add(c.chunk());
    }
    java.util.Map<String, DocumentVectors.Chunk> now = new java.util.HashMap<>();
    for (DocumentVectors.Chunk k : vectors.chunks(tenant, docIds, chunks)) {
      now.put(k.documentId() + '\u0000' + k.chunk(), k);
    }
    List<DocumentHit> out = new ArrayList<>();
    for (var c : candidates) {
      DocumentVectors.Chunk k = now.get(c.documentId() + '\u0000' + c.chunk());
      if (k != null && k.version() == c.version() && out.size() < limit) {
        out.add(new DocumentHit(k.documentId(), k.chunk(), k.text(), c.score(), k.title(), k.source()));
      }
    }
    return out;
  }

  /** Ids and texts of the caller's tenant's documents whose source starts with {@code prefix}; for folder sync. */
  java.util.Map<String, String> textsBySourcePrefix(Caller caller, String prefix) {
    return repository.textsBySourcePrefix(caller.tenant(), prefix);
  }

  /** Embeds and indexes everything due now, on the calling thread; for tests and tools. */
  public void embedPendingNow() {
    embeddings.drain(vectors::backlog);
    embeddings.refresh();
  }

  /** Chunk vectors this node's index holds for {@code tenant}; for tests. */
  int indexedChunks(String tenant) {
    return embeddings.indexedChunks(tenant);
  }

  /** Documents (created, replaced or deleted) whose chunks are not embedded yet. */
  public long embeddingBacklog() {
    return vectors.backlog();
  }

  /** Embedding attempts that failed since the last success. */
  public int embeddingFailuresInARow() {
    return embeddings.failuresInARow();
  }

  @Override
  public void close() {
    if (ownRunner != null) ownRunner.close();
  }

  // ---------------------------------------------------------------- helpers

  /** Who may read or change a document: {@link Authorizer#requireOn} on {@code document:<id>}. */
  private void authorize(Caller caller, Action action, String id) {
    authz.requireOn(caller, action, "document:" + id, () -> notFound(id), "documents");
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
    return StorableJson.text(name, "invalid_" + name, value);
  }

  private static DocumentRepository.Content content(NewDocument doc) {
    if (doc.text() == null || doc.text().isBlank()) {
      throw new InvalidInput("invalid_text", "text is required and may not be blank");
    }
    if (doc.text().length() > MAX_TEXT) {
      throw new InvalidInput("invalid_text", "text may be at most " + MAX_TEXT + " characters; got " + doc.text().length());
    }
    StorableJson.text("text", "invalid_text", doc.text());
    if (doc.metadata() != null && !doc.metadata().isObject() && !doc.metadata().isNull()) {
      throw new InvalidInput("invalid_metadata", "metadata must be a JSON object");
    }
    StorableJson.check("metadata", "invalid_metadata", doc.metadata());
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
