import { renderTable } from '../src/cli/table.js';
import {
  CHURN_DRAW_RANGES,
  CHURN_SCENARIOS,
  type ChurnAccount,
  type ChurnConfig,
  type ChurnDraw,
  type ChurnDrawRanges,
  type ChurnResult,
  type ChurnScenario,
  churnConfigs,
  churnDraw,
  DEFAULT_CHURN_DRAW,
  describeChurnConfig,
  runChurnScenario,
  TIMINGS,
} from '../testbed/index.js';

export interface ChurnReport {
  /** The draw of the table: the realistic defaults of testbed/timings.ts, or a field test's measurements (--model). */
  readonly defaultDraw: ChurnDraw;
  readonly churn: ChurnResult[];
}

/** One scenario in one configuration, over every draw of the sweep. */
export interface SweepRow {
  readonly scenario: string;
  readonly config: ChurnConfig;
  readonly draws: number;
  readonly maxDowntimeMs: number;
  /** Nearest rank: with 40 draws the 99th percentile is the largest value, the maximum. */
  readonly p99DowntimeMs: number;
  /** The draw that gave the maximum (the first of them), with its index in the sweep. */
  readonly worstDraw: ChurnDraw & { readonly index: number };
  /** Draws whose downtime exceeded the design bound for that draw (testbed/churn-bound.ts): should be 0. */
  readonly drawsOverBound: number;
  /** Summed over the draws: must be 0. */
  readonly ipsTakenFromServingEnis: number;
  readonly drawsNotConverged: number;
  /** With keepers: draws whose deployment failed at the wait (PoolExhausted) and never made the change. */
  readonly drawsRolledBack: number;
}

export interface SweepReport {
  readonly sweepSettings: {
    readonly draws: number;
    readonly seed: number;
    readonly lanes: number;
    readonly ranges: Readonly<Record<keyof ChurnDraw, readonly [number, number]>>;
    readonly wallMs: number;
  };
  readonly sweep: SweepRow[];
}

/** Every churn scenario in each of its configurations, once, with the default draw. */
export async function runChurn(
  lanes: readonly ChurnAccount[],
  log: (line: string) => void,
  keep: (config: ChurnConfig) => boolean = () => true,
  /** The timings to run with: a field test's measurements (`--model`), or the defaults. */
  draw: ChurnDraw = DEFAULT_CHURN_DRAW,
): Promise<ChurnReport> {
  const jobs = CHURN_SCENARIOS.flatMap((scenario) =>
    churnConfigs(scenario)
      .filter(keep)
      .map((config) => ({ scenario, config, draw })),
  );
  const churn = await runInLanes(lanes, jobs, (result) =>
    log(
      `churn: ${result.scenario}, ${describeChurnConfig(result.config)}: ${result.downtimeMs / 1000} s down`,
    ),
  );
  return { defaultDraw: draw, churn };
}

/**
 * Every scenario in every configuration over `draws` draws of the timings AWS does not publish
 * (testbed/churn-scenarios.ts `churnDraw`: the corners of the ranges, then seeded uniform draws).
 */
export async function runSweep(
  lanes: readonly ChurnAccount[],
  options: {
    readonly draws: number;
    readonly seed: number;
    /** @default CHURN_DRAW_RANGES; `--model` gives the field test's measured ranges */
    readonly ranges?: ChurnDrawRanges;
  },
  log: (line: string) => void,
  keep: (config: ChurnConfig) => boolean = () => true,
): Promise<SweepReport> {
  const started = performance.now();
  const ranges = options.ranges ?? CHURN_DRAW_RANGES;
  const draws = sweepDraws(options.draws, options.seed, ranges);
  const groups = CHURN_SCENARIOS.flatMap((scenario) =>
    churnConfigs(scenario)
      .filter(keep)
      .map((config) => ({ scenario, config })),
  );
  const jobs = groups.flatMap(({ scenario, config }) => draws.map((draw) => ({ scenario, config, draw })));
  let done = 0;
  const results = await runInLanes(lanes, jobs, () => {
    done++;
    if (done % 40 === 0 || done === jobs.length) {
      log(`sweep: ${done}/${jobs.length} runs, ${Math.round((performance.now() - started) / 1000)} s`);
    }
  });
  const sweep = groups.map(({ scenario, config }, group) => {
    const rows = results.slice(group * draws.length, (group + 1) * draws.length);
    return sweepRow(scenario, config, rows);
  });
  return {
    sweepSettings: {
      draws: options.draws,
      seed: options.seed,
      lanes: lanes.length,
      ranges,
      wallMs: Math.round(performance.now() - started),
    },
    sweep,
  };
}

/** The sweep's draws: `count` of them over `ranges` (the corners first, then seeded uniform draws). */
export function sweepDraws(count: number, seed: number, ranges: ChurnDrawRanges): ChurnDraw[] {
  return Array.from({ length: count }, (_, index) => churnDraw(seed, index, ranges));
}

