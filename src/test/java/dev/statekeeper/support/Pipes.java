package dev.statekeeper.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** The copying both test forwarders ({@link TcpForwarder}, {@link CuttableProxy}) do. */
final class Pipes {

  private Pipes() {}

  /**
   * Copies what {@code from} receives to {@code to} until either side closes or {@code stop} says
   * so, then closes both and takes them out of {@code open}.
   */
  static void copy(Socket from, Socket to, Set<Socket> open, BooleanSupplier stop) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (stop.getAsBoolean()) break;
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  static void closeQuietly(AutoCloseable c) {
    if (c == null) return;
    try {
      c.close();
    } catch (Exception ignored) {
      // already closed
    }
  }
}
