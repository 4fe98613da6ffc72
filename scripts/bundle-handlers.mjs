// Bundles the Lambda handlers for `Code.fromAsset`: one self-contained ESM file per handler, built for
// Node.js 20 and later (MIN_HANDLER_NODE_MAJOR; the constructs default to nodejs22.x and accept any
// nodejs runtime from 20 on), at dist/handlers/<name>/index.mjs (handler `index.handler`). Run by
// scripts/build.mjs.
//
// The AWS SDK is bundled rather than taken from the runtime: the runtime's copy changes under us
// whenever AWS updates it, while a bundle runs exactly the SDK versions package-lock.json pins and the
// tests ran against.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const handlers = ['controller', 'probe'];

for (const name of handlers) {
  const outfile = `dist/handlers/${name}/index.mjs`;
  await build({
    absWorkingDir: root,
    entryPoints: [`src/handlers/${name}.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    // Prefer the SDK's ES module builds: they tree-shake; the CommonJS ones pull in whole packages.
    mainFields: ['module', 'main'],
    // CommonJS code left in the bundle may call require() for Node built-ins; ESM has none.
    banner: {
      js: "import { createRequire as lsiCreateRequire } from 'node:module'; const require = lsiCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const kib = (statSync(`${root}/${outfile}`).size / 1024).toFixed(1);
  console.log(`bundled ${name}: ${outfile} (${kib} KiB)`);
}
