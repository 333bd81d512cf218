package dev.statekeeper.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JobRunnerTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @Test
  void aFailingPass_isCountedInTheMeter_andTheJobGoesOn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch third = new CountDownLatch(3);
    Job job = Job.every("flaky", Duration.ofHours(1), () -> {
      third.countDown();
      if (calls.incrementAndGet() % 2 == 1) throw new IllegalStateException("odd pass");
      return false;
    });
    try (JobRunner runner = new JobRunner(meters, InstantSource.system(), Duration.ofSeconds(5))) {
      runner.start(job); // pass 1 at once: fails
      job.wake(); // pass 2
      awaitPasses(job, 2);
      job.wake(); // pass 3: fails
      assertThat(third.await(10, TimeUnit.SECONDS)).isTrue();
      awaitPasses(job, 3);
    }
    assertThat(job.failures()).isEqualTo(2);
    assertThat(job.lastError()).contains("odd pass");
    assertThat(meters.get("statekeeper.background.failures").tag("loop", "flaky").functionCounter().count()).isEqualTo(2);
  }

  @Test
  void aPassSayingThereIsMore_runsAgainAtOnce_withoutWaitingTheInterval() throws Exception {
    AtomicInteger left = new AtomicInteger(5);
    CountDownLatch done = new CountDownLatch(1);
    Job job = Job.every("batches", Duration.ofHours(1), () -> {
      if (left.decrementAndGet() == 0) done.countDown();
      return left.get() > 0;
    });
    try (JobRunner runner = new JobRunner(meters, InstantSource.system(), Duration.ofSeconds(5))) {
      runner.start(job);
      assertThat(done.await(10, TimeUnit.SECONDS)).as("five passes in a row, with an interval of an hour").isTrue();
    }
  }

  @Test
  void runNow_neverOverlapsThePassInFlight() throws Exception {
    CountDownLatch inPass = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    AtomicBoolean first = new AtomicBoolean(true);
    Job job = Job.every("exclusive", Duration.ofHours(1), () -> {
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        if (first.getAndSet(false)) {
          inPass.countDown();
          release.await(10, TimeUnit.SECONDS);
        }
      } finally {
        running.decrementAndGet();
      }
      return false;
    });
    try (JobRunner runner = new JobRunner(meters, InstantSource.system(), Duration.ofSeconds(5))) {
      runner.start(job);
      assertThat(inPass.await(10, TimeUnit.SECONDS)).isTrue();
      Thread other = Thread.ofVirtual().start(job::runNow); // waits for the runner's pass
      release.countDown();
      other.join(10_000);
    }
    assertThat(job.passes()).isEqualTo(2);
    assertThat(maxRunning).hasValue(1);
  }

  @Test
  void close_waitsForThePassInFlight_withoutInterruptingIt() throws Exception {
    CountDownLatch inPass = new CountDownLatch(1);
    CountDownLatch mayEnd = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean ended = new AtomicBoolean();
    Job job = Job.every("slow", Duration.ofHours(1), () -> {
      inPass.countDown();
      // a JDBC call stand-in: an interrupt would end this wait early
      boolean released = mayEnd.await(10, TimeUnit.SECONDS);
      interrupted.set(!released || Thread.currentThread().isInterrupted());
      ended.set(true);
      return false;
    });
    JobRunner runner = new JobRunner(meters, InstantSource.system(), Duration.ofSeconds(10));
    runner.start(job);
    assertThat(inPass.await(10, TimeUnit.SECONDS)).isTrue();
    Thread closer = Thread.ofVirtual().start(runner::close);
    mayEnd.countDown();
    closer.join(15_000);

    assertThat(ended).isTrue();
    assertThat(interrupted).isFalse();
    assertThat(job.passes()).isEqualTo(1); // stopped: no pass after the close
  }

  @Test
  void aJobFirstAfterOneInterval_doesNotRunAtStart_butRunsWhenWoken() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    Job job = Job.every("later", Duration.ofHours(1), () -> {
      ran.countDown();
      return false;
    }).firstAfterOneInterval();
    try (JobRunner runner = new JobRunner(meters, InstantSource.system(), Duration.ofSeconds(5))) {
      runner.start(job);
      assertThat(job.passes()).isZero();
      job.wake();
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static void awaitPasses(Job job, int n) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> job.passes() >= n);
  }
}
