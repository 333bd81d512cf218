package dev.statekeeper.cli;

import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.http.HttpServer;
import dev.statekeeper.keys.CreatedKey;
import dev.statekeeper.ops.LogFormat;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Start the HTTP server. With no options: SQLite in ./statekeeper-data, on 127.0.0.1:7070.",
      "Applies pending migrations first. On the first start it prints a root API key, once."
    })
final class ServeCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    StatekeeperConfig config = options.toConfig();
    LogFormat.apply(config.ops().logFormat());
    Statekeeper sk = Statekeeper.open(config);
    HttpServer server;
    Optional<CreatedKey> root;
    try {
      root = sk.bootstrapRootKey();
      server = HttpServer.start(sk);
    } catch (RuntimeException e) {
      sk.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  sk.close();
                  stopped.countDown();
                },
                "statekeeper-shutdown"));

    PrintWriter out = spec.commandLine().getOut();
    String address = "http://" + displayHost(config.host()) + ":" + server.port();
    out.println("Statekeeper " + Main.version() + " listening on " + address);
    out.println("  store: " + config.describeStore()
        + (config.usesPostgres() ? "" : " (synchronous=" + config.sqliteSynchronous() + ")"));
    if (root.isPresent()) {
      out.println();
      out.println("Root API key (tenant '" + root.get().tenant() + "'), shown only now; it is stored hashed:");
      out.println("  " + root.get().key());
      out.println("Try: curl -H 'Authorization: Bearer " + root.get().key() + "' " + address + "/v1/tasks/stats");
    }
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return 0;
  }

  private static String displayHost(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
