package dev.statekeeper.documents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.access.Grant;
import dev.statekeeper.access.Relation;
import dev.statekeeper.support.EmbeddedSuite;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Documents through the embedded API, run once per store by the subclasses. */
abstract class DocumentStoreContract extends EmbeddedSuite {

  Documents docs;
  Caller me;

  abstract StoreKind kind();

  @BeforeAll
  void openStatekeeper(@TempDir Path dir) {
    docs = open(kind().config(dir)).documents();
  }

  @BeforeEach
  void freshTenant() {
    me = new Caller("d-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
  }

  static String words(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
  }

  @Test
  void chunker_splitsIntoOverlappingChunksOfWholeWords_coveringEveryWord() {
    assertThat(Chunker.chunks("  one  two\nthree ")).containsExactly("one  two\nthree");
    assertThat(Chunker.chunks("   ")).isEmpty();
    List<String> chunks = Chunker.chunks(words(0, 500));
    assertThat(chunks).hasSize(4); // windows of 190 words every 150: 0, 150, 300, 450
    assertThat(chunks.get(0)).startsWith("w0 ").endsWith(" w189");
    assertThat(chunks.get(1)).startsWith("w150 ").endsWith(" w339");
    assertThat(chunks.get(3)).startsWith("w450 ").endsWith(" w499");
    assertThat(chunks).allSatisfy(c -> assertThat(c.split(" ")).hasSizeLessThanOrEqualTo(Chunker.WORDS));
    assertThat(Chunker.chunks(words(0, 190))).hasSize(1);
    assertThat(Chunker.chunks(words(0, 191))).hasSize(2);
  }

  @Test
  void documentsUnstorableAnywhere_areRefusedOnEveryStore_andNothingIsWritten() throws Exception {
    ObjectMapper json = new ObjectMapper();
    var deep = json.createObjectNode();
    var at = deep;
    for (int i = 0; i < 998; i++) at = at.putObject("d");
    var infinite = json.createObjectNode().put("n", Double.POSITIVE_INFINITY);
    var nulKey = json.createObjectNode().put("k\u0000", 1);

    assertProblem(() -> docs.create(me, new NewDocument("a", null, "nul\u0000text", null, null)), StatekeeperException.InvalidInput.class, "invalid_text");
    assertProblem(() -> docs.create(me, new NewDocument("a", null, "lone \ud800 surrogate", null, null)), StatekeeperException.InvalidInput.class, "invalid_text");
    assertProblem(() -> docs.create(me, new NewDocument("a", "t\u0000", "text", null, null)), StatekeeperException.InvalidInput.class, "invalid_title");
    assertProblem(() -> docs.create(me, new NewDocument("a", null, "text", "s\udc00", null)), StatekeeperException.InvalidInput.class, "invalid_source");
    assertProblem(() -> docs.create(me, new NewDocument("a", null, "text", null, deep)), StatekeeperException.InvalidInput.class, "invalid_metadata");
    assertProblem(() -> docs.create(me, new NewDocument("a", null, "text", null, infinite)), StatekeeperException.InvalidInput.class, "invalid_metadata");
    assertProblem(() -> docs.create(me, new NewDocument("a", null, "text", null, nulKey)), StatekeeperException.InvalidInput.class, "invalid_metadata");
    assertProblem(() -> docs.replace(me, "a", new NewDocument(null, null, "x\u0000", null, null)), StatekeeperException.InvalidInput.class, "invalid_text");

    assertProblem(() -> docs.get(me, "a"), StatekeeperException.NotFound.class, "document_not_found");
    String emoji = "tea \uD83C\uDF75 time"; // a pair is fine
    assertThat(docs.create(me, new NewDocument("a", emoji, emoji, null, null)).title()).isEqualTo(emoji);
  }

  @Test
  void create_get_replace_delete() throws Exception {
    var metadata = new ObjectMapper().readTree("{\"lang\":\"en\"}");
    Document made = docs.create(me, new NewDocument("guides/tea.md", "Tea", "Brew green tea at 80 degrees.", "file:guides/tea.md", metadata));
    assertThat(made.id()).isEqualTo("guides/tea.md");
    assertThat(made.version()).isEqualTo(1);
    assertThat(made.chunks()).isEqualTo(1);
    assertThat(made.text()).isNull();

    Document read = docs.get(me, "guides/tea.md");
    assertThat(read.text()).isEqualTo("Brew green tea at 80 degrees.");
    assertThat(read.title()).isEqualTo("Tea");
    assertThat(read.metadata()).isEqualTo(metadata);
    assertProblem(() -> docs.create(me, NewDocument.of("again").withId("guides/tea.md")), StatekeeperException.Conflict.class, "document_exists");

    Documents.Replaced r = docs.replace(me, "guides/tea.md", NewDocument.of(words(0, 400)));
    assertThat(r.created()).isFalse();
    assertThat(r.document().version()).isEqualTo(2);
    assertThat(r.document().chunks()).isEqualTo(3);
    assertThat(docs.search(me, DocumentSearch.keyword("green"))).isEmpty(); // the old chunks are gone
    assertThat(docs.search(me, DocumentSearch.keyword("w399"))).extracting(DocumentHit::chunk).containsExactly(2);
    assertThat(docs.search(me, DocumentSearch.keyword("w160"))).extracting(DocumentHit::chunk).containsExactly(0, 1); // in the overlap

    assertThat(docs.replace(me, "new-one", NewDocument.of("fresh")).created()).isTrue();
    assertThat(docs.create(me, NewDocument.of("no id given")).id()).isNotBlank();

    docs.delete(me, "guides/tea.md");
    assertProblem(() -> docs.get(me, "guides/tea.md"), StatekeeperException.NotFound.class, "document_not_found");
    assertProblem(() -> docs.delete(me, "guides/tea.md"), StatekeeperException.NotFound.class, "document_not_found");
    assertThat(docs.search(me, DocumentSearch.keyword("w399"))).isEmpty();
  }

  @Test
  void search_ranksChunks_filtersBySource_andNeverCrossesTenants() {
    docs.create(me, new NewDocument("a", "A", "The kettle boils water for green tea.", "wiki", null));
    docs.create(me, new NewDocument("b", "B", "Green tea and black tea are both tea.", "drive", null));
    docs.create(me, new NewDocument("c", "C", "Coffee needs hotter water.", "wiki", null));
    Caller other = new Caller("d-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
    docs.create(other, new NewDocument("a", "A", "green tea elsewhere", "wiki", null));

    List<DocumentHit> hits = docs.search(me, new DocumentSearch("green tea", "keyword", null, null));
    assertThat(hits).extracting(DocumentHit::documentId).containsExactly("b", "a");
    assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
    assertThat(hits.get(0).text()).isEqualTo("Green tea and black tea are both tea.");
    assertThat(hits.get(0).source()).isEqualTo("drive");
    assertThat(docs.search(me, new DocumentSearch("water", "keyword", null, "wiki"))).extracting(DocumentHit::documentId).containsExactlyInAnyOrder("a", "c");
    assertThat(docs.search(me, new DocumentSearch("water", "keyword", 1, null))).hasSize(1);
    assertThat(docs.search(other, DocumentSearch.keyword("kettle"))).isEmpty();
  }

  @Test
  void access_creatorOwns_othersNeedAGrant_searchSeesOnlyReadableDocuments() {
    Caller alice = new Caller(me.tenant(), "agent:alice", Role.AGENT);
    Caller bob = new Caller(me.tenant(), "agent:bob", Role.AGENT);
    Caller reader = new Caller(me.tenant(), "user:reader", Role.READER);
    docs.create(alice, new NewDocument("alice-notes", null, "orchids need indirect light", null, null));
    docs.create(me, new NewDocument("admin-notes", null, "orchids on the admin desk", null, null));

    assertThat(docs.get(alice, "alice-notes").text()).contains("orchids");
    assertProblem(() -> docs.get(bob, "alice-notes"), StatekeeperException.NotFound.class, "document_not_found");
    assertProblem(() -> docs.delete(bob, "alice-notes"), StatekeeperException.NotFound.class, "document_not_found");
    assertThat(docs.search(bob, DocumentSearch.keyword("orchids"))).isEmpty();
    assertThat(docs.search(alice, DocumentSearch.keyword("orchids"))).extracting(DocumentHit::documentId).containsExactly("alice-notes");
    assertThat(docs.search(me, DocumentSearch.keyword("orchids"))).hasSize(2);

    sk.access().grant(alice, new Grant("document:alice-notes", Relation.VIEWER, "agent:bob"));
    assertThat(docs.get(bob, "alice-notes").text()).contains("orchids");
    assertThat(docs.search(bob, DocumentSearch.keyword("orchids"))).extracting(DocumentHit::documentId).containsExactly("alice-notes");
    assertProblem(() -> docs.replace(bob, "alice-notes", NewDocument.of("mine now")), StatekeeperException.Forbidden.class, "access_denied");
    assertProblem(() -> docs.create(reader, NewDocument.of("x")), StatekeeperException.Forbidden.class, "read_only_key");
    assertThat(docs.get(alice, "alice-notes").version()).isEqualTo(1);
  }

  @Test
  void semanticAndHybrid_findParaphrases_respectSourceAndAccess_andNeverAnswerWithOldChunks() {
    Caller alice = new Caller(me.tenant(), "agent:alice", Role.AGENT);
    docs.create(me, new NewDocument("pets", "Pets", "Cats sleep most of the day. " + words(0, 300) + " Dogs need walks twice a day.", "wiki", null));
    docs.create(me, new NewDocument("cars", "Cars", "Change the engine oil every ten thousand kilometres.", "drive", null));
    docs.create(alice, new NewDocument("alice-garden", null, "Tomatoes need full sun and regular watering.", "wiki", null));
    Caller other = new Caller("d-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
    docs.create(other, new NewDocument("pets", null, "Cats sleep most of the day.", "wiki", null));
    docs.embedPendingNow();
    assertThat(docs.indexedChunks(me.tenant())).isEqualTo(4); // pets: 2 chunks, cars, alice-garden

    List<DocumentHit> hits = docs.search(me, new DocumentSearch("which animal naps a lot", "semantic", 3, null));
    assertThat(hits.get(0).documentId()).isEqualTo("pets");
    assertThat(hits.get(0).chunk()).isZero();
    assertThat(hits.get(0).text()).startsWith("Cats sleep");
    assertThat(hits.get(0).title()).isEqualTo("Pets");
    assertThat(docs.search(me, new DocumentSearch("walks", "hybrid", 1, null)).get(0).chunk()).isEqualTo(1); // the last chunk
    assertThat(docs.search(me, new DocumentSearch("vehicle maintenance", "hybrid", 1, null))).extracting(DocumentHit::documentId).containsExactly("cars");
    assertThat(docs.search(me, new DocumentSearch("vehicle maintenance", "semantic", 10, "wiki")))
        .extracting(DocumentHit::documentId).doesNotContain("cars");
    for (String mode : List.of("semantic", "hybrid")) {
      assertThat(docs.search(alice, new DocumentSearch("growing vegetables", mode, 10, null)))
          .as(mode).extracting(DocumentHit::documentId).containsOnly("alice-garden");
      assertThat(docs.search(other, new DocumentSearch("growing vegetables", mode, 10, null)))
          .as(mode).extracting(DocumentHit::documentId).containsOnly("pets");
    }

    docs.replace(me, "cars", NewDocument.of("Bicycles are cheap to repair."));
    assertThat(docs.search(me, new DocumentSearch("vehicle maintenance", "semantic", 10, null)))
        .allSatisfy(h -> assertThat(h.text()).doesNotContain("engine oil")); // at once, before re-embedding
    docs.delete(me, "pets");
    assertThat(docs.search(me, new DocumentSearch("which animal naps a lot", "semantic", 10, null)))
        .extracting(DocumentHit::documentId).doesNotContain("pets");
    docs.embedPendingNow();
    assertThat(docs.search(me, new DocumentSearch("fixing a bike", "semantic", 1, null)).get(0).text()).isEqualTo("Bicycles are cheap to repair.");
    // the deleted document's chunks left the index; the replaced one has its one new chunk
    assertThat(docs.indexedChunks(me.tenant())).isEqualTo(2);
    docs.replace(me, "alice-garden", NewDocument.of("Grow beans. " + words(0, 300)));
    docs.embedPendingNow();
    assertThat(docs.indexedChunks(me.tenant())).isEqualTo(3);
    docs.replace(me, "alice-garden", NewDocument.of("Grow peas."));
    docs.embedPendingNow();
    assertThat(docs.indexedChunks(me.tenant())).isEqualTo(2); // its second chunk is gone
    assertThat(docs.embeddingBacklog()).isZero();
  }

  @Test
  void badInput_isRefused() {
    assertProblem(() -> docs.create(me, NewDocument.of(" ")), StatekeeperException.InvalidInput.class, "invalid_text");
    assertProblem(() -> docs.create(me, NewDocument.of("x").withId("../etc")), StatekeeperException.InvalidInput.class, "invalid_document_id");
    assertProblem(() -> docs.create(me, NewDocument.of("x").withId("a b")), StatekeeperException.InvalidInput.class, "invalid_document_id");
    assertProblem(() -> docs.create(me, NewDocument.of("x").withTitle("t".repeat(1001))), StatekeeperException.InvalidInput.class, "invalid_title");
    assertProblem(() -> docs.search(me, new DocumentSearch("x", "fuzzy", null, null)), StatekeeperException.InvalidInput.class, "invalid_search_mode");
    assertProblem(() -> docs.search(me, new DocumentSearch(" ", null, null, null)), StatekeeperException.InvalidInput.class, "invalid_query");
    assertProblem(() -> docs.search(me, new DocumentSearch("x", null, 101, null)), StatekeeperException.InvalidInput.class, "invalid_limit");
    assertThat(docs.search(me, DocumentSearch.keyword("\"( OR *"))).isEmpty();
  }
}
