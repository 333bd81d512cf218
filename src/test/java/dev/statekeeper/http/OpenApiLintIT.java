package dev.statekeeper.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.support.TestDatabases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code openapi.json} passes a real OpenAPI 3.1 validator: {@code scripts/lint-openapi} (Redocly
 * CLI from npm, its recommended rules, errors and warnings both fail). Without Node.js it skips
 * with a message, unless services are required (CI): then it fails.
 */
class OpenApiLintIT {

  @Test
  void theDescription_passesRedoclyLint() throws Exception {
    Path script = Path.of("scripts/lint-openapi").toAbsolutePath();
    try {
      Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      node.getInputStream().readAllBytes();
      if (!node.waitFor(60, TimeUnit.SECONDS) || node.exitValue() != 0) throw new IOException("node --version failed");
    } catch (IOException e) {
      String problem = "node is not on the PATH (" + e.getMessage() + ")";
      if (TestDatabases.servicesRequired()) {
        Assertions.fail(problem + "; STATEKEEPER_TEST_REQUIRE_SERVICES/CI is set, so this fails");
      }
      Assumptions.abort(problem + "; skipping the OpenAPI lint");
    }
    Process lint = new ProcessBuilder(script.toString(), "src/main/resources/openapi.json").redirectErrorStream(true).start();
    String out = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(lint.waitFor(10, TimeUnit.MINUTES)).as("lint finished").isTrue();
    System.out.println(out);
    assertThat(lint.exitValue()).as("scripts/lint-openapi:%n%s", out).isZero();
  }
}
