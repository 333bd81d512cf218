package dev.statekeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.support.TestDatabases;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar, started as a user starts it: {@code java -jar statekeeper.jar serve} on a random
 * port, used over HTTP, stopped with SIGTERM and started again on the same data.
 */
class ServerProcessIT {

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
  private static final Pattern KEY = Pattern.compile("^\\s+(sk_\\S+)$");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  record Running(Process process, String url, String printedKey, List<String> stdout) {}

  private Running start(Path dataDir, String... extra) throws Exception {
    String jar = System.getProperty("statekeeper.jar", "target/statekeeper.jar");
    assertThat(Path.of(jar)).as("the jar built by 'mvn package'").exists();
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar, "serve", "--port", "0", "--data-dir", dataDir.toString()));
    cmd.addAll(List.of(extra));
    Path stderr = dataDir.resolveSibling(dataDir.getFileName() + ".stderr");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    String url = null;
    String key = null;
    // The banner ends with "Press Ctrl-C to stop."; read up to it (or to the end of a failed start).
    CompletableFuture<Void> banner =
        CompletableFuture.runAsync(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  lines.add(line);
                  if (line.startsWith("Press Ctrl-C")) return;
                }
              } catch (IOException ignored) {
                // the process ended
              }
            });
    banner.get(60, TimeUnit.SECONDS);
    for (String line : lines) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) url = m.group(1);
      Matcher k = KEY.matcher(line);
      if (k.find()) key = k.group(1);
    }
    assertThat(url).as("printed address in %s", lines).isNotNull();
    return new Running(p, url, key, lines);
  }

  private HttpResponse<String> send(String method, String url, String key, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (key != null) b.header("Authorization", "Bearer " + key);
    if (body != null) b.header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  private static void stop(Running r) throws InterruptedException {
    r.process().destroy(); // SIGTERM: the shutdown hook closes the server and the store
    assertThat(r.process().waitFor(30, TimeUnit.SECONDS)).as("process exits after SIGTERM").isTrue();
  }

  @Test
  void jar_onSqlite_printsTheRootKeyOnce_servesTasks_andKeepsThemAcrossARestart(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Running first = start(data);
    String key = first.printedKey();
    assertThat(key).as("root key printed on first start").startsWith("sk_");
    try {
      assertThat(send("GET", first.url() + "/health/ready", null, null).statusCode()).isEqualTo(200);
      HttpResponse<String> created = send("POST", first.url() + "/v1/tasks", key, "{\"type\":\"demo\",\"priority\":\"CRITICAL\"}");
      assertThat(created.statusCode()).isEqualTo(201);
      String id = json(created).get("id").asText();
      JsonNode claimed = json(send("POST", first.url() + "/v1/tasks/claim", key, "{\"agent\":\"w1\"}")).get("items").get(0);
      assertThat(claimed.get("id").asText()).isEqualTo(id);
      HttpResponse<String> done =
          send("POST", first.url() + "/v1/tasks/" + id + "/complete", key, "{\"agent\":\"w1\",\"attempt\":1,\"result\":{\"ok\":true}}");
      assertThat(done.statusCode()).isEqualTo(200);
    } finally {
      stop(first);
    }

    Running second = start(data);
    try {
      assertThat(second.printedKey()).as("no new key on a later start").isNull();
      JsonNode stats = json(send("GET", second.url() + "/v1/tasks/stats", key, null));
      assertThat(stats.get("counts").get("completed").asInt()).isEqualTo(1);
      assertThat(stats.get("sla").get("met").asInt()).isEqualTo(1);
    } finally {
      stop(second);
    }
    assertThat(Files.exists(data.resolve("statekeeper.db"))).isTrue();
  }

  @Test
  void jar_onPostgres_withABootstrapKey_servesTasks(@TempDir Path dir) throws Exception {
    String url = TestDatabases.freshPostgresDatabase();
    String key = "ci-bootstrap-key-0123456789abcdef";
    Running r = start(dir, "--database-url", url, "--bootstrap-key", key);
    try {
      assertThat(r.printedKey()).as("a bootstrap key is not printed").isNull();
      assertThat(r.stdout().get(1)).contains("PostgreSQL");
      HttpResponse<String> created = send("POST", r.url() + "/v1/tasks", key, "{\"type\":\"demo\"}");
      assertThat(created.statusCode()).isEqualTo(201);
      assertThat(send("GET", r.url() + "/health/ready", null, null).statusCode()).isEqualTo(200);
    } finally {
      stop(r);
    }
  }

  @Test
  void jar_servesTheDashboardFromItself_logsRequestsAsJson_andItsDoctorPasses(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    String jar = System.getProperty("statekeeper.jar", "target/statekeeper.jar");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process doctor = new ProcessBuilder(java, "-jar", jar, "doctor", "--json", "--data-dir", data.toString(), "--port", "0")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    JsonNode report = JSON.readTree(doctor.getInputStream().readAllBytes());
    assertThat(doctor.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(doctor.exitValue()).as("%s", report).isZero();
    assertThat(report.get("checks").size()).isGreaterThanOrEqualTo(25);

    Running r = start(data, "--log-format", "json");
    try {
      for (String path : List.of("/dashboard", "/dashboard/dashboard.js", "/dashboard/uPlot.iife.min.js", "/dashboard/uPlot.min.css")) {
        assertThat(send("GET", r.url() + path, null, null).statusCode()).as(path).isEqualTo(200);
      }
      HttpResponse<String> created = send("POST", r.url() + "/v1/tasks", r.printedKey(), "{\"type\":\"demo\"}");
      assertThat(created.headers().firstValue("X-Request-Id")).isPresent();
      HttpResponse<String> metrics = send("GET", r.url() + "/metrics", null, null);
      assertThat(metrics.body()).contains("http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\",status=\"201\",uri=\"/v1/tasks\"} 1");
    } finally {
      stop(r);
    }
    List<String> log = Files.readAllLines(dir.resolve("data.stderr"));
    List<JsonNode> requests = new ArrayList<>();
    for (String line : log) {
      JsonNode n = JSON.readTree(line); // every line is JSON
      if (n.path("loggerName").asText().equals("dev.statekeeper.http.requests")) requests.add(n);
    }
    assertThat(requests).hasSizeGreaterThanOrEqualTo(6);
    assertThat(requests.get(0).get("kvpList").toString()).contains("request_id");
    assertThat(String.join("\n", log)).doesNotContain(r.printedKey().substring(20));
  }

  @Test
  void serve_onABusyPort_exitsWithOneLine_createsNoStoreAndNoKey_andTheNextStartPrintsTheKey(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    String jar = System.getProperty("statekeeper.jar", "target/statekeeper.jar");
    String java = ProcessHandle.current().info().command().orElse("java");
    String output;
    Process p;
    int port;
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = busy.getLocalPort();
      p = new ProcessBuilder(java, "-jar", jar, "serve", "--port", Integer.toString(port), "--data-dir", data.toString())
          .redirectErrorStream(true)
          .start();
      output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(p.exitValue()).as(output).isEqualTo(1);
    assertThat(output.lines().toList()).as("everything the failed start printed").singleElement().asString()
        .startsWith("statekeeper: cannot listen on 127.0.0.1:" + port + ": the port is in use")
        .contains("--port");
    assertThat(data).as("no store made by the failed start").doesNotExist();

    Running next = start(data);
    try {
      assertThat(next.printedKey()).as("the next start prints the root key").startsWith("sk_");
      assertThat(send("GET", next.url() + "/v1/tasks/stats", next.printedKey(), null).statusCode()).isEqualTo(200);
    } finally {
      stop(next);
    }
  }

  @Test
  void jar_withAnInvalidSetting_exitsWithAMessageNamingIt(@TempDir Path dir) throws Exception {
    String jar = System.getProperty("statekeeper.jar", "target/statekeeper.jar");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(java, "-jar", jar, "serve", "--data-dir", dir.toString(), "--default-lease", "2h")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(output).contains("default-lease (2h) cannot exceed max-lease (1h)");
  }
}
