package dev.statekeeper.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.support.TestDatabases;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python and TypeScript clients' own test suites ({@code clients/python/tests}, {@code
 * clients/typescript/test}), run against the built jar as a user starts it, on SQLite and on
 * PostgreSQL. Each suite gets the server in {@code STATEKEEPER_URL} and a root key in {@code
 * STATEKEEPER_KEY} and makes tenants of its own, so the suites share one server per store.
 *
 * <p>Without {@code python3} or {@code npm} on the PATH the suite that needs it skips with a
 * message, unless services are required (CI): then it fails.
 *
 * <p>Concurrency: JUnit runs these tests one at a time; {@link #lock} guards the servers and
 * the set of built packages anyway.
 */
class ClientsIT {

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
  private static final String ROOT_KEY = "sk_clients_it_root_key_0123456789";
  private static final Path REPO = Path.of("").toAbsolutePath();
  private static final Path PYTHON_CLIENT = REPO.resolve("clients/python");
  private static final Path TYPESCRIPT_CLIENT = REPO.resolve("clients/typescript");
  private static final Path LANGGRAPH = TYPESCRIPT_CLIENT.resolve("langgraph");

  private static final ReentrantLock lock = new ReentrantLock();
  private static final Map<String, Server> servers = new HashMap<>(); // guarded by lock
  private static final java.util.Set<Path> built = new java.util.HashSet<>(); // node packages built; guarded by lock

  @TempDir static Path dir;

  record Server(Process process, String url) {}

  record Run(int exitCode, String output) {}

  @Test
  void pythonClient_passesItsSuite_onSqlite() throws Exception {
    runPython(server("sqlite"));
  }

  @Test
  void pythonClient_passesItsSuite_onPostgres() throws Exception {
    runPython(server("postgres"));
  }

  @Test
  void typescriptClient_passesItsSuite_onSqlite() throws Exception {
    runTypescript(server("sqlite"));
  }

  @Test
  void typescriptClient_passesItsSuite_onPostgres() throws Exception {
    runTypescript(server("postgres"));
  }

  /**
   * The LangGraph.js adapters ({@code clients/typescript/langgraph}): the official checkpointer
   * validation suite ({@code @langchain/langgraph-checkpoint-validation}) whole, the store's
   * tests and a real {@code StateGraph} example, against the server.
   */
  @Test
  void langgraphAdapters_passTheValidationSuite_onSqlite() throws Exception {
    runLanggraph(server("sqlite"));
  }

  @Test
  void langgraphAdapters_passTheValidationSuite_onPostgres() throws Exception {
    runLanggraph(server("postgres"));
  }

  private static void runLanggraph(Server server) throws Exception {
    buildNodePackage(TYPESCRIPT_CLIENT, server); // the adapters link the client
    Run run = runNodeSuite("langgraph", LANGGRAPH, server, Map.of("CI", "1"));
    assertThat(run.output()).as("the LangGraph suite ran its tests, none skipped")
        .containsPattern("(?m)^ℹ pass [1-9][0-9]{2,}").contains("validation.test.ts");
  }

  private static void runPython(Server server) throws Exception {
    require("python3", "--version");
    Run run = run(REPO, server, List.of("python3", "-m", "unittest", "discover", "-s", "clients/python/tests", "-v"),
        Map.of("PYTHONPATH", PYTHON_CLIENT.toString(), "PYTHONDONTWRITEBYTECODE", "1"));
    report("python", server, run);
    assertThat(run.exitCode()).as("python3 -m unittest against %s:%n%s", server.url(), run.output()).isZero();
    assertThat(run.output()).as("the Python suite ran its tests, none skipped").containsPattern("(?m)^OK$")
        .doesNotContain("skipped");
  }

  private static void runTypescript(Server server) throws Exception {
    Run run = runNodeSuite("typescript", TYPESCRIPT_CLIENT, server, Map.of());
    assertThat(run.output()).as("the TypeScript suite ran its tests, none skipped").containsPattern("(?m)^ℹ pass [1-9]");
  }

  /**
   * Builds the package in {@code dir} (once per run), runs its {@code npm test} against {@code
   * server} and asserts it passed with nothing failed or skipped (the node:test summary lines,
   * which both packages print).
   */
  private static Run runNodeSuite(String suite, Path dir, Server server, Map<String, String> env) throws Exception {
    require("npm", "--version");
    buildNodePackage(dir, server);
    Run run = run(dir, server, List.of("npm", "test"), env);
    report(suite, server, run);
    assertThat(run.exitCode()).as("npm test (%s) against %s:%n%s", suite, server.url(), run.output()).isZero();
    assertThat(run.output()).as("the %s suite ran its tests, none failed or skipped", suite)
        .containsPattern("(?m)^ℹ fail 0$").containsPattern("(?m)^ℹ skipped 0$");
    return run;
  }

  /** {@code npm ci} when node_modules is missing, then {@code npm run build}: once per run and package. */
  private static void buildNodePackage(Path dir, Server server) throws Exception {
    lock.lock();
    try {
      if (built.contains(dir)) return;
      if (!Files.isDirectory(dir.resolve("node_modules"))) {
        Run ci = run(dir, server, List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of());
        assertThat(ci.exitCode()).as("npm ci in %s:%n%s", dir, ci.output()).isZero();
      }
      Run build = run(dir, server, List.of("npm", "run", "build"), Map.of());
      assertThat(build.exitCode()).as("npm run build in %s:%n%s", dir, build.output()).isZero();
      built.add(dir);
    } finally {
      lock.unlock();
    }
  }

  /** The server of {@code store}, started on first use and stopped after the last test. */
  private static Server server(String store) throws Exception {
    lock.lock();
    try {
      Server s = servers.get(store);
      if (s == null) {
        s = start(store);
        servers.put(store, s);
      }
      return s;
    } finally {
      lock.unlock();
    }
  }

  private static Server start(String store) throws Exception {
    String jar = System.getProperty("statekeeper.jar", "target/statekeeper.jar");
    assertThat(Path.of(jar)).as("the jar built by 'mvn package'").exists();
    String java = ProcessHandle.current().info().command().orElse("java");
    Path data = dir.resolve(store);
    List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar, "serve", "--port", "0", "--data-dir", data.toString(),
        "--bootstrap-key", ROOT_KEY));
    if (store.equals("postgres")) {
      cmd.addAll(List.of("--database-url", TestDatabases.freshPostgresDatabase()));
    }
    Path stderr = dir.resolve(store + ".stderr");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    List<String> banner = new ArrayList<>();
    CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> {
      try {
        String line;
        while ((line = out.readLine()) != null) {
          banner.add(line);
          Matcher m = LISTENING.matcher(line);
          if (m.find()) return m.group(1);
        }
      } catch (IOException ignored) {
        // the process ended
      }
      return null;
    });
    String address = url.get(90, TimeUnit.SECONDS);
    assertThat(address).as("printed address in %s (stderr in %s)", banner, stderr).isNotNull();
    Thread.ofVirtual().name("drain-" + store).start(() -> { // whatever it prints later must not block it
      try {
        out.transferTo(Writer.nullWriter());
      } catch (IOException ignored) {
        // the process ended
      }
    });
    return new Server(p, address);
  }

  @AfterAll
  static void stopServers() throws InterruptedException {
    lock.lock();
    try {
      for (Server s : servers.values()) {
        s.process().destroy(); // SIGTERM: the shutdown hook closes the server and the store
        if (!s.process().waitFor(30, TimeUnit.SECONDS)) s.process().destroyForcibly();
      }
      servers.clear();
    } finally {
      lock.unlock();
    }
  }

  private static Run run(Path workDir, Server server, List<String> cmd, Map<String, String> env) throws Exception {
    Path log = Files.createTempFile(dir, "run-", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("STATEKEEPER_URL", server.url());
    pb.environment().put("STATEKEEPER_KEY", ROOT_KEY);
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      Assertions.fail(String.join(" ", cmd) + " did not end within 10 minutes:\n" + Files.readString(log));
    }
    return new Run(p.exitValue(), Files.readString(log));
  }

  /** Skips (or, where services are required, fails) when {@code tool} is not on the PATH. */
  private static void require(String tool, String versionFlag) {
    String problem;
    try {
      Process p = new ProcessBuilder(tool, versionFlag).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
        System.out.println("clients: " + tool + " " + out);
        return;
      }
      problem = tool + " " + versionFlag + " failed: " + out;
    } catch (IOException | InterruptedException e) {
      problem = tool + " is not on the PATH (" + e.getMessage() + ")";
    }
    if (TestDatabases.servicesRequired()) {
      Assertions.fail(problem + "; STATEKEEPER_TEST_REQUIRE_SERVICES/CI is set, so this fails");
    }
    Assumptions.abort(problem + "; skipping the client suite that needs it");
  }

  /** The suite's closing lines, in the test output, whatever the outcome. */
  private static void report(String suite, Server server, Run run) {
    List<String> lines = run.output().lines().toList();
    System.out.println("clients: " + suite + " against " + server.url() + " exited " + run.exitCode() + ":");
    lines.subList(Math.max(0, lines.size() - 12), lines.size()).forEach(l -> System.out.println("  " + l));
  }
}
