package dev.statekeeper.backup;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long operation: a redrawn bar on a terminal, plain lines otherwise, or nothing.
 * Written here rather than taken from a library: a carriage-return line is a few lines of code,
 * and the usual progress-bar libraries bring JLine along.
 *
 * <p>Plain lines (a log, a pipe, CI) say each step once when it ends ({@code backup tasks: 100%
 * (1,234 of 1,234) 0.4s}); a step long enough to pass through tenths says each tenth it reaches
 * before its end (10 %, 20 %, …) — never 0 %, never 100 % twice.
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
    return new Printed(out, isTerminal(), System::nanoTime);
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
    private final LongSupplier nanoTime;
    private String what;
    private long total;
    private long done;
    private long startNanos;
    private int lastShown = -1;
    private boolean finished = true; // no step yet

    Printed(PrintStream out, boolean terminal, LongSupplier nanoTime) {
      this.out = out;
      this.terminal = terminal;
      this.nanoTime = nanoTime;
    }

    @Override
    public void start(String what, long total) {
      this.what = what;
      this.total = Math.max(total, 0);
      this.done = 0;
      this.lastShown = -1;
      this.finished = false;
      this.startNanos = nanoTime.getAsLong();
      if (terminal) {
        show(false); // the empty bar: a terminal redraws it in place
      }
    }

    @Override
    public void advance(long n) {
      if (finished) return;
      done += n;
      show(false);
    }

    @Override
    public void done() {
      if (finished) return; // a step ends once
      finished = true;
      show(true);
    }

    private void show(boolean last) {
      int percent = total == 0 ? 100 : (int) Math.min(100, done * 100 / total);
      double secs = (nanoTime.getAsLong() - startNanos) / 1e9;
      if (terminal) {
        int step = percent / 2;
        if (!last && step == lastShown) return;
        lastShown = step;
        String bar = "#".repeat(step) + " ".repeat(50 - step);
        out.printf(Locale.ROOT, "\r%-28s [%s] %3d%% %,d/%,d %.1fs%s", what, bar, percent, done, total, secs, last ? "\n" : "");
      } else {
        // Tenths reached on the way (not 0 %, and not 100 %: done() says that, once).
        int step = percent / 10;
        if (!last && (step == 0 || step == 10 || step == lastShown)) return;
        lastShown = step;
        out.printf(Locale.ROOT, "%s: %d%% (%,d of %,d) %.1fs%n", what, percent, done, total, secs);
      }
      out.flush();
    }
  }
}
