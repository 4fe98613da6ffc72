import {
  DeleteNetworkInterfaceCommand,
  DescribeAddressesCommand,
  DisassociateAddressCommand,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import { allocatePoolAddress, describePoolAddresses } from '../src/aws/addresses.js';
import type { AwsClients } from '../src/aws/clients.js';
import { KEEPER_TAG_KEY, keeperFunctionName, keeperTagValue } from '../src/core/keeper.js';
import { POOL_TAG_KEY } from '../src/core/pool.js';
import { reconcile } from '../src/reconcile/reconcile.js';
import { type ChurnNeeds, churnDowntimeBoundMs } from './churn-bound.js';
import { ControllerHarness } from './controller-harness.js';
import { createVpcFixture, type VpcFixture } from './fixtures.js';
import { type CreateSimFunctionInput, LambdaSimulator, type SimVpcConfig } from './lambda-simulator.js';
import type { LocalAws } from './local-aws.js';
import { seededUnit } from './seeded-random.js';
import type { Timeline } from './timeline.js';
import { DEFAULT_TIMINGS, TIMINGS } from './timings.js';

const POOL = 'churn';
/** The controller's resync period (HyperplaneEgress's default `resyncInterval`). */
const SCHEDULE_MS = 60_000;
/** The update watch's default poll interval (LSI_UPDATE_POLL_SECONDS). */
const WATCH_POLL_MS = 5_000;
/** A run that has not settled this long after the change is cut off, and reported as not quiescent. */
const MAX_OBSERVED_MS = 3 * 60 * 60_000;
/** When the idle-reclaim scenario's function is invoked again, after the reclaim. */
const REACTIVATION_MS = 5 * 60_000;

/** How the pool is provisioned: what a user chooses, per scenario. */
export interface ChurnPool {
  /** Free pool IPs kept ready (the pool is sized to the bound ENIs plus these). */
  readonly spares: number;
  /** The controller may allocate new IPs when the pool has none free (the allow-list then grows). @default false */
  readonly allocate?: boolean;
}

/**
 * Knobs every scenario is crossed with, and the values a sweep tries. Adding a knob is one line here
 * (and what it does, in runChurnScenario); configurations, tables and reports pick it up.
 */
export const CHURN_KNOBS = {
  /** CloudTrail events never arrive: the schedule alone keeps the pool bound. */
  eventsLost: [false, true],
  /**
   * A keeper per (subnet, security-group set), as HyperplaneEgress deploys by default: the change is
   * deployed as CloudFormation orders it, the new combinations' keepers first, then the wait until their
   * ENIs hold pool IPs (the deployment fails and rolls back when the pool cannot give them one), then the
   * change. Invoked on their schedule, keepers keep their ENIs from being reclaimed as idle.
   */
  keepers: [false, true],
} as const;

type Knobs = { readonly [K in keyof typeof CHURN_KNOBS]: (typeof CHURN_KNOBS)[K][number] };

/** One configuration a scenario runs under: its pool, and a value for every knob. */
export type ChurnConfig = ChurnPool & Knobs;

/** The timings of one run: what AWS does not publish, and where the schedule ticks against the change. */
export interface ChurnDraw {
  readonly eventDelayMs: number;
  readonly eniSwitchMs: number;
  readonly eniDeletionDelayMs: number;
  /** From the change to the controller's first scheduled run; then one every minute. */
  readonly schedulePhaseMs: number;
}

/** The default draw: the realistic defaults of timings.ts, the first scheduled run right after the change. */
export const DEFAULT_CHURN_DRAW: ChurnDraw = {
  eventDelayMs: DEFAULT_TIMINGS.eventDelayMs,
  eniSwitchMs: DEFAULT_TIMINGS.eniSwitchMs,
  eniDeletionDelayMs: DEFAULT_TIMINGS.eniDeletionDelayMs,
  schedulePhaseMs: 0,
};

/** The ranges a sweep draws from: timings.ts's, and any phase of the one-minute schedule. */
export const CHURN_DRAW_RANGES: ChurnDrawRanges = {
  eventDelayMs: [TIMINGS.eventDelayMs.minMs, TIMINGS.eventDelayMs.maxMs],
  eniSwitchMs: [TIMINGS.eniSwitchMs.minMs, TIMINGS.eniSwitchMs.maxMs],
  eniDeletionDelayMs: [TIMINGS.eniDeletionDelayMs.minMs, TIMINGS.eniDeletionDelayMs.maxMs],
  schedulePhaseMs: [0, SCHEDULE_MS],
};

/** The ranges of a sweep: CHURN_DRAW_RANGES, or narrower ones (a field test's measurements, `--model`). */
export type ChurnDrawRanges = Readonly<Record<keyof ChurnDraw, readonly [number, number]>>;

/**
 * Draw `index` of a sweep seeded with `seed`. The first 2^4 draws are the corners of the ranges, where
 * worst cases tend to be; the rest are uniform, rounded to the second. A draw depends only on (seed,
 * index, ranges), so every scenario and configuration meets the same draws.
 * @param ranges @default CHURN_DRAW_RANGES
 */
export function churnDraw(
  seed: number,
  index: number,
  ranges: ChurnDrawRanges = CHURN_DRAW_RANGES,
): ChurnDraw {
  const names = Object.keys(CHURN_DRAW_RANGES) as (keyof ChurnDraw)[];
  const corners = 2 ** names.length;
  const draw: Record<string, number> = {};
  names.forEach((name, bit) => {
    const [min, max] = ranges[name];
    const unit = index < corners ? (index >> bit) & 1 : seededUnit(seed, index, name);
    draw[name] = Math.round((min + unit * (max - min)) / 1000) * 1000;
  });
  return draw as unknown as ChurnDraw;
}

/** A world before the change, the change itself, what it asks of the pool, and the pools it is run with. */
export interface ChurnScenario {
  readonly name: string;
  readonly description: string;
  readonly pools: readonly ChurnPool[];
  readonly needs: ChurnNeeds;
  functions(vpc: VpcFixture): CreateSimFunctionInput[];
  /** The VPC configurations the change puts functions on, when they differ from `functions`' (keepers come first). */
  movesTo?(vpc: VpcFixture): SimVpcConfig[];
  change(sim: LambdaSimulator, vpc: VpcFixture): Promise<void>;
}

/** Every configuration of a scenario: its pools crossed with every value of every knob. */
export function churnConfigs(scenario: ChurnScenario): ChurnConfig[] {
  let configs: Record<string, unknown>[] = scenario.pools.map((pool) => ({ ...pool }));
  for (const [knob, values] of Object.entries(CHURN_KNOBS)) {
    configs = configs.flatMap((config) => values.map((value) => ({ ...config, [knob]: value })));
  }
  return configs as unknown as ChurnConfig[];
}

/** A configuration in a few words, for tables and test names: `spares 0, allocate, events lost`. */
export function describeChurnConfig(config: ChurnConfig): string {
  const knobs = Object.keys(CHURN_KNOBS).map((knob) => {
    const value = (config as unknown as Record<string, unknown>)[knob];
    const words = knob.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
    if (typeof value !== 'boolean') return `${words} ${String(value)}`;
    return value ? words : undefined;
  });
  return [`spares ${config.spares}`, config.allocate ? 'allocate' : undefined, ...knobs]
    .filter((part) => part !== undefined)
    .join(', ');
}

export interface ChurnResult {
  readonly scenario: string;
  readonly config: ChurnConfig;
  readonly draw: ChurnDraw;
  /** The longest egress downtime of any function, version or alias: time a serving ENI had no way out. */
  readonly downtimeMs: number;
  readonly downtimeByFunction: Readonly<Record<string, number>>;
  /** The most downtime the design allows for this run (churn-bound.ts), worked out without running it. */
  readonly boundMs: number;
  /** AWS calls the controller made, plus those the scheduled runs elided as idle would have made. */
  readonly awsCalls: number;
  readonly callsByOperation: Readonly<Record<string, number>>;
  /** Controller invocations that ran. */
  readonly controllerInvocations: number;
  /** Scheduled runs skipped because they provably changed nothing (see ControllerHarness). */
  readonly elidedTicks: number;
  /** Times an IP left an ENI while that ENI carried traffic: must be 0. */
  readonly ipsTakenFromServingEnis: number;
  /**
   * With keepers: the wait found the new combinations' ENIs without a pool IP (PoolExhausted), so the
   * deployment failed before the change and rolled back; the functions never moved.
   */
  readonly rolledBack: boolean;
  /** True when every pool ENI holds a pool IP at the end and nothing more is planned. */
  readonly converged: boolean;
  /** The pool's public IPs (the allow-list) before the change and at the end, sorted. */
  readonly poolIpsBefore: readonly string[];
  readonly poolIpsAfter: readonly string[];
  /** How long after the change the run was watched: until nothing was left to happen. */
  readonly observedMs: number;
  /** False when the run was cut off before it settled (an ENI still without egress, say). */
  readonly quiescent: boolean;
}

const fn = (
  name: string,
  subnetIds: readonly string[],
  securityGroupIds: readonly string[],
): CreateSimFunctionInput => ({
  name,
  subnetIds,
  securityGroupIds,
  tags: { [POOL_TAG_KEY]: POOL },
});

/** The keepers of every (subnet, security-group set) of the configurations, one per combination. */
function keepersOf(configs: readonly SimVpcConfig[]): CreateSimFunctionInput[] {
  const keepers = new Map<string, CreateSimFunctionInput>();
  for (const { subnetIds, securityGroupIds } of configs) {
    for (const subnetId of subnetIds) {
      const name = keeperFunctionName(POOL, subnetId, securityGroupIds);
      keepers.set(name, {
        name,
        subnetIds: [subnetId],
        securityGroupIds,
        tags: { [POOL_TAG_KEY]: POOL, [KEEPER_TAG_KEY]: keeperTagValue(subnetId, securityGroupIds) },
      });
    }
  }
  return [...keepers.values()];
}
const subnets = (vpc: VpcFixture, count: number) => vpc.publicSubnetIds.slice(0, count);
const group = (vpc: VpcFixture, index: number) => vpc.securityGroupIds[index] as string;

/** A change that needs one more IP: a spare covers it, or (with no spare) the controller allocates one. */
const ONE_NEW_ENI: readonly ChurnPool[] = [{ spares: 1 }, { spares: 0, allocate: true }];

/** The scenarios of the zero-downtime issue, each with the pools it is measured with. */
export const CHURN_SCENARIOS: readonly ChurnScenario[] = [
  {
    name: 'security-group change',
    description: 'a function in 2 subnets moves to another security group: 2 new ENIs, the old ones retire',
    pools: [{ spares: 0 }, { spares: 2 }],
    needs: { newEnis: 2, retiringAtSwitch: 2, keptAhead: true },
    functions: (vpc) => [fn('api', subnets(vpc, 2), [group(vpc, 0)])],
    movesTo: (vpc) => [{ subnetIds: subnets(vpc, 2), securityGroupIds: [group(vpc, 1)] }],
    change: (sim, vpc) =>
      sim.updateVpcConfig('api', { subnetIds: subnets(vpc, 2), securityGroupIds: [group(vpc, 1)] }),
  },
  {
    name: 'subnet added',
    description: 'a function in 2 subnets gains a third: one new ENI, nothing retires',
    pools: ONE_NEW_ENI,
    needs: { newEnis: 1, keptAhead: true },
    functions: (vpc) => [fn('api', subnets(vpc, 2), [group(vpc, 0)])],
    movesTo: (vpc) => [{ subnetIds: subnets(vpc, 3), securityGroupIds: [group(vpc, 0)] }],
    change: (sim, vpc) =>
      sim.updateVpcConfig('api', { subnetIds: subnets(vpc, 3), securityGroupIds: [group(vpc, 0)] }),
  },
  {
    name: 'scale-out',
    description: 'more than 65,000 connections: a second ENI for the same combination in one subnet',
    pools: ONE_NEW_ENI,
    needs: { newEnis: 1 },
    functions: (vpc) => [fn('api', subnets(vpc, 2), [group(vpc, 0)])],
    change: async (sim, vpc) => {
      await sim.scaleOut('api', vpc.publicSubnetIds[0]);
    },
  },
  {
    name: 'idle reclaim and reactivation',
    description:
      'weeks without invocations: ENIs reclaimed; an invoke 5 minutes later brings new ENIs with new ids',
    pools: [{ spares: 0 }],
    needs: { newEnis: 2, freedBefore: 2, createdAfterMs: REACTIVATION_MS, keptAhead: true },
    functions: (vpc) => [fn('api', subnets(vpc, 2), [group(vpc, 0)])],
    change: async (sim) => {
      await sim.idleReclaim('api');
      sim.clock.schedule(REACTIVATION_MS, 'reactivate api', async () => {
        await sim.invoke('api');
      });
    },
  },
  {
    name: 'function deleted, ENIs shared',
    description: 'one of two functions sharing ENIs is deleted: the ENIs stay, and so do their IPs',
    pools: [{ spares: 0 }],
    needs: { newEnis: 0 },
    functions: (vpc) => [
      fn('api', subnets(vpc, 2), [group(vpc, 0)]),
      fn('worker', subnets(vpc, 2), [group(vpc, 0)]),
    ],
    change: (sim) => sim.deleteFunction('api'),
  },
];

/**
 * A local AWS set up for churn runs: the VPC (subnets, routes, security groups) is built once and each run
 * removes what it created (functions, ENIs, addresses), which costs a fraction of resetting moto and
 * building the VPC again. A run that fails leaves it to be reset before the next.
 */
export class ChurnAccount {
  readonly localAws: LocalAws;
  #vpc: VpcFixture | undefined;

  constructor(localAws: LocalAws) {
    this.localAws = localAws;
  }

  /** A clean account with its VPC; the caller owns it until `clear`. */
  async take(): Promise<VpcFixture> {
    const vpc = this.#vpc ?? (await this.#build());
    this.#vpc = undefined;
    return vpc;
  }

  /** Deletes what a run created, and hands the VPC back for the next run. */
  async clear(vpc: VpcFixture, sim: LambdaSimulator): Promise<void> {
    // As AWS: deleting the functions' in-use ENIs is Lambda's own act, refused to the account.
    const { ec2, lambda } = this.localAws.serviceClients();
    for (const name of sim.functionNames())
      await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    for (const eni of sim.enis()) {
      await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.id }));
    }
    for (const address of (await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? []) {
      if (address.AssociationId) {
        await ec2.send(new DisassociateAddressCommand({ AssociationId: address.AssociationId }));
      }
      await ec2.send(new ReleaseAddressCommand({ AllocationId: address.AllocationId }));
    }
    this.#vpc = vpc;
  }

  async #build(): Promise<VpcFixture> {
    await this.localAws.reset();
    await this.localAws.configure({ eipQuota: 50 });
    return createVpcFixture(this.localAws.clients().ec2, {
      publicSubnets: 3,
      privateSubnets: 0,
      securityGroups: 2,
    });
  }
}