function sweepRow(scenario: ChurnScenario, config: ChurnConfig, rows: readonly ChurnResult[]): SweepRow {
  const downtimes = rows.map((row) => row.downtimeMs);
  const max = Math.max(...downtimes);
  const worst = downtimes.indexOf(max);
  const sorted = [...downtimes].sort((a, b) => a - b);
  const p99 = sorted[Math.ceil(0.99 * sorted.length) - 1] ?? 0;
  return {
    scenario: scenario.name,
    config,
    draws: rows.length,
    maxDowntimeMs: max,
    p99DowntimeMs: p99,
    worstDraw: { ...(rows[worst]?.draw ?? DEFAULT_CHURN_DRAW), index: worst },
    drawsOverBound: rows.filter((row) => row.downtimeMs > row.boundMs).length,
    ipsTakenFromServingEnis: rows.reduce((sum, row) => sum + row.ipsTakenFromServingEnis, 0),
    drawsNotConverged: rows.filter((row) => !row.converged || !row.quiescent).length,
    drawsRolledBack: rows.filter((row) => row.rolledBack).length,
  };
}

/**
 * Runs the jobs on as many local AWS servers as there are lanes, each lane one run at a time in its own
 * account, and returns the results in the jobs' order. Two lanes keep both cores busy: while
 * one lane's controller thinks, the other lane's moto answers.
 */
async function runInLanes(
  lanes: readonly ChurnAccount[],
  jobs: readonly { scenario: ChurnScenario; config: ChurnConfig; draw: ChurnDraw }[],
  onResult: (result: ChurnResult) => void,
): Promise<ChurnResult[]> {
  const results: ChurnResult[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    lanes.map(async (account) => {
      for (let index = next++; index < jobs.length; index = next++) {
        const job = jobs[index];
        if (!job) break;
        const result = await runChurnScenario(account, job.scenario, job.config, job.draw);
        results[index] = result;
        onResult(result);
      }
    }),
  );
  return results;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const minutes = (ms: number) => `${Math.round(ms / 6000) / 10} min`;

export function renderChurn(report: ChurnReport): string {
  const draw = report.defaultDraw;
  return [
    `Churn, ${draw === DEFAULT_CHURN_DRAW ? 'default draw' : 'measured timings'}: egress downtime (max over functions) on the virtual clock; events arrive after ${seconds(draw.eventDelayMs)}, ` +
      `traffic moves to a new ENI ${seconds(draw.eniSwitchMs)} after Lambda creates it, ENIs are deleted ${minutes(draw.eniDeletionDelayMs)} ` +
      `after their last user, resync every minute from ${seconds(draw.schedulePhaseMs)} after the change; watched until quiescent`,
    renderTable(
      [
        'SCENARIO',
        'CONFIGURATION',
        'DOWNTIME',
        'BOUND',
        'AWS CALLS',
        'INVOCATIONS',
        'IPS TAKEN FROM SERVING ENIS',
        'POOL IPS',
        'DEPLOYMENT',
      ],
      report.churn.map((row) => [
        row.scenario,
        describeChurnConfig(row.config),
        seconds(row.downtimeMs),
        seconds(row.boundMs),
        String(row.awsCalls),
        `${row.controllerInvocations} (+${row.elidedTicks} idle)`,
        String(row.ipsTakenFromServingEnis),
        row.poolIpsAfter.join() === row.poolIpsBefore.join()
          ? `${row.poolIpsAfter.length}, same`
          : `${row.poolIpsBefore.length} -> ${row.poolIpsAfter.length}`,
        row.rolledBack ? 'rolled back (PoolExhausted)' : 'applied',
      ]),
    ),
  ].join('\n');
}

export function renderSweep(report: SweepReport): string {
  const { sweepSettings: settings } = report;
  const range = (name: keyof ChurnDraw) => {
    const [min, max] = settings.ranges[name];
    return name === 'eniDeletionDelayMs'
      ? `${minutes(min)}–${minutes(max)}`
      : `${seconds(min)}–${seconds(max)}`;
  };
  return [
    `Sweep: ${settings.draws} draws per configuration (seed ${settings.seed}; the 16 corners, then uniform): event delay ${range('eventDelayMs')}, ` +
      `ENI readiness ${range('eniSwitchMs')}, deletion delay ${range('eniDeletionDelayMs')}, schedule phase ${range('schedulePhaseMs')}; ` +
      `${settings.lanes} lanes, ${seconds(settings.wallMs)}`,
    renderTable(
      [
        'SCENARIO',
        'CONFIGURATION',
        'DRAWS',
        'MAX DOWNTIME',
        'P99',
        'WORST DRAW (event, ready, delete, phase)',
        'OVER BOUND',
        'IPS TAKEN',
        'NOT CONVERGED',
        'ROLLED BACK',
      ],
      report.sweep.map((row) => [
        row.scenario,
        describeChurnConfig(row.config),
        String(row.draws),
        seconds(row.maxDowntimeMs),
        seconds(row.p99DowntimeMs),
        `#${row.worstDraw.index}: ${seconds(row.worstDraw.eventDelayMs)}, ${seconds(row.worstDraw.eniSwitchMs)}, ` +
          `${minutes(row.worstDraw.eniDeletionDelayMs)}, ${seconds(row.worstDraw.schedulePhaseMs)}`,
        String(row.drawsOverBound),
        String(row.ipsTakenFromServingEnis),
        String(row.drawsNotConverged),
        String(row.drawsRolledBack),
      ]),
    ),
    `Timings and their sources: testbed/timings.ts (${Object.keys(TIMINGS).join(', ')}).`,
  ].join('\n');
}
