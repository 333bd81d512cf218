/**
 * Closing lines in the form of node's test runner, so one check fits both packages:
 *
 *   ℹ tests 780
 *   ℹ pass 780
 *   ℹ fail 0
 *   ℹ skipped 0
 *   ℹ todo 0
 *
 * `fail` also counts errors outside tests (a failed hook, a file that did not load, an
 * unhandled error), so `ℹ fail 0` means nothing went wrong at all.
 */

import type { Reporter, SerializedError, TestModule, TestSuite } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let tests = 0;
    let pass = 0;
    let fail = 0;
    let skipped = 0;
    let todo = 0;
    let errors = unhandledErrors.length;
    const suiteErrors = (s: TestModule | TestSuite) => s.errors().length;
    for (const m of testModules) {
      errors += suiteErrors(m);
      for (const s of m.children.allSuites()) errors += suiteErrors(s);
      for (const t of m.children.allTests()) {
        tests++;
        const state = t.result().state;
        if (state === "passed") pass++;
        else if (state === "failed") fail++;
        else if (t.options.mode === "todo") todo++;
        else skipped++;
      }
    }
    const lines = [`ℹ tests ${tests}`, `ℹ pass ${pass}`, `ℹ fail ${fail + errors}`, `ℹ skipped ${skipped}`, `ℹ todo ${todo}`];
    process.stdout.write("\n" + lines.join("\n") + "\n");
  }
}
