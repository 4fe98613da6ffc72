import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * The commit whose controller `initMsBefore` measures: main before the lighter controller (issue 20),
 * built with that commit's own build script against today's node_modules (the same SDK versions), so
 * the comparison isolates what changed in the handler and its bundling.
 */
export const CONTROLLER_BASELINE_REF = 'a5a119e';

/** Module loads per bundle; the median is reported. */
const LOADS = 7;

export interface ControllerFigures {
  /** Size of dist/handlers/controller/index.mjs (npm run build); null when it has not been built. */
  readonly bundleKb: number | null;
  /** Median time to import the bundle in a fresh Node process: its share of a Lambda cold start. */
  readonly initMs: number | null;
  /** The same for the baseline commit's controller, built now from `git archive`; null without git history. */
  readonly initMsBefore: number | null;
  readonly bundleKbBefore: number | null;
  readonly baselineRef: string;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/** Builds the baseline controller in a temporary directory, measures both bundles' load, and cleans up. */
export async function measureController(log: (line: string) => void): Promise<ControllerFigures> {
  const current = join(root, 'dist/handlers/controller/index.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'lsi-controller-baseline-'));
  try {
    log(`controller: building the baseline handler of ${CONTROLLER_BASELINE_REF}...`);
    const before = await buildBaseline(dir).catch((error: unknown) => {
      log(`controller: no baseline (${error instanceof Error ? error.message : String(error)})`);
      return undefined;
    });
    const bundles = [existsSync(current) ? current : undefined, before];
    const loads: number[][] = [[], []];
    // Interleaved, so that load on the shared machine falls on both alike.
    for (let index = 0; index < LOADS; index++) {
      for (const [which, bundle] of bundles.entries()) {
        if (bundle) loads[which]?.push(await importMs(bundle));
      }
    }
    const figures = {
      bundleKb: kb(bundles[0]),
      initMs: median(loads[0] ?? []),
      initMsBefore: median(loads[1] ?? []),
      bundleKbBefore: kb(before),
      baselineRef: CONTROLLER_BASELINE_REF,
    };
    log(
      `controller: ${figures.bundleKb} KB, init ${figures.initMs} ms (before: ${figures.bundleKbBefore} KB, ${figures.initMsBefore} ms)`,
    );
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline's src/ and build script from git, bundled by that script into `dir`. */
async function buildBaseline(dir: string): Promise<string> {
  const archive = join(dir, 'baseline.tar');
  await run('git', ['archive', '--output', archive, CONTROLLER_BASELINE_REF, 'src', 'scripts'], {
    cwd: root,
  });
  await run('tar', ['-xf', archive, '-C', dir]);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await run(process.execPath, [join(dir, 'scripts/bundle-handlers.mjs')], { cwd: dir });
  return join(dir, 'dist/handlers/controller/index.mjs');
}

/** Milliseconds to import the bundle in a fresh process with no AWS environment (loading reads none). */
function importMs(bundle: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)}); process.stdout.write(String(performance.now() - t));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { PATH: process.env.PATH },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Number(out)) : reject(new Error(`loading ${bundle} exited ${code}`)),
    );
  });
}

function kb(file: string | undefined): number | null {
  return file && existsSync(file) ? Math.round(statSync(file).size / 1024) : null;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] as number) * 10) / 10;
}

export function renderController(figures: ControllerFigures): string {
  const shown = (kb: number | null, ms: number | null) =>
    kb === null ? 'not built' : `${kb} KB, loads in ${ms ?? '?'} ms`;
  return [
    `Controller bundle: ${shown(figures.bundleKb, figures.initMs)}`,
    `  ${figures.baselineRef} (before issue 20): ${shown(figures.bundleKbBefore, figures.initMsBefore)}`,
    "  (median of fresh Node processes importing it, interleaved; the machine's load shows in the ms)",
  ].join('\n');
}
