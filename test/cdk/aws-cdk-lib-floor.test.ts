import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExampleApp } from '../../examples/example-app.js';
import { childEnvironment, ROOT, run } from '../support/packed-package.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
// The devDependency `aws-cdk-lib-floor` is `npm:aws-cdk-lib@<floor>`, so npm ci caches and installs it.
const FLOOR = (manifest.devDependencies['aws-cdk-lib-floor'] ?? '').replace(/^npm:aws-cdk-lib@/, '');
const FLOOR_DIR = join(ROOT, 'node_modules/aws-cdk-lib-floor');
const MINUTES = 60_000;

interface Template {
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
}

/** Each stack's resources as `logical id: type (property names)`: what a silently dropped prop would change. */
function shapes(outdir: string): Record<string, string[]> {
  return Object.fromEntries(
    readdirSync(outdir)
      .filter((name) => name.endsWith('.template.json'))
      .map((name) => {
        const template = JSON.parse(readFileSync(join(outdir, name), 'utf8')) as Template;
        const resources = Object.entries(template.Resources).map(
          ([id, resource]) =>
            `${id}: ${resource.Type} (${Object.keys(resource.Properties ?? {})
              .sort()
              .join(', ')})`,
        );
        return [name, resources.sort()];
      }),
  );
}

// The oldest aws-cdk-lib the peer range admits must have every API and property the constructs use: it is
// type-checked against, and the example app synthesised with, that very release.
describe(`aws-cdk-lib ${FLOOR}, the floor of the peer range`, () => {
  let work = '';

  beforeAll(() => {
    work = temporaryDirectory('lsi-floor-');
  });

  it('is the floor of the peer range', () => {
    expect(FLOOR).toMatch(/^2\.\d+\.\d+$/);
    expect(manifest.peerDependencies['aws-cdk-lib']).toBe(`^${FLOOR}`);
    expect(JSON.parse(readFileSync(join(FLOOR_DIR, 'package.json'), 'utf8')).version).toBe(FLOOR);
  });

  it(
    // The constructs only: the example app is an app, free to use newer APIs its aws-cdk-lib has (and it
    // does: Validations, for cdk-nag 3, when present).
    'type-checks the constructs',
    async () => {
      // The checkout's own settings, with aws-cdk-lib's declarations taken from the floor release.
      const tsconfig = join(work, 'tsconfig.json');
      writeFileSync(
        tsconfig,
        JSON.stringify({
          extends: join(ROOT, 'tsconfig.json'),
          compilerOptions: {
            noEmit: true,
            typeRoots: [join(ROOT, 'node_modules/@types')],
            paths: {
              'aws-cdk-lib': [join(FLOOR_DIR, 'index.d.ts')],
              'aws-cdk-lib/*': [join(FLOOR_DIR, '*/index.d.ts')],
            },
          },
          include: [],
          files: [join(ROOT, 'src/cdk/index.ts')],
        }),
      );
      // One compilation: --listFiles names the declarations it read, after any errors.
      const check = await run(
        process.execPath,
        [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig, '--listFiles'],
        work,
        childEnvironment(work),
      );
      const lines = check.stdout.split('\n');
      expect(lines.filter((line) => line.includes('error TS'))).toEqual([]);
      expect(check.code).toBe(0);
      // The paths really lead to the floor's declarations, not the pinned release's.
      expect(lines).toContain(join(FLOOR_DIR, 'aws-ec2/lib/ec2.generated.d.ts'));
      expect(lines.filter((line) => line.startsWith(join(ROOT, 'node_modules/aws-cdk-lib/')))).toEqual([]);
    },
    MINUTES * 5,
  );

  it(
    'synthesises the example app with the same resources and properties as the pinned release',
    async () => {
      const pinnedOut = join(work, 'pinned.out');
      const app = new App({ outdir: pinnedOut });
      buildExampleApp(app);
      const pinned = app.synth();

      const floorOut = join(work, 'floor.out');
      const synth = await run(
        process.execPath,
        ['--import', 'tsx', '--import', './test/support/aws-cdk-lib-floor.mjs', 'examples/app.ts'],
        ROOT,
        { ...childEnvironment(work), CDK_OUTDIR: floorOut },
      );
      expect(synth.stderr).toContain(`synthesised ${pinned.stacks.length} stacks to ${floorOut}`);
      expect(synth.code).toBe(0);
      // Every construct in the tree was made by the floor release.
      const tree = readFileSync(join(floorOut, 'tree.json'), 'utf8');
      const versions = new Set([...tree.matchAll(/"version":\s*"(2\.[^"]+)"/g)].map((match) => match[1]));
      expect([...versions]).toEqual([FLOOR]);
      expect(shapes(floorOut)).toEqual(shapes(pinnedOut));
    },
    MINUTES * 5,
  );
});
