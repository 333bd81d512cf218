package dev.statekeeper.ops;

import java.util.function.Supplier;

/**
 * An alert rule a capability contributes: the rule as shown and configured, and how to read
 * whether it holds now. It is evaluated only while the store answers (a rule about stored data
 * would otherwise fire with the store-unreachable one).
 */
public record AlertCheck(AlertRule rule, Supplier<Outcome> evaluate) {

  /** One reading of a rule: whether it holds, the value read, and a sentence for people. */
  public record Outcome(boolean holds, String value, String summary) {
    /** The rule does not hold; {@code value} is what was read. */
    public static Outcome no(String value) {
      return new Outcome(false, value, null);
    }
  }
}
