import { allocatePoolAddress } from '../src/aws/addresses.js';
import { POOL_TAG_KEY } from '../src/core/pool.js';
import { reconcile } from '../src/reconcile/reconcile.js';
import { CallCounter } from './call-counter.js';
import { ControllerHarness } from './controller-harness.js';
import { createVpcFixture, type VpcFixture } from './fixtures.js';
import { type CreateSimFunctionInput, LambdaSimulator } from './lambda-simulator.js';
import type { LocalAws } from './local-aws.js';
import type { Timeline } from './timeline.js';

const POOL = 'churn';

/** How one run of a scenario is set up. */
export interface ChurnSettings {
  /** Free pool IPs kept ready (the pool is sized to the bound ENIs plus these). */
  readonly spares: number;
  /** CloudTrail events never arrive: the schedule alone keeps the pool bound. */
  readonly eventsLost: boolean;
  /** The controller may allocate new IPs when the pool has none free (the allow-list then grows). @default false */
  readonly allocate?: boolean;
}

/** Parameters AWS does not publish, with their defaults. */
export interface ChurnModel {
  /** CloudTrail → EventBridge delivery delay. @default 60000 */
  readonly eventDelayMs: number;
  /** From Lambda creating an ENI to traffic using it. @default 90000 */
  readonly eniSwitchMs: number;
  /** From an ENI losing its last user to Lambda deleting it. @default 1200000 (20 minutes) */
  readonly eniDeletionDelayMs: number;
  /** The backstop schedule's period. @default 60000 */
  readonly scheduleMs: number;
  /** How long after the change the run is observed. @default 900000 (15 minutes) */
  readonly horizonMs: number;
}

export const DEFAULT_CHURN_MODEL: ChurnModel = {
  eventDelayMs: 60_000,
  eniSwitchMs: 90_000,
  eniDeletionDelayMs: 20 * 60_000,
  scheduleMs: 60_000,
  horizonMs: 15 * 60_000,
};

/** A world before the change, the change itself, and the settings it is run with. */
export interface ChurnScenario {
  readonly name: string;
  readonly description: string;
  readonly settings: readonly ChurnSettings[];
  functions(vpc: VpcFixture): CreateSimFunctionInput[];
  change(sim: LambdaSimulator, vpc: VpcFixture): Promise<void>;
}

