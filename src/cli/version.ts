import { createRequire } from 'node:module';

/**
 * This package's version, from its package.json, found by the package's own name (Node resolves a
 * package's name from inside it through its `exports`, which list `./package.json`): the same answer
 * from src/cli (tests, tsx) and from dist/src/cli (the installed bin), with no path that depends on
 * where the file was compiled to. ESM and CLI-only: `import.meta` stays out of the library, which may
 * also be compiled to CommonJS.
 */
export function packageVersion(): string {
  const manifest = createRequire(import.meta.url)('lambda-static-ip/package.json') as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version');
  return manifest.version;
}
