package dev.statekeeper.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Action;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.support.StoreKind;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The declarative suite (src/test/resources/access/validation.json), with and without the cache, on both stores. */
class AccessValidationTest {

  private static JsonNode suite() throws Exception {
    try (InputStream in = AccessValidationTest.class.getResourceAsStream("/access/validation.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void everyCheckOfTheSuite_isAnsweredAsWritten_withAndWithoutTheCache(StoreKind kind, @TempDir Path dir) throws Exception {
    JsonNode suite = suite();
    try (Statekeeper sk = Statekeeper.open(kind.config(dir))) {
      Access access = sk.access();
      Caller admin = new Caller("v-" + UUID.randomUUID(), "user:admin", Role.ADMIN);
      for (JsonNode g : suite.get("grants")) {
        access.grant(admin, new Grant(g.get(0).asText(), Relation.parse(g.get(1).asText()), g.get(2).asText()));
      }
      List<String> mismatches = new ArrayList<>();
      for (int round = 0; round < 2; round++) { // the second round answers from the cache
        for (JsonNode c : suite.get("checks")) {
          String subject = c.get("subject").asText();
          Action action = Action.parse(c.get("action").asText());
          String resource = c.get("resource").asText();
          boolean expected = c.get("allowed").asBoolean();
          Decision cached = access.check(admin, subject, action, resource);
          Decision uncached = access.checkUncached(admin.tenant(), subject, action, resource);
          if (cached.allowed() != expected || uncached.allowed() != expected || !cached.reason().equals(uncached.reason())) {
            mismatches.add(c + " -> cached " + cached + ", uncached " + uncached);
          }
        }
      }
      assertThat(mismatches).isEmpty();
      assertThat(access.status().l1Misses()).isLessThanOrEqualTo(suite.get("checks").size());
    }
  }

  @Test
  void aRevokedGrant_isRefusedAtOnceOnTheSameNode(@TempDir Path dir) {
    try (Statekeeper sk = Statekeeper.open(StoreKind.SQLITE.config(dir))) {
      Caller admin = Caller.admin("r-" + UUID.randomUUID());
      Grant g = new Grant("memory:notes", Relation.VIEWER, "user:z");
      sk.access().grant(admin, g);
      assertThat(sk.access().check(admin, "user:z", Action.READ, "memory:notes:x").allowed()).isTrue();
      sk.access().revoke(admin, g);
      assertThat(sk.access().check(admin, "user:z", Action.READ, "memory:notes:x").allowed()).isFalse();
      assertThatThrownBy(() -> sk.access().revoke(admin, g)).isInstanceOf(StatekeeperException.NotFound.class);
    }
  }

  @Test
  void badGrantsAndChecks_areRejected(@TempDir Path dir) {
    try (Statekeeper sk = Statekeeper.open(StoreKind.SQLITE.config(dir))) {
      Caller admin = Caller.admin("b-" + UUID.randomUUID());
      List<Grant> bad = List.of(
          new Grant("memory:", Relation.VIEWER, "user:a"),
          new Grant("memory:a:b:c:d:e:f:g:h:i", Relation.VIEWER, "user:a"),
          new Grant("memory:../etc", Relation.VIEWER, "user:a"),
          new Grant("files:x", Relation.VIEWER, "user:a"),
          new Grant("team:eng", Relation.VIEWER, "user:a"),
          new Grant("memory:x", Relation.MEMBER, "user:a"),
          new Grant("memory:x", Relation.VIEWER, "user a"),
          new Grant("memory:x", Relation.VIEWER, "team:eng"),
          new Grant("memory:x", Relation.VIEWER, "**"));
      for (Grant g : bad) {
        assertThatThrownBy(() -> sk.access().grant(admin, g)).as("%s", g).isInstanceOf(StatekeeperException.InvalidInput.class);
      }
      assertThat(sk.access().list(admin, null, null)).isEmpty();
      assertThatThrownBy(() -> sk.access().check(admin, "*", Action.READ, "memory:x")).isInstanceOf(StatekeeperException.InvalidInput.class);
      Caller agent = new Caller(admin.tenant(), "agent:w1", Role.AGENT);
      assertThatThrownBy(() -> sk.access().check(agent, "agent:w2", Action.READ, "memory:x")).isInstanceOf(StatekeeperException.Forbidden.class);
      assertThatThrownBy(() -> sk.access().grant(agent, new Grant("memory:x", Relation.VIEWER, "agent:w1")))
          .isInstanceOf(StatekeeperException.Forbidden.class);
    }
  }

  @Test
  void anOwner_mayShareWhatItOwns_andNothingElse(@TempDir Path dir) {
    try (Statekeeper sk = Statekeeper.open(StoreKind.SQLITE.config(dir))) {
      Caller admin = Caller.admin("s-" + UUID.randomUUID());
      sk.access().grant(admin, new Grant("memory:user:alice", Relation.OWNER, "user:alice"));
      Caller alice = new Caller(admin.tenant(), "user:alice", Role.AGENT);
      sk.access().grant(alice, new Grant("memory:user:alice:shared", Relation.VIEWER, "user:bob"));
      assertThat(sk.access().check(admin, "user:bob", Action.READ, "memory:user:alice:shared:x").allowed()).isTrue();
      assertThatThrownBy(() -> sk.access().grant(alice, new Grant("memory:user:bob", Relation.VIEWER, "user:alice")))
          .isInstanceOf(StatekeeperException.Forbidden.class);
      assertThat(sk.access().list(alice, null, null)).extracting(Grant::resource)
          .containsExactlyInAnyOrder("memory:user:alice", "memory:user:alice:shared");
    }
  }
}
