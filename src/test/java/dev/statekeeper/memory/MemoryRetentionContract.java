package dev.statekeeper.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.support.EmbeddedSuite;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestDatabases;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory retention removes exactly what its rules say and never a current version, on each store.
 * Versions are aged by rewriting their {@code updated_at} in the database (no sleeping); the job
 * runs only when a test asks ({@code runRetentionNow}). The rules name prefixes no other suite
 * uses, and each test writes in a tenant of its own.
 */
abstract class MemoryRetentionContract extends EmbeddedSuite {

  static final String RULES =
      "ret-keep=keep-versions:3;ret-keep:inner=keep-versions:1;ret-age=max-age:30d;ret-age:lenient=keep-versions:100;ret-both=keep-versions:2,max-age:30d";

  Memory memory;
  Caller me;

  abstract StoreKind kind();

  @BeforeAll
  void openStatekeeper(@TempDir Path dir) {
    memory = open(kind().config(dir).toBuilder().set(dev.statekeeper.memory.MemorySettings.MEMORY_RETENTION, dev.statekeeper.memory.RetentionRule.parseAll(RULES)).set(dev.statekeeper.jobs.JobSettings.RETENTION_INTERVAL, Duration.ofHours(1)).build()).memory();
  }

  @BeforeEach
  void freshTenant() {
    me = new Caller("r-" + UUID.randomUUID(), "agent:tester", Role.ADMIN);
  }

  /** Writes {@code n} versions of ns/key (values 1..n). */
  void write(String ns, String key, int n) {
    for (int i = 1; i <= n; i++) {
      memory.put(me, ns, key, MemoryWrite.of(JSON.valueToTree(i)), Precondition.NONE);
    }
  }

  List<Long> versions(String ns, String key) {
    return memory.history(me, ns, key, 1000, null).items().stream().map(MemoryEntry::version).toList();
  }

