package dev.statekeeper.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.access.Grant;
import dev.statekeeper.access.Relation;
import dev.statekeeper.support.EmbeddedSuite;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Semantic and hybrid search over memory, run once per store by the subclasses: relevance on a
 * labelled set built here (205 texts, 45 queries; 33 of them paraphrases sharing no word with
 * their answer), access and tenant isolation, freshness through the background worker, and old
 * vectors never answering for overwritten or deleted entries.
 */
abstract class SemanticSearchContract extends EmbeddedSuite {

  /** Searchable "within seconds": generous for a loaded CI machine, still far from "eventually". */
  static final Duration FRESH = Duration.ofSeconds(20);

  Memory memory;
  Caller corpusOwner;

  abstract StoreKind kind();

  @BeforeAll
  void openStatekeeper(@TempDir Path dir) {
    memory = open(kind().config(dir)).memory();
    corpusOwner = admin();
    int i = 0;
    for (String text : corpus()) {
      memory.put(corpusOwner, "kb", "t" + i++, MemoryWrite.of(IntNode.valueOf(i)).withText(text), Precondition.NONE);
    }
    awaitEmbedded();
  }

  static Caller admin() {
    return new Caller("s-" + UUID.randomUUID(), "user:owner", Role.ADMIN);
  }

  void awaitEmbedded() {
    await().atMost(Duration.ofMinutes(2)).until(() -> memory.embeddingStatus().backlog() == 0);
  }

  List<String> search(Caller c, String query, String mode, String prefix, int limit) {
    return memory.search(c, new SearchRequest(query, prefix, null, mode, limit)).stream()
        .map(h -> h.namespace() + "/" + h.key())
        .toList();
  }

  // ---------------------------------------------------------------- relevance

  /** A query and the text that answers it. */
  record Labelled(String query, String answer, boolean paraphrase) {}

  static final List<Labelled> LABELLED =
      List.of(
          p("which nut causes a severe reaction for her", "Alice is allergic to peanuts and carries an epinephrine pen."),
          p("how often do we change credentials for prod storage", "The production database password rotates every ninety days."),
          p("what vehicle does he commute in", "Bob drives a red pickup truck to work."),
          p("when does the workplace shut ahead of weekends in warm months", "Our office closes early on Fridays during summer."),
          p("her child began school this autumn", "Carol's daughter started kindergarten in September."),
          p("how does the client want us to reach out", "The customer prefers to be contacted by email rather than phone."),
          p("why did shipping our release break", "The deployment failed because the disk on the build server was full."),
          p("which musical instrument is he practising", "Dave is learning to play the cello on weekends."),
          p("who has to sign off bills ahead of settling them", "Invoices must be approved by finance before payment."),
          p("dietary restrictions: she avoids meat", "Eve is vegetarian and does not eat fish."),
          p("what time is the daily sync", "The team standup happens at 9:30 every morning."),
          p("where did he relocate", "Frank moved from Chicago to Denver last spring."),
          p("how many calls can a client make each sixty seconds", "The API rate limit is 100 requests per minute per key."),
          p("what kind of dishes does she love eating", "Grace's favourite cuisine is Thai food, especially green curry."),
          p("notebook computer loses charge fast during conferencing", "The laptop battery drains quickly when video calls run."),
          p("when does the pet get exercised after work", "Henry takes his dog for a walk at six in the evening."),
          p("how long can buyers send items back for their money", "The refund policy allows returns within thirty days of purchase."),
          p("which languages does she know", "Ivy speaks fluent Spanish and some Portuguese."),
          p("deadline for the three-month summary document", "The quarterly report is due on the last Friday of March."),
          p("he dislikes airplanes, rail is his choice", "Jack hates flying and prefers travelling by train."),
          p("tap dripping, repair appointment", "The kitchen faucet leaks and a plumber is booked for Tuesday."),
          p("when is her baby expected", "Karen is pregnant and due in December."),
          p("site outage caused by TLS cert lapsing", "The website went down after the certificate expired."),
          p("how does he keep credentials safe", "Leo stores his passwords in a password manager."),
          p("rival company cut costs for buyers", "Our biggest competitor lowered their prices by ten percent."),
          p("long distance race she does yearly in fall", "Mia runs a marathon every autumn."),
          p("copier upstairs needs ink cartridge", "The printer on the third floor is out of toner."),
          p("vision problem distinguishing colours", "Nick is colorblind and cannot tell red from green."),
          p("where do copies of data live in case of catastrophe", "Backups are stored in a separate region for disaster recovery."),
          p("when does she celebrate turning a year older", "Olivia's birthday is on the fourth of July."),
          p("onboarding equipment for incoming employee", "The new hire starts Monday and needs a laptop and badge."),
          p("fracture on slopes, now remote", "Paul broke his leg skiing and is working from home."),
          p("espresso maker downstairs not working", "The coffee machine in the lobby is broken again."),
          k("ZX-4471", "Ticket ZX-4471 tracks the login timeout bug in the mobile app."),
          k("Quentin locker", "Quentin's locker combination is 31-7-22."),
          k("kubernetes upgrade", "The Kubernetes cluster upgrade to version 1.31 is scheduled for next week."),
          k("Escher Bach book", "Rachel recommended the book Gödel, Escher, Bach."),
          k("guest network password", "The Wi-Fi guest network password is sunflower42."),
          k("Lisbon flight gate", "Sam's flight to Lisbon departs at 07:45 from gate B12."),
          k("Nightingale codename", "Project Nightingale is the codename for the new billing system."),
          k("dentist appointment", "Tina's dentist appointment moved to Thursday afternoon."),
          k("ceramic mug SKU", "The SKU for the blue ceramic mug is MUG-BL-0093."),
          k("parking spot garage", "Uma's parking spot is number 214 in garage C."),
          k("Neovim theme", "Victor uses Neovim with the Catppuccin theme."),
          k("Acme Logistics invoices", "The vendor Acme Logistics invoices us monthly in euros."));

