package dev.statekeeper.cli;

import dev.statekeeper.http.HttpSettings;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.documents.FolderSync;
import dev.statekeeper.http.HttpServer;
import dev.statekeeper.keys.CreatedKey;
import dev.statekeeper.ops.LogFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import dev.statekeeper.documents.FolderSyncSettings;
import picocli.CommandLine.Command;

@Command(
    name = "serve",
    header = "Start the HTTP server (SQLite in ./statekeeper-data, on 127.0.0.1:7070, with no options).",
    description = {
      "Start the HTTP server. With no options: SQLite in ./statekeeper-data, on 127.0.0.1:7070. Applies pending migrations first. On the first start it prints a root API key, once."
    })
final class ServeCommand extends Configured {

  @Override
  public Integer call() throws Exception {
    StatekeeperConfig config = config();
    LogFormat.apply(config.ops().logFormat());
    FolderSyncSettings sync = FolderSyncSettings.from(config.settings());
    Serving serving = start(config, sync.syncDir(), sync.syncTenant(), out(), /* probePort= */ true);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  serving.close();
                  stopped.countDown();
                },
                "statekeeper-shutdown"));
    stopped.await();
    return 0;
  }

  /** A running server and what it holds open; {@link #close()} stops it (server, then sync, then store). */
  record Serving(Statekeeper sk, HttpServer server, FolderSync sync) implements AutoCloseable {
    int port() {
      return server.port();
    }

    @Override
    public void close() {
      server.close();
      if (sync != null) sync.close();
      sk.close();
    }
  }

  /**
   * Starts serving and prints the banner. The order keeps a failed start from locking anyone out:
   * the address is probed before the store is opened (a busy port creates nothing), and a
   * generated root key is made only after the server has bound its port, so the start that makes
   * the key is always one that prints it. A key given with {@code --bootstrap-key} is known to its
   * owner already and is stored before serving, so the first request may use it.
   *
   * @param probePort false only in tests of a port taken between the probe and the bind
   * @throws IllegalStateException with a one-line message when the address cannot be bound
   */
  static Serving start(StatekeeperConfig config, Path syncDir, String syncTenant, PrintWriter out, boolean probePort) {
    if (syncDir != null && !java.nio.file.Files.isDirectory(syncDir)) {
      // before anything is created: a start that fails must not make a root key nobody saw
      throw new IllegalArgumentException(FolderSyncSettings.SYNC_DIR.option() + " must be a directory; got " + syncDir.toAbsolutePath());
    }
    if (probePort) {
      requireFreeAddress(config.http().host(), config.http().port());
    }
    Statekeeper sk = Statekeeper.open(config);
    HttpServer server = null;
    FolderSync sync = null;
    Optional<CreatedKey> root;
    try {
      if (config.keys().bootstrapKey() != null) {
        sk.bootstrapRootKey();
      }
      server = listen(sk, config);
      root = config.keys().bootstrapKey() == null ? sk.bootstrapRootKey() : Optional.empty();
      if (syncDir != null) {
        sync = FolderSync.start(sk.documents(), syncDir, new Caller(syncTenant, "service:folder-sync", Role.ADMIN), Duration.ofSeconds(1));
      }
    } catch (RuntimeException | Error e) {
      if (sync != null) sync.close();
      if (server != null) server.close();
      sk.close();
      throw e;
    }

    String address = "http://" + displayHost(config.http().host()) + ":" + server.port();
    out.println("Statekeeper " + Main.version() + " listening on " + address);
    out.println("  store: " + config.store().describeStore()
        + (config.store().usesPostgres() ? "" : " (synchronous=" + config.store().sqliteSynchronous() + ")"));
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
    return new Serving(sk, server, sync);
  }

  /** Starts the HTTP server; a port taken since the probe gets the same one-line message. */
  private static HttpServer listen(Statekeeper sk, StatekeeperConfig config) {
    try {
      return HttpServer.start(sk);
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BindException) {
          throw new IllegalStateException(cannotListen(config.http().host(), config.http().port(), t), e);
        }
      }
      throw e;
    }
  }

  /**
   * Binds {@code host:port} for a moment, as Jetty will (with {@code SO_REUSEADDR}, so a port
   * left in TIME_WAIT by the previous run counts as free), and releases it.
   *
   * @throws IllegalStateException with a one-line message naming the address and the way out
   */
  static void requireFreeAddress(String host, int port) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(
          "cannot listen on " + host + ":" + port + ": the " + HttpSettings.HOST.name() + " does not resolve; set " + HttpSettings.HOST.option() + " to an address of this machine (127.0.0.1, 0.0.0.0)");
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(address, port));
    } catch (IOException e) {
      throw new IllegalStateException(cannotListen(host, port, e));
    }
  }

  private static String cannotListen(String host, int port, Throwable cause) {
    String where = "cannot listen on " + displayHost(host) + ":" + port + ": ";
    String message = String.valueOf(cause.getMessage());
    if (message.contains("already in use")) {
      return where + "the " + HttpSettings.PORT.name() + " is in use (see what holds it: ss -ltnp 'sport = :" + port + "'); stop that or pick another " + HttpSettings.PORT.name() + " with"
          + " " + HttpSettings.PORT.option() + " (" + HttpSettings.PORT.option() + " 0 picks a free one)";
    }
    return where + message + "; check " + HttpSettings.HOST.option() + " and " + HttpSettings.PORT.option();
  }

  private static String displayHost(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
