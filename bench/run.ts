import { ChurnAccount, type ChurnConfig, type LocalAws, startLocalAws } from '../testbed/index.js';
import { type ChurnReport, renderChurn, renderSweep, runChurn, runSweep, type SweepReport } from './churn.js';
import { type ConcurrencyReport, renderConcurrency, runConcurrency } from './concurrency.js';
import { type ControllerFigures, measureController, renderController } from './controller-bundle.js';
import { type ModelDraw, modelDraw } from './model.js';
import { measurePack, renderPack } from './pack-size.js';
import { type ResyncRow, renderResync, renderScale, runResync, runScale, type ScaleReport } from './scale.js';

/**
 * `npm run bench [-- --json] [-- --only churn,sweep,scale,resync,controller] [-- --sizes 10,100]
 * [-- --draws 40] [-- --seed 1] [-- --lanes 2] [-- --keepers both|on|off] [-- --model report.json]`:
 * figures, never assertions.
 * `--model` replays the churn scenarios with a field test's measured timings (medians), and the sweep
 * over the measured spans (docs/field-test.md).
 * Everything runs offline on the
 * local AWS; with --json, stdout holds exactly one JSON document and progress goes to stderr.
 * `resync` alone gives the controller's resync figures without the per-function baseline (`scale`
 * includes them). `concurrency [--trials 5]` measures concurrent runs under stale reads (docs/safety.md);
 * it takes minutes, so the default run leaves it out. `--keepers on` (or `off`) runs churn and sweep
 * only in the configurations with (without) keepers.
 */
const PARTS = ['churn', 'sweep', 'scale', 'resync', 'controller', 'concurrency'] as const;
const DEFAULT_PARTS = ['churn', 'sweep', 'scale', 'controller'];
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const whole = (name: string, fallback: number, min: number) => {
  const text = option(name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`${name} must be a whole number >= ${min}, got ${text}\n`);
    process.exit(2);
  }
  return value;
};
const json = args.includes('--json');
const modelPath = option('--model');
let model: ModelDraw | undefined;
try {
  model = modelPath === undefined ? undefined : modelDraw(modelPath);
} catch (error) {
  process.stderr.write(`--model: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const only = option('--only')?.split(',') ?? (model ? ['churn', 'sweep'] : DEFAULT_PARTS);
const unknown = only.filter((part) => !(PARTS as readonly string[]).includes(part));
if (unknown.length > 0) {
  process.stderr.write(`--only takes ${PARTS.join(', ')} (comma-separated), got ${unknown.join(', ')}\n`);
  process.exit(2);
}
const sizes = (option('--sizes') ?? '10,100,1000,3000').split(',').map(Number);
const draws = whole('--draws', 40, 1);
const seed = whole('--seed', 1, 0);
const laneCount = whole('--lanes', 2, 1);
const trials = whole('--trials', 5, 1);
const keepers = option('--keepers') ?? 'both';
if (!['both', 'on', 'off'].includes(keepers)) {
  process.stderr.write(`--keepers takes both, on or off, got ${keepers}\n`);
  process.exit(2);
}
const keep = (config: ChurnConfig) => keepers === 'both' || config.keepers === (keepers === 'on');
const log = (line: string) => process.stderr.write(`${line}\n`);

// Churn and sweep runs spread over lanes (one local AWS each); scale and resync use the first; the
// controller's bundle figures need no local AWS.
const needsLanes = only.includes('churn') || only.includes('sweep');
const needsAws =
  needsLanes || only.includes('scale') || only.includes('resync') || only.includes('concurrency');
const lanes: LocalAws[] = [];
try {
  for (let lane = 0; lane < (needsLanes ? laneCount : needsAws ? 1 : 0); lane++)
    lanes.push(await startLocalAws({ startTimeoutMs: 120_000 }));
  const [first] = lanes;
  const accounts = lanes.map((aws) => new ChurnAccount(aws));
  const started = performance.now();
  if (model) {
    log(`--model: timings measured by field test ${model.runId} (${model.mode}), from ${model.from}`);
    for (const name of model.defaulted) log(`--model: ${name}; the default is used`);
  }
  const churn: ChurnReport | undefined = only.includes('churn')
    ? await runChurn(accounts, log, keep, model?.draw)
    : undefined;
  const sweep: SweepReport | undefined = only.includes('sweep')
    ? await runSweep(accounts, { draws, seed, ...(model ? { ranges: model.ranges } : {}) }, log, keep)
    : undefined;
  const scale: ScaleReport | undefined =
    first && only.includes('scale') ? await runScale(first, sizes, log) : undefined;
  const resync: { resync: ResyncRow[] } | undefined =
    first && only.includes('resync') && !only.includes('scale')
      ? await runResync(first, sizes, log)
      : undefined;
  const controller: ControllerFigures | undefined = only.includes('controller')
    ? await measureController(log)
    : undefined;
  const concurrency: ConcurrencyReport | undefined =
    first && only.includes('concurrency') ? await runConcurrency(first, log, trials) : undefined;
  const pack = measurePack();
  const document = {
    generatedBy: 'npm run bench',
    ...(model ? { model } : {}),
    ...churn,
    ...sweep,
    ...scale,
    ...resync,
    ...(controller ? { controller } : {}),
    ...concurrency,
    ...pack,
    benchWallMs: Math.round(performance.now() - started),
  };
  const human = [
    churn ? renderChurn(churn) : '',
    sweep ? renderSweep(sweep) : '',
    scale ? renderScale(scale) : '',
    resync ? renderResync(resync.resync) : '',
    controller ? renderController(controller) : '',
    concurrency ? renderConcurrency(concurrency) : '',
    renderPack(pack),
  ]
    .filter(Boolean)
    .join('\n\n');
  process.stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : `${human}\n`);
} finally {
  await Promise.all(lanes.map((aws) => aws.stop()));
}