  static Labelled p(String query, String answer) {
    return new Labelled(query, answer, true);
  }

  static Labelled k(String query, String answer) {
    return new Labelled(query, answer, false);
  }

  /** The answers, then 160 distractors made from templates (near-duplicates, as real notes are). */
  static List<String> corpus() {
    List<String> texts = new ArrayList<>();
    LABELLED.forEach(l -> texts.add(l.answer()));
    String[] teams = {"platform", "mobile", "data", "security", "design", "sales", "support", "marketing"};
    String[] topics = {
      "hiring plans", "the roadmap", "sprint velocity", "OKRs", "vendor contracts", "code review backlog",
      "the on-call rotation", "budget forecasts", "customer churn", "the style guide"
    };
    String[] days = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"};
    for (int t = 0; t < teams.length; t++) {
      for (int o = 0; o < topics.length; o++) {
        texts.add(
            "Meeting notes of the " + teams[t] + " team: discussed " + topics[o] + " and agreed to revisit it on "
                + days[(t + o) % days.length] + ".");
      }
    }
    String[] names = {"Wendy", "Xavier", "Yara", "Zoe", "Aaron", "Bianca", "Caleb", "Dana", "Elias", "Fiona"};
    String[] tasks = {
      "the invoice export", "the login page redesign", "the data migration", "the search feature",
      "the release notes", "the load tests", "the accessibility audit", "the analytics dashboard"
    };
    String[] states = {"on track", "blocked on review", "done", "delayed by a week"};
    for (int n = 0; n < names.length; n++) {
      for (int t = 0; t < tasks.length; t++) {
        texts.add("Status update from " + names[n] + ": " + tasks[t] + " is " + states[(n + t) % states.length] + ".");
      }
    }
    return texts;
  }