/**
 * Runs one scenario in one configuration with one draw of timings, in a clean account: builds the
 * functions, binds the pool (sized to the ENIs plus spares), starts the controller (events and schedule)
 * on the virtual clock, makes the change, and watches until nothing is left to happen: no simulator work
 * and no event pending, and a scheduled run that found nothing to do since the last change. Scheduled
 * runs that provably change nothing are elided, so a 40-minute deletion delay costs no more than a
 * short one (see ControllerHarness's `elideIdleTicks`). Pass a ChurnAccount to reuse its VPC across runs.
 */
export async function runChurnScenario(
  target: LocalAws | ChurnAccount,
  scenario: ChurnScenario,
  config: ChurnConfig,
  draw: ChurnDraw = DEFAULT_CHURN_DRAW,
): Promise<ChurnResult> {
  const account = target instanceof ChurnAccount ? target : new ChurnAccount(target);
  const localAws = account.localAws;
  const vpc = await account.take();
  const sim = new LambdaSimulator({
    localAws,
    timings: { eniSwitchMs: draw.eniSwitchMs, eniDeletionDelayMs: draw.eniDeletionDelayMs },
  });
  const result = await observeChurn(localAws, vpc, sim, scenario, config, draw);
  await account.clear(vpc, sim);
  return result;
}