  static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  /** Makes versions up to {@code upTo} of ns/key look written {@code age} ago. */
  void age(String ns, String key, long upTo, Duration age) {
    Instant then = Instant.now().minus(age);
    sk.store().write(
        "ageing versions for a test",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE memory_versions SET updated_at = ? WHERE tenant = ? AND namespace = ? AND key = ? AND version <= ?")) {
            SqlArgs.bind(ps, sk.store().dialect(), then, me.tenant(), ns, key, upTo);
            return ps.executeUpdate();
          }
        });
  }

  @Test
  void keepVersions_keepsTheNewestNAndRemovesTheRest_onlyUnderItsPrefixByWholeSegments() {
    memory.runRetentionNow(); // leftovers of other tests first, so the count below is this test's
    write("ret-keep", "many", 10);
    write("ret-keep", "few", 2);
    write("ret-keep:sub", "many", 5);
    write("ret-keepx", "many", 10); // not under "ret-keep"
    long before = memory.retentionStatus().versionsRemoved();

    memory.runRetentionNow();

    assertThat(versions("ret-keep", "many")).isEqualTo(range(8, 10));
    assertThat(versions("ret-keep", "few")).isEqualTo(range(1, 2));
    assertThat(versions("ret-keep:sub", "many")).isEqualTo(range(3, 5));
    assertThat(versions("ret-keepx", "many")).isEqualTo(range(1, 10));
    assertThat(memory.get(me, "ret-keep", "many").value().asInt()).isEqualTo(10);
    assertThat(memory.retentionStatus().versionsRemoved() - before).isEqualTo(7 + 2);
    assertThat(memory.retentionStatus().lastRun()).isNotNull();
    assertThat(memory.retentionStatus().failures()).isZero();
  }

  @Test
  void theLongestMatchingPrefixWins() {
    write("ret-keep:inner", "k", 5);
    write("ret-keep:inner:deeper", "k", 5);
    write("ret-keep:innerx", "k", 5); // a sibling: the parent's rule applies

    memory.runRetentionNow();

    assertThat(versions("ret-keep:inner", "k")).containsExactly(5L);
    assertThat(versions("ret-keep:inner:deeper", "k")).containsExactly(5L);
    assertThat(versions("ret-keep:innerx", "k")).isEqualTo(range(3, 5));
  }

  @Test
  void aMoreSpecificRule_thatKeepsMore_protectsItsSubtreeFromTheParentsRule() {
    write("ret-age:lenient", "k", 4);
    age("ret-age:lenient", "k", 4, Duration.ofDays(40));
    write("ret-age:lenient:deeper", "k", 4);
    age("ret-age:lenient:deeper", "k", 4, Duration.ofDays(40));
    write("ret-age:lenientx", "k", 4);
    age("ret-age:lenientx", "k", 4, Duration.ofDays(40));

    memory.runRetentionNow();

    assertThat(versions("ret-age:lenient", "k")).isEqualTo(range(1, 4));
    assertThat(versions("ret-age:lenient:deeper", "k")).isEqualTo(range(1, 4));
    assertThat(versions("ret-age:lenientx", "k")).containsExactly(4L);
  }

  @Test
  void maxAge_removesOlderVersions_butNeverTheCurrentOneHoweverOld() {
    write("ret-age", "k", 6);
    age("ret-age", "k", 4, Duration.ofDays(40));
    write("ret-age", "ancient", 3);
    age("ret-age", "ancient", 3, Duration.ofDays(400)); // the current version is old too
    write("ret-age", "fresh", 3);
    age("ret-age", "fresh", 3, Duration.ofDays(29)); // within the limit

    memory.runRetentionNow();

    assertThat(versions("ret-age", "k")).isEqualTo(range(5, 6));
    assertThat(versions("ret-age", "ancient")).containsExactly(3L);
    assertThat(memory.get(me, "ret-age", "ancient").value().asInt()).isEqualTo(3);
    assertThat(versions("ret-age", "fresh")).isEqualTo(range(1, 3));
  }

  @Test
  void bothLimits_removeAVersionOnlyWhenEachOfThemSaysSo() {
    write("ret-both", "k", 6);
    age("ret-both", "k", 5, Duration.ofDays(40)); // v6 young; v1-v5 old; last two are v5, v6
    write("ret-both", "young", 6); // beyond the last two, but none old

    memory.runRetentionNow();

    assertThat(versions("ret-both", "k")).isEqualTo(range(5, 6));
    assertThat(versions("ret-both", "young")).isEqualTo(range(1, 6));
  }

  @Test
  void aTombstone_isTheCurrentVersionAndStays_soTheEntryStaysDeleted() {
    write("ret-keep", "gone", 5);
    memory.delete(me, "ret-keep", "gone", Precondition.NONE);

    memory.runRetentionNow();

    assertThat(versions("ret-keep", "gone")).isEqualTo(range(4, 6));
    assertThat(memory.get(me, "ret-keep", "gone", 6).deleted()).isTrue();
    assertThat(memory.list(me, MemoryQuery.prefix("ret-keep")).items()).isEmpty();
    // writing again continues the version sequence
    assertThat(memory.put(me, "ret-keep", "gone", MemoryWrite.of(JSON.valueToTree(7)), Precondition.NONE).entry().version()).isEqualTo(7);
  }

  @Test
  void aRunOverManyBatches_removesEveryOldVersion() {
    memory.runRetentionNow(); // leftovers of other tests first, so the counts below are this test's
    int keys = 12;
    for (int k = 0; k < keys; k++) {
      write("ret-keep:bulk", "k" + k, 50); // "ret-keep" (3) applies: 47 to remove per key
    }
    long before = memory.retentionStatus().versionsRemoved();

    memory.runRetentionNow();

    assertThat(memory.retentionStatus().versionsRemoved() - before).isEqualTo(keys * 47L);
    for (int k = 0; k < keys; k++) {
      assertThat(versions("ret-keep:bulk", "k" + k)).isEqualTo(range(48, 50));
    }
    memory.runRetentionNow(); // nothing left to do
    assertThat(memory.retentionStatus().versionsRemoved() - before).isEqualTo(keys * 47L);
  }

  @Test
  void aRuleForEveryNamespace_appliesWhereNoOtherRuleDoes(@TempDir Path dir) {
    StatekeeperConfig config =
        kind().config(dir).toBuilder()
            .set(dev.statekeeper.memory.MemorySettings.MEMORY_RETENTION, dev.statekeeper.memory.RetentionRule.parseAll("*=keep-versions:2;keep=keep-versions:4"))
            .set(dev.statekeeper.jobs.JobSettings.RETENTION_INTERVAL, Duration.ofHours(1))
            .build();
    if (kind() == StoreKind.POSTGRES) {
      config = config.toBuilder().databaseUrl(TestDatabases.freshPostgresDatabase()).build(); // "*" would reach other suites' rows
    }
    try (Statekeeper other = Statekeeper.open(config)) {
      Memory m = other.memory();
      for (String ns : List.of("a", "b:c", "keep", "keep:x")) {
        for (int i = 1; i <= 6; i++) {
          m.put(me, ns, "k", MemoryWrite.of(JSON.valueToTree(i)), Precondition.NONE);
        }
      }

      m.runRetentionNow();

      for (String ns : List.of("a", "b:c")) {
        assertThat(m.history(me, ns, "k", null, null).items()).extracting(MemoryEntry::version).containsExactly(5L, 6L);
      }
      for (String ns : List.of("keep", "keep:x")) {
        assertThat(m.history(me, ns, "k", null, null).items()).extracting(MemoryEntry::version).containsExactly(3L, 4L, 5L, 6L);
      }
    }
  }
}
