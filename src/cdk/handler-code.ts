import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Architecture, Code, Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { HANDLER_RUNTIME, MIN_HANDLER_NODE_MAJOR } from '../handlers/timeout-budget.js';
import { propsError } from './props-error.js';

/** The handlers `scripts/bundle-handlers.mjs` builds, each to `dist/handlers/<name>/index.mjs`. */
export type HandlerName = 'controller' | 'probe';

// In the CommonJS build, scripts/build.mjs replaces import.meta.url with the module's URL from __filename.
const here = dirname(fileURLToPath(import.meta.url));

// Compiled, this module is dist/cjs/cdk/ (in the checkout or in node_modules), so the bundles are at
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

/**
 * The runtime of the project's functions: `runtime` when given, else nodejs22.x. The bundles are ESM built
 * for Node.js 20 and later, so any other family, or an older Node.js, is refused at synth.
 *
 * @throws InputError `UnsupportedRuntime`, naming the runtime and the fix
 */
export function handlerRuntime(scope: IConstruct, runtime?: Runtime): Runtime {
  if (runtime === undefined) {
    const pinned = Runtime.NODEJS_22_X;
    if (pinned.name !== HANDLER_RUNTIME) throw new Error(`runtime ${pinned.name} is not ${HANDLER_RUNTIME}`);
    return pinned;
  }
  const major = /^nodejs(\d+)\.x$/.exec(runtime.name)?.[1];
  if (
    runtime.family !== RuntimeFamily.NODEJS ||
    major === undefined ||
    Number(major) < MIN_HANDLER_NODE_MAJOR
  ) {
    throw propsError(
      scope,
      'UnsupportedRuntime',
      `runtime ${runtime.name} cannot run the lambda-static-ip handlers (ES modules built for Node.js ${MIN_HANDLER_NODE_MAJOR} and later); use a Node.js runtime from nodejs${MIN_HANDLER_NODE_MAJOR}.x on, or leave runtime out for ${HANDLER_RUNTIME}`,
    );
  }
  return runtime;
}
