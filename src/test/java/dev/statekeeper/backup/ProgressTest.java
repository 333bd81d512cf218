package dev.statekeeper.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress as it is printed, with a settable clock. */
class ProgressTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final AtomicLong nanos = new AtomicLong();

  private Progress plain() {
    return new Progress.Printed(new PrintStream(bytes, true, StandardCharsets.UTF_8), /* terminal= */ false, nanos::get);
  }

  private List<String> lines() {
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void plainLines_aStepDoneInOneAdvance_isPrintedOnce() {
    Progress p = plain();

    p.start("backup tasks", 1234);
    p.advance(1234);
    nanos.addAndGet(400_000_000);
    p.done();
    p.start("backup sessions", 0);
    p.done();

    assertThat(lines()).containsExactly("backup tasks: 100% (1,234 of 1,234) 0.4s", "backup sessions: 100% (0 of 0) 0.0s");
  }

  @Test
  void plainLines_aLongStep_printsEachTenthOnceAndOneFinalLine_neverZeroOrAHundredTwice() {
    Progress p = plain();

    p.start("restore tasks", 100);
    for (int i = 0; i < 100; i++) p.advance(1);
    p.done();
    p.done(); // a second done() of the same step adds nothing

    assertThat(lines()).extracting(l -> l.replaceAll(" \\(.*", ""))
        .containsExactly("restore tasks: 10%", "restore tasks: 20%", "restore tasks: 30%", "restore tasks: 40%", "restore tasks: 50%",
            "restore tasks: 60%", "restore tasks: 70%", "restore tasks: 80%", "restore tasks: 90%", "restore tasks: 100%");
  }

  @Test
  void onATerminal_theBarIsRedrawnInPlace_andEndsWithOneNewline() {
    Progress p = new Progress.Printed(new PrintStream(bytes, true, StandardCharsets.UTF_8), /* terminal= */ true, nanos::get);

    p.start("import", 10);
    p.advance(10);
    p.done();

    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).startsWith("\rimport").endsWith("\n");
    assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
  }
}
