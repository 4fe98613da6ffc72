// Builds dist/ from a clean slate. Run by `prepare`, `npm run build` and the tests' global setup.
//
//   dist/cjs/      the library (package root) and the CDK constructs (`/cdk`): CommonJS, with .d.ts. The one
//                  implementation every consumer loads, so an app has one copy of each Construct class
//                  whether it uses require() or import (no dual-package hazard for instanceof or Stack.of).
//   dist/esm/      thin ES module wrappers that re-export dist/cjs by name, with .d.mts that re-export its
//                  declarations.
//   dist/src/, dist/testbed/
//                  the CLI (ESM: top-level await) and the part of the test bed its `demo` loads.
//   dist/handlers/ the Lambda handler bundles (bundle-handlers.mjs).
//
// No source maps: the TypeScript sources do not ship, so maps would point at nothing.
//
// The bin must be executable itself: npm marks it so only when it links it, and `npx` reuses an earlier
// link, so a rebuilt file without the mode would fail with "Permission denied".
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

rmSync(`${root}/dist`, { recursive: true, force: true });

// The CLI, the Serverless plugin and the demo's test bed: tsc follows their imports, the demo's lazy one included.
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
const { bin } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
for (const file of Object.values(bin)) chmodSync(`${root}/${file}`, 0o755);

// The CommonJS library: tsc writes the declarations and names every module the two entry points reach;
// esbuild compiles those modules one file each, keeping the module layout of the declarations.
const emitted = execFileSync(process.execPath, [tsc, '-p', 'tsconfig.cjs.json', '--listEmittedFiles'], {
  cwd: root,
  encoding: 'utf8',
});
const sources = emitted
  .split('\n')
  .filter((line) => line.startsWith('TSFILE: '))
  .map((line) =>
    line
      .slice('TSFILE: '.length)
      .replace(`${root}dist/cjs/`, 'src/')
      .replace(/\.d\.ts$/, '.ts'),
  );
const cjs = await build({
  absWorkingDir: root,
  entryPoints: sources,
  outdir: 'dist/cjs',
  outbase: 'src',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // import.meta does not exist in CommonJS: each module gets its own file URL from __filename instead
  // (handler-code.ts finds the handler bundles with it). The banner repeats "use strict" so that it stays
  // the module's first statement.
  define: { 'import.meta.url': '__lsiModuleUrl' },
  banner: { js: '"use strict";\nconst __lsiModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'silent',
});
if (cjs.warnings.length > 0) {
  throw new Error(`esbuild warned on the CommonJS build: ${cjs.warnings.map((w) => w.text).join('; ')}`);
}
writeFileSync(`${root}/dist/cjs/package.json`, `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

// ES module wrappers: named re-exports of the CommonJS modules' own export names, so `import { X }` works
// under Node and every bundler without relying on Node's static guess at CommonJS export names.
mkdirSync(`${root}/dist/esm`, { recursive: true });
for (const [wrapper, target] of [
  ['index', 'index.js'],
  ['cdk', 'cdk/index.js'],
]) {
  const names = Object.keys(require(`${root}/dist/cjs/${target}`)).filter((name) => name !== 'default');
  writeFileSync(
    `${root}/dist/esm/${wrapper}.mjs`,
    `import cjs from '../cjs/${target}';\nexport const { ${names.join(', ')} } = cjs;\n`,
  );
  writeFileSync(`${root}/dist/esm/${wrapper}.d.mts`, `export * from '../cjs/${target}';\n`);
}

await import('./bundle-handlers.mjs');
