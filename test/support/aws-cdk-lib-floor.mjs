// Preload for `node --import tsx --import ./test/support/aws-cdk-lib-floor.mjs app.ts`: every import and
// every require of aws-cdk-lib (and its submodules) loads the `aws-cdk-lib-floor` devDependency instead, the
// oldest aws-cdk-lib the peer range admits. aws-cdk-lib requires only itself, relatively, so one redirect
// at its entry points moves the whole library. Both module systems need the redirect: the app's own
// modules are ES modules, but CommonJS libraries built on aws-cdk-lib (cdk-fck-nat) require it, and on
// Node 20 require() does not pass through the ES module hooks.
import Module, { register } from 'node:module';

const FLOOR = /^aws-cdk-lib(?=$|\/)/;

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier.replace(${FLOOR}, 'aws-cdk-lib-floor'), context);
}`)}`,
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request.replace(FLOOR, 'aws-cdk-lib-floor'), ...rest);
};