export interface ChurnResult {
  readonly name: string;
  readonly spares: number;
  readonly eventsLost: boolean;
  readonly allocate: boolean;
  /** The longest egress downtime of any function: time its serving ENI(s) had no IP. */
  readonly downtimeMs: number;
  readonly downtimeByFunction: Readonly<Record<string, number>>;
  /** AWS calls the controller made from the change to the end of the horizon. */
  readonly awsCalls: number;
  readonly callsByOperation: Readonly<Record<string, number>>;
  readonly controllerInvocations: number;
  /** Times an IP left an ENI while that ENI carried a function's traffic: must be 0. */
  readonly ipsTakenFromServingEnis: number;
  /** True when every pool ENI holds a pool IP at the end. */
  readonly converged: boolean;
  /** Pool IPs before the change and at the end: the allow-list. */
  readonly poolIpsBefore: number;
  readonly poolIpsAfter: number;
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
const subnets = (vpc: VpcFixture, count: number) => vpc.publicSubnetIds.slice(0, count);
const group = (vpc: VpcFixture, index: number) => vpc.securityGroupIds[index] as string;

/** A change that needs one more IP: a spare covers it, or (with no spare) the controller allocates one. */
const ONE_NEW_ENI: readonly ChurnSettings[] = [
  { spares: 1, eventsLost: false },
  { spares: 0, eventsLost: false, allocate: true },
  { spares: 1, eventsLost: true },
  { spares: 0, eventsLost: true, allocate: true },
];

/** The scenarios of the zero-downtime issue, each with the settings it is measured under. */
export const CHURN_SCENARIOS: readonly ChurnScenario[] = [
  {
    name: 'security-group change',
    description: 'a function in 2 subnets moves to another security group: 2 new ENIs, the old ones retire',
    settings: [
      { spares: 0, eventsLost: false },
      { spares: 2, eventsLost: false },
      { spares: 0, eventsLost: true },
      { spares: 2, eventsLost: true },
    ],
    functions: (vpc) => [fn('api', subnets(vpc, 2), [group(vpc, 0)])],
    change: (sim, vpc) =>
      sim.updateVpcConfig('api', { subnetIds: subnets(vpc, 2), securityGroupIds: [group(vpc, 1)] }),
  },
  {
    name: 'subnet added',
    description: 'a function in 2 subnets gains a third: one new ENI, nothing retires',
    settings: ONE_NEW_ENI,
    functions: (vpc) => [fn('api', subnets(vpc, 2), [group(vpc, 0)])],
    change: (sim, vpc) =>
      sim.updateVpcConfig('api', { subnetIds: subnets(vpc, 3), securityGroupIds: [group(vpc, 0)] }),
  },
  {
    name: 'scale-out',
    description: 'more than 65,000 connections: a second ENI for the same combination in one subnet',
    settings: ONE_NEW_ENI,
    functions: (vpc) => [fn('api', subnets(vpc, 2), [group(vpc, 0)])],
    change: async (sim, vpc) => {
      await sim.scaleOut('api', vpc.publicSubnetIds[0]);
    },
  },
  {
    name: 'idle reclaim and reactivation',
    description: 'weeks without invocations: ENIs reclaimed; the next invoke brings new ENIs with new ids',
    settings: [
      { spares: 0, eventsLost: false },
      { spares: 0, eventsLost: true },
    ],
    functions: (vpc) => [fn('api', subnets(vpc, 2), [group(vpc, 0)])],
    change: async (sim) => {
      await sim.idleReclaim('api');
      sim.clock.schedule(5 * 60_000, 'reactivate api', async () => {
        await sim.invoke('api');
      });
    },
  },
  {
    name: 'function deleted, ENIs shared',
    description: 'one of two functions sharing ENIs is deleted: the ENIs stay, and so do their IPs',
    settings: [
      { spares: 0, eventsLost: false },
      { spares: 0, eventsLost: true },
    ],
    functions: (vpc) => [
      fn('api', subnets(vpc, 2), [group(vpc, 0)]),
      fn('worker', subnets(vpc, 2), [group(vpc, 0)]),
    ],
    change: (sim) => sim.deleteFunction('api'),
  },
];

/**
 * Runs one scenario under one setting on a fresh local AWS state: builds the functions, binds the pool
 * (sized to the ENIs plus spares), starts the controller (events + schedule) on the virtual clock,
 * makes the change, and measures until the horizon.
 */
export async function runChurnScenario(
  localAws: LocalAws,
  scenario: ChurnScenario,
  settings: ChurnSettings,
  model: ChurnModel = DEFAULT_CHURN_MODEL,
): Promise<ChurnResult> {
  await localAws.reset();
  await localAws.configure({ eipQuota: 50 });
  const setupClients = localAws.clients();
  const vpc = await createVpcFixture(setupClients.ec2, {
    publicSubnets: 3,
    privateSubnets: 0,
    securityGroups: 2,
  });
  const sim = new LambdaSimulator({
    localAws,
    timings: { eniSwitchMs: model.eniSwitchMs, eniDeletionDelayMs: model.eniDeletionDelayMs },
  });
  for (const input of scenario.functions(vpc)) await sim.createFunction(input);
  const enis = sim.enis().length;
  for (let index = 0; index < enis + settings.spares; index++) {
    await allocatePoolAddress(setupClients.ec2, POOL);
  }
  // Bound before the functions take traffic, as a deployment's custom resource leaves them.
  await reconcile(setupClients, { pool: POOL });
  await sim.advance(model.eniSwitchMs);

  const counter = new CallCounter();
  const harness = new ControllerHarness({
    sim,
    clients: counter.attach(localAws.clients()),
    environment: {
      LSI_POOL: POOL,
      LSI_SPARES: String(settings.spares),
      LSI_ALLOCATE: String(settings.allocate ?? false),
    },
    eventDelayMs: model.eventDelayMs,
    eventsLost: settings.eventsLost,
    scheduleMs: model.scheduleMs,
  });
  const start = sim.clock.now();
  await scenario.change(sim, vpc);
  await sim.advance(model.horizonMs);
  harness.stop();
  const end = sim.clock.now();

  const final = await reconcile(setupClients, { pool: POOL }, { dryRun: true });
  const downtimeByFunction: Record<string, number> = {};
  for (const name of sim.timeline.functionNames()) {
    downtimeByFunction[name] = sim.timeline.downtimeMs(name, end) - sim.timeline.downtimeMs(name, start);
  }
  const { byOperation, total } = counter.snapshot();
  if (harness.errors.length > 0) {
    throw new Error(`the controller failed during "${scenario.name}": ${String(harness.errors[0])}`);
  }
  return {
    name: scenario.name,
    spares: settings.spares,
    eventsLost: settings.eventsLost,
    allocate: settings.allocate ?? false,
    downtimeMs: Math.max(0, ...Object.values(downtimeByFunction)),
    downtimeByFunction,
    awsCalls: total,
    callsByOperation: byOperation,
    controllerInvocations: harness.invocations,
    ipsTakenFromServingEnis: ipsTakenFromServingEnis(sim.timeline),
    converged:
      final.initialPlan.actions.length === 0 &&
      !final.initialPlan.problems.some((p) => p.severity === 'error'),
    poolIpsBefore: enis + settings.spares,
    poolIpsAfter: final.initialPlan.addresses.length,
  };
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
