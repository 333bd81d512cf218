package dev.statekeeper.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.Caller;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.ops.AlertCheck;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alert rule and health check the task queue contributes to operations. */
class TaskAlertsTest {

  @Test
  void theSlaRule_readsTheComplianceOfCriticalTasksSettledWithinTheHour(@TempDir Path dir) {
    TestClock clock = new TestClock();
    try (Statekeeper sk = Statekeeper.open(StoreKind.SQLITE.config(dir), clock.database())) {
      Tasks tasks = sk.tasks();
      Caller me = Caller.admin("sla");
      AlertCheck rule = tasks.alerts().get(0);
      assertThat(rule.rule().name()).isEqualTo("StatekeeperSlaComplianceLow");

      for (int i = 0; i < 7; i++) tasks.create(me, NewTask.of("page").withPriority(Priority.CRITICAL), null);
      for (Task t : tasks.claim(me, ClaimRequest.of("w").withLimit(2))) tasks.complete(me, t.id(), "w", t.attempt(), null);
      clock.advance(Duration.ofMinutes(6)); // past the 5-minute CRITICAL deadline
      for (Task t : tasks.claim(me, ClaimRequest.of("w").withLimit(5))) tasks.complete(me, t.id(), "w", t.attempt(), null);

      AlertCheck.Outcome o = rule.evaluate().get();
      assertThat(o.holds()).isTrue();
      assertThat(o.value()).isEqualTo("28.6%");
      assertThat(o.summary()).isEqualTo("only 28.6% of CRITICAL tasks settled in the last hour met their deadline");
      assertThat(tasks.healthChecks()).containsOnlyKeys("lease_reaper");
    }
  }
}
