import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childEnvironment,
  installFixture,
  type PackedPackage,
  packPackage,
  ROOT,
  run,
} from '../support/packed-package.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

// The package as users get it: one `npm pack`, then apps that install the tarball offline and use it.
describe('the packed package', () => {
  let work = '';
  let packed: PackedPackage;

  beforeAll(async () => {
    work = temporaryDirectory('lsi-pack-');
    packed = await packPackage(work);
  }, MINUTES * 5);
  // Two installed apps are many small files: their removal gets its own time.
  afterAll(() => rmSync(work, { recursive: true, force: true }), MINUTES * 5);

  it('ships the built code, the demo and its Python launcher, and no tests, sources or source maps', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'CHANGELOG.md',
        'package.json',
        'dist/cjs/index.js',
        'dist/cjs/cdk/index.d.ts',
        'dist/esm/cdk.mjs',
        'dist/esm/cdk.d.mts',
        'dist/src/cli/main.js',
        'dist/testbed/demo.js',
        'dist/handlers/controller/index.mjs',
        'dist/handlers/probe/index.mjs',
        'testbed/moto/launch.py',
        'testbed/moto/patches.py',
      ]),
    );
    const unwanted = paths.filter(
      (path) =>
        path.endsWith('.map') ||
        /^(test|src|bench|examples|scripts)\//.test(path) ||
        (/\.(ts|mts|cts)$/.test(path) && !/\.d\.(ts|mts)$/.test(path)),
    );
    expect(unwanted).toEqual([]);
    // The test bed ships only what `demo` loads: not the fault proxy, churn scenarios or harnesses.
    expect(paths.filter((path) => path.startsWith('dist/testbed/')).sort()).not.toContain(
      'dist/testbed/fault-proxy.js',
    );
  });

  it('has types for require and import under node10, node16 and bundler resolution (arethetypeswrong)', async () => {
    // `./serverless` is an ES module the Serverless Framework imports, never an app: only the library's
    // entry points must serve require and import alike.
    const attw = await run(
      process.execPath,
      [
        join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'),
        packed.tarball,
        '--format',
        'json',
        '--exclude-entrypoints',
        './serverless',
      ],
      work,
      childEnvironment(work),
    );
    const report = JSON.parse(attw.stdout) as AttwReport;
    expect(report.analysis.problems).toEqual([]);
    const resolved = Object.fromEntries(
      ['.', './cdk'].flatMap((entry) =>
        Object.entries(report.analysis.entrypoints[entry]?.resolutions ?? {}).map(([kind, resolution]) => [
          `${entry} ${kind}`,
          resolution.resolution?.fileName.replace('/node_modules/lambda-static-ip/', ''),
        ]),
      ),
    );
    expect(resolved).toEqual({
      '. node10': 'dist/cjs/index.d.ts',
      '. node16-cjs': 'dist/cjs/index.d.ts',
      '. node16-esm': 'dist/esm/index.d.mts',
      '. bundler': 'dist/esm/index.d.mts',
      './cdk node10': 'dist/cjs/cdk/index.d.ts',
      './cdk node16-cjs': 'dist/cjs/cdk/index.d.ts',
      './cdk node16-esm': 'dist/esm/cdk.d.mts',
      './cdk bundler': 'dist/esm/cdk.d.mts',
    });
    expect(attw.code).toBe(0);
  });

  it(
    'works in a CommonJS CDK app laid out as `cdk init app --language typescript`: tsc, then Jest with ts-jest',
    async () => {
      const app = await installFixture('cjs-app', packed, work);
      const env = childEnvironment(join(app, 'tmp'));
      // cdk init's settings check every declaration file too (no skipLibCheck): ours are held to them.
      const typecheck = await run(
        process.execPath,
        ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.'],
        app,
        env,
      );
      expect(typecheck.stdout).toBe('');
      expect(typecheck.code).toBe(0);
      const jest = await run(
        process.execPath,
        ['node_modules/jest/bin/jest.js', '--ci', '--runInBand', '--cacheDirectory', join(app, 'tmp/jest')],
        app,
        env,
      );
      expect(jest.stderr).toMatch(/Tests:\s+1 passed, 1 total/);
      expect(jest.code).toBe(0);
    },
    MINUTES * 10,
  );

  it(
    'works in an ES module CDK app (nodenext): tsc, then node:test through tsx',
    async () => {
      const app = await installFixture('esm-app', packed, work);
      const env = childEnvironment(join(app, 'tmp'));
      const typecheck = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], app, env);
      expect(typecheck.stdout).toBe('');
      expect(typecheck.code).toBe(0);
      const test = await run(
        process.execPath,
        ['--import', 'tsx', '--test', '--test-reporter=tap', 'test/egress-stack.test.ts'],
        app,
        env,
      );
      expect(test.stdout).toMatch(/^# pass 1$/m);
      expect(test.stdout).toMatch(/^# fail 0$/m);
      expect(test.code).toBe(0);
    },
    MINUTES * 10,
  );
});

const MINUTES = 60_000;

interface AttwReport {
  readonly analysis: {
    readonly problems: readonly unknown[];
    readonly entrypoints: Record<
      string,
      { readonly resolutions: Record<string, { readonly resolution?: { readonly fileName: string } }> }
    >;
  };
}
