package dev.statekeeper.cli;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.documents.FolderSync;
import dev.statekeeper.keys.Keys;
import java.nio.file.Path;
import java.time.Duration;
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
import picocli.CommandLine.Option;
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

  @Option(
      names = "--sync-dir",
      paramLabel = "DIR",
      description = "Keep the .md and .txt files of DIR indexed as documents (id = relative path), scanning every second.")
  Path syncDir;

  @Option(
      names = "--sync-tenant",
      paramLabel = "TENANT",
      defaultValue = Keys.DEFAULT_TENANT,
      description = "The tenant --sync-dir fills. Default: ${DEFAULT-VALUE}")
  String syncTenant;

  @Override
  public Integer call() throws Exception {
    StatekeeperConfig config = options.toConfig();
    LogFormat.apply(config.ops().logFormat());
    Statekeeper sk = Statekeeper.open(config);
    HttpServer server;
    Optional<CreatedKey> root;
    FolderSync sync = null;
    try {
      root = sk.bootstrapRootKey();
      if (syncDir != null) {
        sync = FolderSync.start(sk.documents(), syncDir, new Caller(syncTenant, "service:folder-sync", Role.ADMIN), Duration.ofSeconds(1));
      }
      server = HttpServer.start(sk);
    } catch (RuntimeException e) {
      if (sync != null) sync.close();
      sk.close();
      throw e;
    }
    FolderSync syncing = sync;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  if (syncing != null) syncing.close();
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
    if (syncDir != null) {
      out.println("  syncing: " + syncDir.toAbsolutePath() + " (.md and .txt) into tenant '" + syncTenant + "'");
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