async function observeChurn(
  localAws: LocalAws,
  vpc: VpcFixture,
  sim: LambdaSimulator,
  scenario: ChurnScenario,
  config: ChurnConfig,
  draw: ChurnDraw,
): Promise<ChurnResult> {
  const setupClients = localAws.clients();
  const functions = scenario.functions(vpc);
  for (const input of functions) await sim.createFunction(input);
  // The keepers of the functions' own combinations share their ENIs: the pool's size does not change.
  if (config.keepers) for (const keeper of keepersOf(functions)) await sim.createFunction(keeper);
  const enis = sim.enis().length;
  for (let index = 0; index < enis + config.spares; index++) {
    await allocatePoolAddress(setupClients.ec2, POOL);
  }
  // Bound before the functions take traffic, as a deployment's custom resource leaves them.
  await reconcile(setupClients, { pool: POOL });
  await sim.advance(draw.eniSwitchMs);
  const poolIpsBefore = await poolIps(setupClients);

  const harness = new ControllerHarness({
    sim,
    clients: localAws.clients(),
    environment: {
      LSI_POOL: POOL,
      LSI_SPARES: String(config.spares),
      LSI_ALLOCATE: String(config.allocate ?? false),
    },
    eventDelayMs: draw.eventDelayMs,
    eventsLost: config.eventsLost,
    scheduleMs: SCHEDULE_MS,
    schedulePhaseMs: draw.schedulePhaseMs,
    elideIdleTicks: true,
  });
  const start = sim.clock.now();
  const rolledBack =
    config.keepers && !(await deployKeepers(sim, setupClients, scenario.movesTo?.(vpc) ?? [], config));
  if (!rolledBack) await scenario.change(sim, vpc);
  while (sim.clock.now() - start < MAX_OBSERVED_MS && !harness.quiescent()) {
    await sim.clock.advance(SCHEDULE_MS);
  }
  const quiescent = harness.quiescent();
  harness.stop();
  const end = sim.clock.now();

  const final = await reconcile(setupClients, { pool: POOL }, { dryRun: true });
  const downtimeByFunction: Record<string, number> = {};
  for (const name of sim.timeline.functionNames()) {
    downtimeByFunction[name] = sim.timeline.downtimeMs(name, end) - sim.timeline.downtimeMs(name, start);
  }
  if (harness.errors.length > 0) {
    throw new Error(`the controller failed during "${scenario.name}": ${String(harness.errors[0])}`);
  }
  const calls = harness.callsIncludingElided();
  return {
    scenario: scenario.name,
    config,
    draw,
    downtimeMs: Math.max(0, ...Object.values(downtimeByFunction)),
    downtimeByFunction,
    rolledBack,
    boundMs: churnDowntimeBoundMs({
      needs: scenario.needs,
      keepers: config.keepers,
      spares: config.spares,
      allocate: config.allocate ?? false,
      eventsLost: config.eventsLost,
      eniSwitchMs: draw.eniSwitchMs,
      schedulePhaseMs: draw.schedulePhaseMs,
      scheduleMs: SCHEDULE_MS,
      watchPollMs: WATCH_POLL_MS,
    }),
    awsCalls: calls.total,
    callsByOperation: calls.byOperation,
    controllerInvocations: harness.invocations,
    elidedTicks: harness.elidedTicks,
    ipsTakenFromServingEnis: ipsTakenFromServingEnis(sim.timeline),
    converged:
      final.initialPlan.actions.length === 0 &&
      !final.initialPlan.problems.some((p) => p.severity === 'error'),
    poolIpsBefore,
    poolIpsAfter: await poolIps(setupClients),
    observedMs: end - start,
    quiescent,
  };
}

