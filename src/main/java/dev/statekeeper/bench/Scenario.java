package dev.statekeeper.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The built-in scenarios and the phases each runs. */
enum Scenario {
  /** a short smoke run at a gentle rate (a minute by default) */
  QUICK("steady 50 tasks/s with consumers, then the invariants"),
  /** the classic closed loop: --tasks created by --threads, then drained by --threads */
  LOAD("--tasks created by --threads clients, then drained by as many workers (closed loop)"),
  /** CRITICAL pickup latency while background load runs */
  EMERGENCY("CRITICAL pages every 100 ms to a waiting agent while --rate NORMAL tasks/s flow"),
  /** a fixed rate for --duration */
  STEADY("open loop at --rate for --duration"),
  /** twice the rate for half the time */
  PEAK("open loop at 2 × --rate for --duration / 2"),
  /** ramp until errors or latency break the limits */
  STRESS("open loop from --rate up by 1.5× per step until the error rate or p99 breaks its limit; reports the knee"),
  /** baseline, a burst at 5×, baseline again */
  SPIKE("--rate for 40 % of --duration, 5 × --rate for 20 %, --rate for 40 %"),
  /** a long steady run */
  SOAK("open loop at --rate for --duration (10 minutes by default)"),
  /** access checks */
  AUTH("open loop of access checks at --rate over 1,000 users × 200 documents, answers verified"),
  /** memory reads, writes, prefix listings and searches */
  MEMORY("open loop at --rate over 200 memory entries: 60 % reads, 25 % writes, 10 % prefix listings, 5 % searches; histories verified");

  final String description;

  Scenario(String description) {
    this.description = description;
  }

  static Scenario parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown scenario '" + s + "'; one of quick, load, emergency, steady, peak, stress, spike, soak, auth, memory");
    }
  }

  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  Duration defaultDuration() {
    return switch (this) {
      case QUICK -> Duration.ofSeconds(60);
      case SOAK -> Duration.ofMinutes(10);
      default -> Duration.ofSeconds(30);
    };
  }

  /** One stretch of a run at one rate. */
  record Phase(String name, double rate, Duration duration) {}

  /** The open-loop phases of this scenario (STRESS's are built as it goes). */
  List<Phase> phases(double rate, Duration duration) {
    List<Phase> out = new ArrayList<>();
    switch (this) {
      case QUICK -> out.add(new Phase("steady", Math.min(rate, 50), duration));
      case STEADY, SOAK, AUTH, MEMORY, EMERGENCY -> out.add(new Phase("steady", rate, duration));
      case PEAK -> out.add(new Phase("peak", rate * 2, duration.dividedBy(2)));
      case SPIKE -> {
        out.add(new Phase("before", rate, duration.multipliedBy(2).dividedBy(5)));
        out.add(new Phase("spike", rate * 5, duration.dividedBy(5)));
        out.add(new Phase("after", rate, duration.multipliedBy(2).dividedBy(5)));
      }
      default -> { }
    }
    return out;
  }
}
