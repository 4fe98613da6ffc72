import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Architecture, Code, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { HANDLER_RUNTIME } from '../handlers/timeout-budget.js';
import { propsError } from './props-error.js';

/** The handlers `scripts/bundle-handlers.mjs` builds, each to `dist/handlers/<name>/index.mjs`. */
export type HandlerName = 'controller' | 'probe';

const here = dirname(fileURLToPath(import.meta.url));

// Compiled, this module is dist/src/cdk/ (in the checkout or in node_modules), so the bundles are at
// ../../handlers; run from source (tsx, vitest) it is src/cdk/, and the bundles at ../../dist/handlers.
const BUNDLE_ROOTS = [resolve(here, '../../handlers'), resolve(here, '../../dist/handlers')];

/**
 * The pre-built bundle of a handler as Lambda code (`index.handler`, ESM, for nodejs22.x). Fails at synth,
 * naming the fix, when the bundle was never built: a deployment must not upload an empty asset.
 */
export function handlerCode(scope: IConstruct, name: HandlerName): Code {
  const directories = BUNDLE_ROOTS.map((root) => join(root, name));
  const found = directories.find((directory) => existsSync(join(directory, 'index.mjs')));
  if (found === undefined) {
    throw propsError(
      scope,
      'HandlerBundleMissing',
      `the ${name} handler bundle (index.mjs) is missing from ${directories.join(' and ')}; run npm run build in lambda-static-ip to bundle the handlers`,
    );
  }
  return Code.fromAsset(found);
}

/** The architecture the project's functions run on. */
export const HANDLER_ARCHITECTURE = Architecture.ARM_64;

/** The runtime the bundles are built for, pinned. */
export function handlerRuntime(): Runtime {
  const runtime = Runtime.NODEJS_22_X;
  if (runtime.name !== HANDLER_RUNTIME) throw new Error(`runtime ${runtime.name} is not ${HANDLER_RUNTIME}`);
  return runtime;
}
