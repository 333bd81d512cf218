package dev.statekeeper.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.store.DatabaseClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The shared setup of the suites that run against one embedded {@link Statekeeper} per class (the
 * store contracts): the suite's {@code @BeforeAll} opens it through {@link #open}, it is closed
 * after the last test, and the tests share it ({@code PER_CLASS}), each in a tenant of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EmbeddedSuite {

  public static final ObjectMapper JSON = new ObjectMapper();

  /** The instance under test, from the suite's {@code @BeforeAll} on. */
  protected Statekeeper sk;

  /** Opens the instance under test with {@code config}; it is closed after the class's tests. */
  protected final Statekeeper open(StatekeeperConfig config) {
    sk = Statekeeper.open(config);
    return sk;
  }

  /** {@link #open(StatekeeperConfig)} with the database's "now" read from {@code clock}. */
  protected final Statekeeper open(StatekeeperConfig config, DatabaseClock clock) {
    sk = Statekeeper.open(config, clock);
    return sk;
  }

  @AfterAll
  protected final void closeStatekeeper() {
    if (sk != null) {
      sk.close();
    }
  }

  public static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** {@code call} fails with a {@code type} whose {@link StatekeeperException#code()} is {@code code}. */
  public static void assertProblem(Runnable call, Class<? extends StatekeeperException> type, String code) {
    assertThatThrownBy(call::run)
        .isInstanceOf(type)
        .satisfies(e -> assertThat(((StatekeeperException) e).code()).isEqualTo(code));
  }
}
