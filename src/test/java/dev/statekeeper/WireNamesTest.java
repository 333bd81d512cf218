package dev.statekeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.statekeeper.access.Relation;
import dev.statekeeper.memory.MemoryType;
import dev.statekeeper.tasks.Priority;
import dev.statekeeper.tasks.TaskStatus;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Enum values on the wire are matched exactly as they are answered: "HIGH\u0007" was taken for
 * HIGH (trim() drops control characters), and so were " owner" and "ADMIN".
 */
class WireNamesTest {

  private static void exactOnly(String right, Function<String, ?> parse, String code) {
    assertThat(parse.apply(right)).isNotNull();
    for (String wrong : List.of(right + "\u0007", " " + right, right + " ", right + "\n", "\u0000" + right,
        right.toUpperCase(java.util.Locale.ROOT).equals(right) ? right.toLowerCase(java.util.Locale.ROOT) : right.toUpperCase(java.util.Locale.ROOT))) {
      assertThatThrownBy(() -> parse.apply(wrong))
          .as("%s", wrong)
          .isInstanceOf(StatekeeperException.InvalidInput.class)
          .satisfies(e -> assertThat(((StatekeeperException) e).code()).isEqualTo(code));
    }
  }

  @Test
  void everyEnumOfTheContract_acceptsOnlyItsExactSpelling() {
    for (Priority p : Priority.values()) exactOnly(p.name(), Priority::parse, "invalid_priority");
    for (TaskStatus s : TaskStatus.values()) exactOnly(s.wireName(), TaskStatus::fromWire, "invalid_status");
    for (Role r : Role.values()) exactOnly(r.wireName(), Role::parse, "invalid_role");
    for (Action a : Action.values()) exactOnly(a.wireName(), Action::parse, "invalid_action");
    for (Relation r : Relation.values()) exactOnly(r.wireName(), Relation::parse, "invalid_relation");
    for (MemoryType t : MemoryType.values()) exactOnly(t.wireName(), MemoryType::parse, "invalid_memory_type");
  }
}
