package dev.statekeeper.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP forwarder on 127.0.0.1 that a test can cut and restore, to make a database unreachable
 * for real: {@link #cut()} closes the listening socket and every forwarded connection (clients see
 * their connections drop and new ones refused); {@link #restore()} listens on the same port again.
 *
 * <p>Concurrency: {@link #lock} guards the listening socket and the admission of a new connection
 * (so none set up while {@link #cut()} runs survives it); connections are tracked in a concurrent
 * set and copied by virtual threads.
 */
public final class TcpForwarder implements AutoCloseable {

  private final InetSocketAddress target;
  private final int port;
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private ServerSocket listener; // guarded by lock

  public TcpForwarder(String targetHost, int targetPort) {
    this.target = new InetSocketAddress(targetHost, targetPort);
    try {
      ServerSocket s = bind(0);
      this.port = s.getLocalPort();
      start(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** Refuses new connections and drops every forwarded one. */
  public void cut() {
    lock.lock();
    try {
      Pipes.closeQuietly(listener);
      listener = null;
      for (Socket s : open) {
        Pipes.closeQuietly(s);
      }
      open.clear();
    } finally {
      lock.unlock();
    }
  }

  /** Accepts connections on the same port again. */
  public void restore() {
    lock.lock();
    try {
      if (listener == null) {
        start(bind(port));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + port + " again", e);
    } finally {
      lock.unlock();
    }
  }

  private static ServerSocket bind(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }

  private void start(ServerSocket s) {
    listener = s;
    Thread.ofVirtual().name("forwarder-accept-" + port).start(() -> accept(s));
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket upstream = new Socket();
        try {
          upstream.connect(target, 2_000);
        } catch (IOException e) {
          Pipes.closeQuietly(client);
          continue;
        }
        lock.lock();
        try {
          if (listener != s) {
            // cut() ran while this connection was being set up: it must not outlive the cut
            Pipes.closeQuietly(client);
            Pipes.closeQuietly(upstream);
            continue;
          }
          open.add(client);
          open.add(upstream);
        } finally {
          lock.unlock();
        }
        Thread.ofVirtual().start(() -> Pipes.copy(client, upstream, open, () -> false));
        Thread.ofVirtual().start(() -> Pipes.copy(upstream, client, open, () -> false));
      } catch (IOException e) {
        // closed by cut(), or the target refused: the client sees its connection drop
      }
    }
  }

  @Override
  public void close() {
    cut();
  }
}
