import { execFileSync } from 'node:child_process';

/**
 * Vitest global setup: compiles src/ and testbed/ to dist/ once, so that tests which spawn the real
 * `lambda-static-ip` binary run the code under test, not a stale build.
 */
export default function buildOnce(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
