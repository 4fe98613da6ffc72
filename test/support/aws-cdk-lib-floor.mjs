// Node module hooks for `node --import tsx --import ./test/support/aws-cdk-lib-floor.mjs app.ts`: every
// import of aws-cdk-lib (and its submodules) loads the `aws-cdk-lib-floor` devDependency instead, the
// oldest aws-cdk-lib the peer range admits. aws-cdk-lib requires only itself, relatively, so one redirect
// at its entry points moves the whole library.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, nextResolve) {
  const floor = specifier.replace(/^aws-cdk-lib(?=$|\\/)/, 'aws-cdk-lib-floor');
  return nextResolve(floor, context);
}`)}`,
);
