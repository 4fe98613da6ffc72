import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/**
 * A new directory in the temp dir, removed when the test file ends (test/support/remove-temporary.ts, a
 * setup file of every test file, calls removeTemporaryDirectories).
 */
export function temporaryDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  made.push(directory);
  return directory;
}

/**
 * Removes the directories temporaryDirectory made, and the cloud assemblies aws-cdk-lib wrote to the temp
 * dir for apps without an outdir (`cdk.out*`). aws-cdk-lib removes those itself only when the process
 * exits normally, which Vitest's workers do not.
 */
export function removeTemporaryDirectories(): void {
  for (const directory of made.splice(0)) rmSync(directory, { recursive: true, force: true });
  // Only the copies of aws-cdk-lib this test file loaded: asking for one here would load it.
  const cache = createRequire(import.meta.url).cache;
  for (const [path, module] of Object.entries(cache)) {
    if (!path.endsWith('cloud-assembly.js')) continue;
    const cloudAssembly = (
      module?.exports as { CloudAssembly?: { cleanupTemporaryDirectories?: () => void } }
    )?.CloudAssembly;
    cloudAssembly?.cleanupTemporaryDirectories?.();
  }
}
