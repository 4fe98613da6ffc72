import { execFileSync } from 'node:child_process';

/**
 * Vitest global setup: compiles src/ and testbed/ to dist/ and bundles the Lambda handlers once, so that
 * tests which spawn the real `lambda-static-ip` binary or load a bundle run the code under test, not a
 * stale build.
 */
export default function buildOnce(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
