package dev.statekeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.cli.CliStore.Run;
import dev.statekeeper.support.StoreKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * {@code serve} in this JVM: a start that cannot bind its port creates nothing a later start
 * would miss — above all not the root key, which is printed only by the start that made it.
 */
class ServeCommandTest {

  private static final Pattern KEY = Pattern.compile("(?m)^\\s+(sk_\\S+)$");

  @TempDir Path dir;

  private static StatekeeperConfig config(CliStore store, String... extra) {
    List<String> args = new ArrayList<>(store.args());
    args.addAll(List.of("--host", "127.0.0.1"));
    args.addAll(List.of(extra));
    String[] a = args.toArray(String[]::new);
    ServeCommand serve = new ServeCommand();
    CommandLine cl = new CommandLine(serve);
    serve.addOptions(cl.getCommandSpec(), Map.of());
    cl.parseArgs(a);
    return serve.config();
  }

  private static ServerSocket occupy() throws Exception {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return s;
  }

  /** Starts on a free port, checks the printed root key works, stops; returns the key. */
  private static String startOnAFreePort_andUseThePrintedKey(CliStore store) throws Exception {
    StringWriter out = new StringWriter();
    try (ServeCommand.Serving s = ServeCommand.start(config(store, "--port", "0"), null, "default", new PrintWriter(out, true), true)) {
      Matcher m = KEY.matcher(out.toString());
      assertThat(m.find()).as("a root key in %s", out).isTrue();
      HttpResponse<String> stats = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/tasks/stats"))
              .header("Authorization", "Bearer " + m.group(1)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(stats.statusCode()).as("%s", stats.body()).isEqualTo(200);
      return m.group(1);
    }
  }

  /**
   * {@code r} is a start refused with exit code {@code code} and one line on standard error, which
   * this returns: it printed nothing and created nothing, and the next start prints a working key.
   */
  private static String refusedStart(CliStore store, Run r, int code) throws Exception {
    assertThat(r.code()).isEqualTo(code);
    assertThat(r.err().lines().toList()).hasSize(1);
    assertThat(r.out()).isEmpty();
    store.assertUntouched();
    startOnAFreePort_andUseThePrintedKey(store);
    return r.err().lines().findFirst().orElseThrow();
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void serve_onABusyPort_createsNoStoreAndNoKey(StoreKind kind) throws Exception {
    CliStore store = CliStore.of(kind, dir);
    Run r;
    int port;
    try (ServerSocket busy = occupy()) {
      port = busy.getLocalPort();
      r = store.run(List.of("serve", "--host", "127.0.0.1", "--port", Integer.toString(port)));
    }

    assertThat(refusedStart(store, r, 1))
        .startsWith("statekeeper: cannot listen on 127.0.0.1:" + port + ": the port is in use")
        .contains("--port");
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void serve_withASyncDirThatIsNotADirectory_createsNoStoreAndNoKey(StoreKind kind) throws Exception {
    CliStore store = CliStore.of(kind, dir);

    Run r = store.run(List.of("serve", "--host", "127.0.0.1", "--port", "0",
        "--sync-dir", dir.resolve("no-such-folder").toString()));

    assertThat(refusedStart(store, r, 2)).contains("--sync-dir must be a directory");
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void serve_whenThePortIsTakenAfterTheProbe_makesNoRootKey_soTheNextStartPrintsOne(StoreKind kind) throws Exception {
    CliStore store = CliStore.of(kind, dir);
    try (ServerSocket busy = occupy()) {
      StatekeeperConfig config = config(store, "--port", Integer.toString(busy.getLocalPort()));
      StringWriter out = new StringWriter();

      assertThatThrownBy(() -> ServeCommand.start(config, null, "default", new PrintWriter(out, true), /* probePort= */ false))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("cannot listen on 127.0.0.1:" + busy.getLocalPort() + ": the port is in use")
          .hasMessageNotContaining("\n");
      assertThat(out.toString()).isEmpty();
    }
    assertThat(store.count("api_keys")).as("root keys made by the failed start").isZero();

    startOnAFreePort_andUseThePrintedKey(store);
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void serve_withABootstrapKey_storesItBeforeServing_andPrintsNoKey(StoreKind kind) throws Exception {
    CliStore store = CliStore.of(kind, dir);
    StringWriter out = new StringWriter();
    String key = "sk_test_bootstrap_key_0123456789abcdef";
    try (ServeCommand.Serving s =
        ServeCommand.start(config(store, "--port", "0", "--bootstrap-key", key), null, "default", new PrintWriter(out, true), true)) {
      assertThat(KEY.matcher(out.toString()).find()).as("%s", out).isFalse();
      assertThat(s.sk().keys().authenticate(key).tenant()).isEqualTo("default");
    }
  }
}
