import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Set by the global setup: the temp dir of this test run, which every worker and child inherits. */
const RUN_TMPDIR = 'LSI_TEST_RUN_TMPDIR';

/**
 * Vitest global setup: points TMPDIR (so os.tmpdir() and every child process) at a directory of this run's
 * own, so that what the tests leave behind can be told apart from other runs on the machine. The summary
 * reporter fails the run when anything is left in it (leakedTemporaryEntries); the teardown removes it.
 */
export default function temporaryRoot(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'lsi-test-run-'));
  process.env.TMPDIR = root;
  process.env[RUN_TMPDIR] = root;
  return () => {
    rmSync(root, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}

/** What the test files left in this run's temp dir: each one is a test that does not clean up. */
export function leakedTemporaryEntries(): string[] {
  const root = process.env[RUN_TMPDIR];
  if (root === undefined) return [];
  return readdirSync(root).map((name) => join(root, name));
}
