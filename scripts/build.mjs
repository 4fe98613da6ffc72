// Builds dist/: compiles src/ and testbed/ with tsc, marks the CLI's bin executable, and bundles the
// Lambda handlers. Run by `prepare`, `npm run build` and the tests' global setup.
//
// The bin must be executable itself: npm marks it so only when it links it, and `npx` reuses an earlier
// link, so a rebuilt file without the mode would fail with "Permission denied".
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });

const { bin } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
for (const file of Object.values(bin)) chmodSync(`${root}/${file}`, 0o755);

await import('./bundle-handlers.mjs');
