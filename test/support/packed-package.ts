import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NodeRun, runProcess } from './cli.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures');

/** The environment of the fixtures' tools: temporary files go under `tmp` (removed with the fixture). */
export function childEnvironment(tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, CI: 'true' };
  for (const name of Object.keys(env))
    if (name.startsWith('VITEST') || name === 'NODE_OPTIONS') delete env[name];
  return env;
}

/** Runs a tool of the fixtures to its end (at most 10 minutes: a type check of aws-cdk-lib on a busy machine). */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<NodeRun> {
  return runProcess(command, args, { cwd, env, timeoutMs: 10 * 60_000 });
}

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface PackedPackage {
  readonly tarball: string;
  readonly files: readonly PackedFile[];
  /** The package.json that went into the tarball. */
  readonly manifest: PackageJson;
}

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly [key: string]: unknown;
}

/**
 * `npm pack` of the checkout into `destination`, as a release would make it. dist/ is already built (the
 * tests' global setup), so the pack skips `prepare`.
 */
export async function packPackage(destination: string): Promise<PackedPackage> {
  const result = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--loglevel=error', '--pack-destination', destination],
    ROOT,
    process.env,
  );
  if (result.code !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
  const [report] = JSON.parse(result.stdout) as [{ filename: string; files: PackedFile[] }];
  return {
    tarball: join(destination, report.filename),
    files: report.files,
    manifest: readJson(join(ROOT, 'package.json')),
  };
}

export interface InstallOptions {
  /**
   * The root devDependency that plays aws-cdk-lib in the app (`aws-cdk-lib-floor` for the oldest version
   * the peer range admits). @default 'aws-cdk-lib'
   */
  readonly awsCdkLib?: string;
}

/**
 * Copies test/fixtures/<name> to `workDir/<name>` and installs the packed package into it as a user's
 * `npm ci` would: from the tarball, its dependencies from the npm cache (offline), with a lockfile made
 * from this checkout's own (npm's cache holds what the root `npm ci` fetched, by those exact versions).
 * The app's toolchain (aws-cdk-lib, constructs, TypeScript, the test runner) is linked from the checkout's
 * node_modules rather than copied (hundreds of MB); it is the app's, not what is under test.
 */
export async function installFixture(
  name: string,
  packed: PackedPackage,
  workDir: string,
  options: InstallOptions = {},
): Promise<string> {
  const app = join(workDir, name);
  cpSync(join(FIXTURES, name), app, { recursive: true });
  const appManifest = readJson(join(app, 'package.json'));
  const spec = `file:../${basename(packed.tarball)}`;
  // The tarball must sit where `spec` points: beside the app.
  if (dirname(packed.tarball) !== workDir) cpSync(packed.tarball, join(workDir, basename(packed.tarball)));

  // npm ci with only the package under test, then the app's own package.json back, as the user has it.
  writeJson(join(app, 'package.json'), {
    name,
    version: '0.0.0',
    dependencies: { [packed.manifest.name]: spec },
  });
  writeJson(join(app, 'package-lock.json'), lockfileFor(name, packed, spec));
  const env = childEnvironment(join(app, 'tmp'));
  mkdirSync(join(app, 'tmp'));
  const install = await run(
    'npm',
    ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'],
    app,
    env,
  );
  if (install.code !== 0) throw new Error(`npm ci --offline of the tarball failed: ${install.stderr}`);

  const awsCdkLib = options.awsCdkLib ?? 'aws-cdk-lib';
  const toolchain = { ...appManifest.dependencies, ...appManifest.devDependencies };
  for (const dependency of Object.keys(toolchain)) {
    const source = dependency === 'aws-cdk-lib' ? awsCdkLib : dependency;
    const target = join(ROOT, 'node_modules', source);
    const { version } = readJson(join(target, 'package.json'));
    toolchain[dependency] = version;
    const link = join(app, 'node_modules', dependency);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
  writeJson(join(app, 'package.json'), {
    ...appManifest,
    dependencies: { ...pick(toolchain, appManifest.dependencies), [packed.manifest.name]: spec },
    devDependencies: pick(toolchain, appManifest.devDependencies),
  });
  return app;
}

/**
 * A v3 lockfile for an app whose one dependency is the tarball: the tarball's entry, and its dependencies'
 * closure as this checkout's package-lock.json resolved them (same paths, versions and integrity).
 */
function lockfileFor(name: string, packed: PackedPackage, spec: string): unknown {
  const lock = readJson(join(ROOT, 'package-lock.json')) as unknown as {
    packages: Record<string, LockEntry>;
  };
  const packages: Record<string, LockEntry> = {};
  const visit = (from: string, dependency: string): void => {
    // Node's lookup over the lockfile's paths: the nearest node_modules that holds it, walking up.
    let base = from;
    for (;;) {
      const location = `${base === '' ? '' : `${base}/`}node_modules/${dependency}`;
      const entry = lock.packages[location];
      if (entry !== undefined) {
        if (packages[location] === undefined) {
          const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
          packages[location] = kept;
          for (const next of dependenciesOf(entry)) visit(location, next);
        }
        return;
      }
      if (base === '') {
        // An optional dependency for another platform is absent from the lockfile, as from an install.
        if (lock.packages[from]?.optionalDependencies?.[dependency] !== undefined) return;
        throw new Error(`${dependency} (needed by ${from || 'the package'}) is not in package-lock.json`);
      }
      const parent = base.lastIndexOf('/node_modules/');
      base = parent < 0 ? '' : base.slice(0, parent);
    }
  };
  for (const dependency of Object.keys(packed.manifest.dependencies ?? {})) visit('', dependency);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(packed.tarball)).digest('base64')}`;
  return {
    name,
    version: '0.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name, version: '0.0.0', dependencies: { [packed.manifest.name]: spec } },
      [`node_modules/${packed.manifest.name}`]: {
        version: packed.manifest.version,
        resolved: spec,
        integrity,
        dependencies: packed.manifest.dependencies,
        peerDependencies: packed.manifest.peerDependencies,
        peerDependenciesMeta: packed.manifest.peerDependenciesMeta,
        bin: packed.manifest.bin,
        engines: packed.manifest.engines,
      },
      ...packages,
    },
  };
}

interface LockEntry {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly peer?: boolean;
  readonly [key: string]: unknown;
}

/** What npm installs for a package: its dependencies, optional ones and peers that are not optional. */
function dependenciesOf(entry: LockEntry): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter(
    (peer) => entry.peerDependenciesMeta?.[peer]?.optional !== true,
  );
  return [...Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }), ...peers];
}

function pick(
  versions: Record<string, string>,
  names: Record<string, string> | undefined,
): Record<string, string> {
  return Object.fromEntries(Object.keys(names ?? {}).map((name) => [name, versions[name] as string]));
}

function readJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
