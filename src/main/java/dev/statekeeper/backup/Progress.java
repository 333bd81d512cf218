package dev.statekeeper.backup;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long operation: a redrawn bar on a terminal, plain lines (every 10 %) otherwise,
 * or nothing. Written here rather than taken from a library: a carriage-return line is a few
 * lines of code, and the usual progress-bar libraries bring JLine along.
 */
public interface Progress {

  void start(String what, long total);

  void advance(long n);

  void done();

  Progress NONE =
      new Progress() {
        @Override
        public void start(String what, long total) {}

        @Override
        public void advance(long n) {}

        @Override
        public void done() {}
      };

  /** A bar when {@code out} is a terminal, plain lines when it is not. */
  static Progress on(PrintStream out) {
    return new Printed(out, isTerminal());
  }

  private static boolean isTerminal() {
    var console = System.console();
    if (console == null) {
      return false;
    }
    try { // Console.isTerminal() exists from JDK 22; on 21 a non-null console is a terminal
      return (Boolean) console.getClass().getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /** Concurrency: used by one thread at a time. */
  final class Printed implements Progress {
    private final PrintStream out;
    private final boolean terminal;
    private String what;
    private long total;
    private long done;
    private long startNanos;
    private int lastShown = -1;

    Printed(PrintStream out, boolean terminal) {
      this.out = out;
      this.terminal = terminal;
    }

    @Override
    public void start(String what, long total) {
      this.what = what;
      this.total = Math.max(total, 0);
      this.done = 0;
      this.lastShown = -1;
      this.startNanos = System.nanoTime();
      show(false);
    }

    @Override
    public void advance(long n) {
      done += n;
      show(false);
    }

    @Override
    public void done() {
      show(true);
    }

    private void show(boolean last) {
      int percent = total == 0 ? 100 : (int) Math.min(100, done * 100 / total);
      double secs = (System.nanoTime() - startNanos) / 1e9;
      if (terminal) {
        int step = percent / 2;
        if (!last && step == lastShown) return;
        lastShown = step;
        String bar = "#".repeat(step) + " ".repeat(50 - step);
        out.printf(Locale.ROOT, "\r%-28s [%s] %3d%% %,d/%,d %.1fs%s", what, bar, percent, done, total, secs, last ? "\n" : "");
      } else {
        int step = percent / 10;
        if (!last && step == lastShown) return;
        lastShown = step;
        out.printf(Locale.ROOT, "%s: %d%% (%,d of %,d) %.1fs%n", what, percent, done, total, secs);
      }
      out.flush();
    }
  }
}
