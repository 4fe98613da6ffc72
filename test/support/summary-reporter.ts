import type { Reporter, TestModule } from 'vitest/node';
import { leakedTemporaryEntries } from './temporary-root.js';

/**
 * Prints the closing line CI reads: `N passed, N failed`. A test file that fails to load counts as a
 * failure, so a broken import can never pass as "0 failed"; so does a run that leaves anything in its temp
 * dir (test/support/temporary-root.ts), which also makes the run exit 1.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    for (const module of testModules) {
      let moduleTests = 0;
      for (const test of module.children.allTests()) {
        moduleTests++;
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
      }
      if (moduleTests === 0 && module.state() === 'failed') failed++;
    }
    const leaked = leakedTemporaryEntries();
    if (leaked.length > 0) {
      failed++;
      process.exitCode = 1;
      process.stderr.write(
        `\nthe tests left ${leaked.length} entries in their temp dir; the test that made each must remove it ` +
          `(test/support/temporary-directory.ts):\n${leaked.map((path) => `  ${path}\n`).join('')}`,
      );
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  }
}
