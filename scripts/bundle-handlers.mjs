// Bundles the Lambda handlers for `Code.fromAsset`: one self-contained ESM file per handler, built for
// Node.js 20 and later (MIN_HANDLER_NODE_MAJOR; the constructs default to nodejs22.x and accept any
// nodejs runtime from 20 on), at dist/handlers/<name>/index.mjs (handler `index.handler`). Run by
// scripts/build.mjs.
//
// The AWS SDK is bundled rather than taken from the runtime: the runtime's copy changes under us
// whenever AWS updates it, while a bundle runs exactly the SDK versions package-lock.json pins and the
// tests ran against. Two steps keep it small (docs/controller.md, "The bundle"):
// - each SDK client's schema module lists every operation's shapes; its objects use computed keys
//   (`{ [_xN]: _gN }`), which esbuild must assume have side effects, so it keeps all of them (540 KB for
//   EC2 alone). Rewriting those keys to the string literals they stand for lets esbuild drop every shape
//   no command we use reaches;
// - in the controller, the SDK's default credential chain (SSO, ini files, web identity, container and
//   instance metadata, with the nested STS/SSO clients they need) is replaced by its first link, the
//   environment, which is where Lambda puts the execution role's credentials (src/handlers/lambda-credentials.ts).

import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const handlers = ['controller', 'probe'];

/** Rewrites `[_name]:` keys of the SDK's schema modules to the literal their `const _name = "…"` holds. */
const literalSchemaKeys = {
  name: 'literal-schema-keys',
  setup(builder) {
    builder.onLoad(
      { filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](.+[\\/])?schemas[\\/]schemas_\d+\.js$/ },
      async (args) => {
        const text = await readFile(args.path, 'utf8');
        const literals = new Map();
        for (const [, name, value] of text.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) {
          literals.set(name, value);
        }
        const contents = text.replace(/\[(_\w+)\]:/g, (key, name) =>
          literals.has(name) ? `${literals.get(name)}:` : key,
        );
        return { contents, loader: 'js' };
      },
    );
  },
};

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
    plugins: [literalSchemaKeys],
    // Resolved from absWorkingDir: the Lambda credential source in place of the SDK's whole chain.
    alias: { '@aws-sdk/credential-provider-node': './src/handlers/lambda-credentials.ts' },
    // CommonJS code left in the bundle may call require() for Node built-ins; ESM has none.
    banner: {
      js: "import { createRequire as lsiCreateRequire } from 'node:module'; const require = lsiCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const kib = (statSync(`${root}/${outfile}`).size / 1024).toFixed(1);
  console.log(`bundled ${name}: ${outfile} (${kib} KiB)`);
}