  static Set<String> words(String s) {
    Set<String> out = new HashSet<>(Arrays.asList(s.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")));
    out.removeAll(Set.of("", "the", "a", "of", "for", "in", "to", "is", "on", "and", "does", "do", "we", "he", "she", "her", "his", "our", "their", "them"));
    return out;
  }

  @Test
  void theLabelledSet_isAsLargeAsTheIssueAsks_andParaphrasesShareNoWordWithTheirAnswer() {
    assertThat(corpus()).hasSizeGreaterThanOrEqualTo(200).doesNotHaveDuplicates();
    assertThat(LABELLED).hasSizeGreaterThanOrEqualTo(40);
    for (Labelled l : LABELLED) {
      if (l.paraphrase()) {
        Set<String> shared = new HashSet<>(words(l.query()));
        shared.retainAll(words(l.answer()));
        assertThat(shared).as(l.query()).isEmpty();
      }
    }
  }

  @Test
  void relevance_semanticAndHybridBeatKeywordOnParaphrases_andHybridIsNoWorseThanTheBetterOverall() {
    List<String> texts = corpus();
    Map<String, double[]> recall = new LinkedHashMap<>(); // mode -> {paraphrase, keyword-style, all}
    for (String mode : List.of("keyword", "semantic", "hybrid")) {
      int para = 0, paraHits = 0, kw = 0, kwHits = 0;
      for (Labelled l : LABELLED) {
        String answer = "kb/t" + texts.indexOf(l.answer());
        boolean hit = search(corpusOwner, l.query(), mode, null, 10).contains(answer);
        if (l.paraphrase()) {
          para++;
          if (hit) paraHits++;
        } else {
          kw++;
          if (hit) kwHits++;
        }
      }
      recall.put(mode, new double[] {(double) paraHits / para, (double) kwHits / kw, (double) (paraHits + kwHits) / (para + kw)});
    }
    recall.forEach(
        (mode, r) ->
            System.out.printf(
                Locale.ROOT, "[%s] recall@10 %-8s paraphrase %.3f  keyword-style %.3f  all %.3f%n", kind(), mode, r[0],
                r[1], r[2]));

    double[] keyword = recall.get("keyword"), semantic = recall.get("semantic"), hybrid = recall.get("hybrid");
    assertThat(semantic[0]).as("semantic recall on paraphrases").isGreaterThan(keyword[0]);
    assertThat(hybrid[0]).as("hybrid recall on paraphrases").isGreaterThan(keyword[0]);
    assertThat(semantic[0]).as("semantic recall on paraphrases").isGreaterThanOrEqualTo(0.7);
    assertThat(hybrid[2]).as("hybrid recall overall").isGreaterThanOrEqualTo(Math.max(keyword[2], semantic[2]) - 0.05);
  }

  // ---------------------------------------------------------------- access

  @Test
  void semanticAndHybrid_neverReturnWhatTheCallerMayNotRead_norAnotherTenantsEntries() {
    Caller owner = admin();
    for (String ns : List.of("team:red", "team:red:notes", "team:redder", "team:blue")) {
      memory.put(owner, ns, "pets", MemoryWrite.of(IntNode.valueOf(1)).withText("The office cat of " + ns + " sleeps on the printer."), Precondition.NONE);
    }
    Caller other = admin(); // another tenant with the same namespaces and text
    memory.put(other, "team:red", "pets", MemoryWrite.of(IntNode.valueOf(1)).withText("The office cat of team:red sleeps on the printer."), Precondition.NONE);
    sk.access().grant(owner, new Grant("memory:team:red", Relation.VIEWER, "agent:red-bot"));
    Caller redBot = new Caller(owner.tenant(), "agent:red-bot", Role.AGENT);
    Caller stranger = new Caller(owner.tenant(), "agent:nobody", Role.AGENT);
    awaitEmbedded();

    for (String mode : List.of("semantic", "hybrid", "keyword")) {
      // keyword: the words; semantic and hybrid: the meaning
      String q = mode.equals("keyword") ? "cat printer" : "a feline napping";
      assertThat(search(owner, q, mode, null, 100))
          .as(mode)
          .contains("team:red/pets", "team:red:notes/pets", "team:redder/pets", "team:blue/pets");
      assertThat(search(redBot, q, mode, null, 100)).as(mode).containsExactlyInAnyOrder("team:red/pets", "team:red:notes/pets");
      assertThat(search(redBot, q, mode, "team", 100)).as(mode).containsExactlyInAnyOrder("team:red/pets", "team:red:notes/pets");
      assertThat(search(redBot, q, mode, "team:blue", 100)).as(mode).isEmpty();
      assertThat(search(stranger, q, mode, null, 100)).as(mode).isEmpty();
      assertThat(search(other, q, mode, null, 100)).as(mode).containsExactly("team:red/pets");
      assertThat(search(owner, q, mode, "team:red", 100))
          .as(mode + ", whole segments")
          .containsExactlyInAnyOrder("team:red/pets", "team:red:notes/pets");
    }
  }

  // ---------------------------------------------------------------- freshness and old versions

  @Test
  void aWrite_isFoundSemanticallyWithinSeconds_andByHybridAtOnce() {
    Caller c = admin();
    memory.put(c, "facts", "moon", MemoryWrite.of(IntNode.valueOf(1)).withText("Astronauts first walked on the Moon in 1969."), Precondition.NONE);
    // keyword side of hybrid: at once, whether or not the worker has run
    assertThat(search(c, "astronauts", "hybrid", null, 10)).containsExactly("facts/moon");
    await().atMost(FRESH).until(() -> search(c, "lunar landing history", "semantic", null, 10).contains("facts/moon"));
  }

  @Test
  void anOverwriteOrDelete_takesTheOldVectorOutOfResults() {
    Caller c = admin();
    memory.put(c, "facts", "k", MemoryWrite.of(IntNode.valueOf(1)).withText("Penguins live in the southern hemisphere."), Precondition.NONE);
    memory.put(c, "facts", "other", MemoryWrite.of(IntNode.valueOf(1)).withText("Volcanoes erupt molten rock."), Precondition.NONE);
    await().atMost(FRESH).until(() -> search(c, "flightless birds of Antarctica", "semantic", null, 1).equals(List.of("facts/k")));

    memory.put(c, "facts", "k", MemoryWrite.of(IntNode.valueOf(2)).withText("Jazz music originated in New Orleans."), Precondition.NONE);
    // at once: the entry is never returned for its old meaning, even before it is re-embedded
    for (String mode : List.of("semantic", "hybrid")) {
      assertThat(memory.search(c, new SearchRequest("flightless birds of Antarctica", null, null, mode, 10)))
          .as(mode)
          .allSatisfy(h -> assertThat(h.text()).doesNotContain("Penguins"));
    }
    await().atMost(FRESH).until(() -> search(c, "a genre of music from Louisiana", "semantic", null, 1).equals(List.of("facts/k")));
    assertThat(memory.search(c, new SearchRequest("a genre of music from Louisiana", null, null, "semantic", 1)).get(0).version()).isEqualTo(2);

    memory.delete(c, "facts", "k", Precondition.NONE);
    assertThat(search(c, "a genre of music from Louisiana", "semantic", null, 10)).containsExactly("facts/other");
    assertThat(search(c, "a genre of music from Louisiana", "hybrid", null, 10)).containsExactly("facts/other");
    await().atMost(FRESH).until(() -> memory.embeddingStatus().backlog() == 0);
    assertThat(search(c, "a genre of music from Louisiana", "semantic", null, 10)).containsExactly("facts/other");
  }

  @Test
  void typeFilter_appliesToSemanticSearch() {
    Caller c = admin();
    memory.put(c, "log", "a", MemoryWrite.of(IntNode.valueOf(1)).withText("We hiked up the mountain at dawn.").withType(MemoryType.EPISODIC), Precondition.NONE);
    memory.put(c, "log", "b", MemoryWrite.of(IntNode.valueOf(1)).withText("To climb a mountain, start early."), Precondition.NONE);
    awaitEmbedded();
    assertThat(memory.search(c, new SearchRequest("climbing a peak", null, "episodic", "semantic", 10)))
        .extracting(SearchHit::key)
        .containsExactly("a");
    assertThat(search(c, "climbing a peak", "semantic", null, 10)).containsExactlyInAnyOrder("log/a", "log/b");
  }

  @Test
  void embeddingStatus_reportsTheModelAndAnEmptyBacklogOnceCaughtUp() {
    awaitEmbedded();
    Memory.EmbeddingStatus s = memory.embeddingStatus();
    assertThat(s.model()).isEqualTo("all-minilm-l6-v2-q");
    assertThat(s.indexed()).isGreaterThanOrEqualTo(corpus().size());
    assertThat(s.lastSuccess()).isNotNull();
    assertThat(s.degraded()).isFalse();
    assertThat(sk.health().check().checks()).containsKey("embeddings");
    assertThat(sk.health().check().checks().get("embeddings").status()).isEqualTo(dev.statekeeper.ops.Health.Status.UP);
  }
}