/**
 * What a deployment of the change does before it touches a function (HyperplaneEgress's KeepersBound):
 * creates the keepers of the combinations it moves functions onto, then binds the pool until their ENIs
 * hold pool IPs. False when the pool cannot give them one: CloudFormation rolls back, deleting the new
 * keepers, and the function is never updated.
 */
async function deployKeepers(
  sim: LambdaSimulator,
  clients: AwsClients,
  targets: readonly SimVpcConfig[],
  config: ChurnConfig,
): Promise<boolean> {
  const existing = new Set(sim.functionNames());
  const added = keepersOf(targets).filter((keeper) => !existing.has(keeper.name));
  if (added.length === 0) return true;
  for (const keeper of added) await sim.createFunction(keeper);
  await reconcile(clients, { pool: POOL, spares: config.spares, allocate: config.allocate ?? false });
  const bound = new Set(
    (await describePoolAddresses(clients.ec2, POOL)).flatMap((address) => address.networkInterfaceId ?? []),
  );
  const keeperEnis = added.flatMap((keeper) =>
    sim.enisOf(keeper.subnetIds[0] as string, keeper.securityGroupIds),
  );
  if (keeperEnis.every((eni) => bound.has(eni.id))) return true;
  for (const keeper of added) await sim.deleteFunction(keeper.name);
  return false;
}

async function poolIps(clients: AwsClients): Promise<string[]> {
  return (await describePoolAddresses(clients.ec2, POOL)).map((address) => address.publicIp).sort();
}

/**
 * Counts the times an ENI that carried a function's traffic lost its IP (or had it swapped) while it
 * still carried that traffic: the one thing the reconciler must never do.
 */
export function ipsTakenFromServingEnis(timeline: Timeline): number {
  let taken = 0;
  for (const name of timeline.functionNames()) {
    const entries = timeline.entries(name);
    for (let index = 1; index < entries.length; index++) {
      const before = new Map(
        (entries[index - 1]?.serving ?? []).map((eni) => [eni.networkInterfaceId, eni.publicIp]),
      );
      for (const eni of entries[index]?.serving ?? []) {
        const had = before.get(eni.networkInterfaceId);
        if (had !== undefined && had !== eni.publicIp) taken++;
      }
    }
  }
  return taken;
}
