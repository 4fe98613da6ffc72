import { allocatePoolAddress, describePoolAddresses, disassociate } from '../../aws/addresses.js';
import { cleanupFieldTest } from '../../aws/field-test/cleanup.js';
import { describeLambdaEnis } from '../../aws/field-test/enis.js';
import {
  FieldTestEventQueue,
  findManagementTrail,
  type ReceivedEniEvent,
} from '../../aws/field-test/event-watch.js';
import {
  createFieldTestSecurityGroup,
  createFieldTestVpc,
  type FieldTestVpc,
} from '../../aws/field-test/vpc.js';
import { getFunctionState } from '../../aws/function-state.js';
import {
  addressesSeen,
  downtimeMs,
  egressGaps,
  type InvocationSample,
} from '../../core/field-test/invocations.js';
import {
  type FieldTestReport,
  type FieldTestScenarioReport,
  fieldTestVerdict,
  measured,
  type TimingMeasurement,
} from '../../core/field-test/report.js';
import { FIELD_TEST_TAG_KEY, fieldTestNames } from '../../core/field-test/run-id.js';
import {
  type FieldTestFunctionPlacement,
  type FieldTestScenario,
  ipsNeeded,
  poolSizeNeeded,
  subnetsNeeded,
  UNFORCEABLE_SCENARIOS,
} from '../../core/field-test/scenarios.js';
import { POOL_TAG_KEY } from '../../core/pool.js';
import { reconcile } from '../../reconcile/reconcile.js';
import {
  deleteFieldTestScenarioKeepers,
  type PreparedFieldTestKeepers,
  placementEnis,
  prepareFieldTestKeepers,
} from './keeper-step.js';
import type { FieldTestTarget } from './target.js';

export interface FieldTestRunOptions {
  readonly runId: string;
  readonly scenarios: readonly FieldTestScenario[];
  /** Scenarios start only while this much time is left; observations stop at the end of it. */
  readonly budgetMinutes: number;
  /** One invocation of each live test function per interval. @default 1000 */
  readonly invokeIntervalMs?: number;
  /** The run binds the pool itself (the CLI's `apply`), this often. @default 10000 */
  readonly reconcileIntervalMs?: number;
  /**
   * How often the Lambda API is asked whether the new placement serves (as the controller's update watch
   * does): the resolution of the ENI-to-serving timing. @default 5000
   */
  readonly statePollMs?: number;
  /** A placement counts as settled after serving from pool IPs without a gap for this long. @default 30000 */
  readonly settleMs?: number;
  /** An observation that has not settled by then ends, and its scenario fails. @default 600000 */
  readonly maxObserveMs?: number;
  /**
   * With a trail: how long after an ENI first appeared the run waits for its CreateNetworkInterface
   * event, at most (CloudTrail's own delivery to S3 averages about 5 minutes). @default 900000
   */
  readonly eventWaitMs?: number;
  /** After the scenarios, how long to wait for Lambda to delete its ENIs (to measure it, and to delete the VPC). @default 2700000 */
  readonly cleanupWaitMs?: number;
  readonly keepIps?: boolean;
  /** Aborting (Ctrl-C) stops the scenarios; the cleanup still runs. */
  readonly signal?: AbortSignal;
  readonly progress?: (line: string) => void;
}

/** The defaults, exported for the cost estimate and the docs. */
export const FIELD_TEST_DEFAULTS = {
  invokeIntervalMs: 1_000,
  reconcileIntervalMs: 10_000,
  statePollMs: 5_000,
  settleMs: 30_000,
  maxObserveMs: 10 * 60_000,
  cleanupWaitMs: 45 * 60_000,
  eventWaitMs: 15 * 60_000,
} as const;

/**
 * Runs the field test on a target (an account, or the local test bed): a tagged VPC, a pool of newly
 * allocated Elastic IPs, then each scenario (functions created and bound, the change made, every live
 * function invoked each interval until its new placement has served without a gap for a while), the
 * timings, and the cleanup, which runs whatever happened before it (an error, Ctrl-C, the budget).
 * The pool is bound by the same `reconcile` as `apply`, every `reconcileIntervalMs`.
 */
export async function runFieldTest(
  target: FieldTestTarget,
  options: FieldTestRunOptions,
): Promise<FieldTestReport> {
  const settings = { ...FIELD_TEST_DEFAULTS, ...definedOnly(options) };
  const { clock, clients } = target;
  const { ec2 } = clients;
  const say = options.progress ?? (() => undefined);
  const runId = options.runId;
  const pool = fieldTestNames.pool(runId);
  const startedAt = clock.now();
  const deadline = startedAt + options.budgetMinutes * 60_000;
  const scenarioReports: FieldTestScenarioReport[] = [];
  const switchSamples: number[] = [];
  const deletionSamples: number[] = [];
  /** ENIs whose last function is gone: when it went. */
  const awaitingDeletion = new Map<string, number>();
  let poolIps: string[] = [];
  let vpc: FieldTestVpc | undefined;
  let cleanup: FieldTestReport['cleanup'] = { complete: false, removed: [], left: [], keptIps: [] };
  /** CloudTrail's events: the run's queue when a trail logs them, or why they cannot be measured. */
  let queue: FieldTestEventQueue | undefined;
  let eventsUnavailable: string | undefined;
  /** Every Lambda ENI of the run's VPC: when the run first saw it. */
  const firstSeen = new Map<string, number>();
  const received: (ReceivedEniEvent & { readonly arrivedAt: number })[] = [];
  let lastPoll = clock.now();
  /** The longest time between two reads of the queue that brought events: how exact an arrival is. */
  let pollGapMs = 0;

  const checkAbort = () => {
    if (options.signal?.aborted) throw new Error('interrupted (Ctrl-C): cleaning up');
  };
  const pollEvents = async () => {
    if (queue === undefined) return;
    const events = await queue.receive();
    const now = clock.now();
    if (events.length > 0) pollGapMs = Math.max(pollGapMs, now - lastPoll);
    lastPoll = now;
    for (const event of events) received.push({ ...event, arrivedAt: now });
  };
  const eventsPending = () =>
    queue !== undefined &&
    [...firstSeen].some(
      ([id, seenAt]) =>
        clock.now() < seenAt + settings.eventWaitMs &&
        !received.some((event) => event.networkInterfaceId === id),
    );
  const checkDeletions = async () => {
    if (vpc === undefined) return;
    const enis = await describeLambdaEnis(ec2, vpc.vpcId);
    for (const eni of enis) if (!firstSeen.has(eni.id)) firstSeen.set(eni.id, clock.now());
    if (awaitingDeletion.size === 0) return;
    const present = new Set(enis.map((eni) => eni.id));
    for (const [id, since] of awaitingDeletion) {
      if (present.has(id)) continue;
      deletionSamples.push(clock.now() - since);
      awaitingDeletion.delete(id);
    }
  };

  /**
   * Time passing outside an observation (the keepers' wait): the ENIs are looked at once, and the event
   * queue read at every invocation interval while an event is due, as during an observation.
   */
  const idle = async (ms: number) => {
    checkAbort();
    await checkDeletions();
    const until = clock.now() + ms;
    while (clock.now() < until) {
      await clock.sleep(Math.min(settings.invokeIntervalMs, until - clock.now()));
      if (eventsPending()) await pollEvents();
      checkAbort();
    }
  };

  try {
    const subnets = subnetsNeeded(options.scenarios);
    say(`creating VPC (${subnets} public subnets, internet gateway) tagged ${FIELD_TEST_TAG_KEY}=${runId}`);
    vpc = await createFieldTestVpc(ec2, runId, subnets);
    const network = vpc;
    const size = poolSizeNeeded(options.scenarios);
    say(`allocating ${size} Elastic IPs for pool ${pool}`);
    for (let index = 0; index < size; index++) {
      await allocatePoolAddress(ec2, pool, undefined, { [FIELD_TEST_TAG_KEY]: runId });
    }
    poolIps = (await describePoolAddresses(ec2, pool)).map((address) => address.publicIp).sort();
    const trail = await findManagementTrail(target.eventClients.cloudtrail, target.region).catch(
      (error: unknown) => ({ reason: `the trails could not be read: ${errorText(error)}` }),
    );
    if ('trailArn' in trail) {
      say(`trail ${trail.trailArn} logs management events: measuring CloudTrail's event delivery`);
      // The timing is a by-product: without the rule or the queue (a permission missing, say) the
      // scenarios still run, and the cleanup removes whatever part was made.
      queue = await FieldTestEventQueue.create(target.eventClients, runId).catch((error: unknown) => {
        eventsUnavailable = `the event rule and queue could not be created: ${errorText(error)}`;
        say(`CloudTrail event delivery not measured: ${eventsUnavailable}`);
        return undefined;
      });
      lastPoll = clock.now();
    } else {
      eventsUnavailable = trail.reason;
      say(`CloudTrail event delivery not measured: ${trail.reason}`);
    }

    for (const [index, scenario] of options.scenarios.entries()) {
      // Interrupted: the scenarios not started yet are reported skipped, and the report still comes back.
      if (options.signal?.aborted) {
        scenarioReports.push(skipped(scenario, 'interrupted (Ctrl-C)'));
        continue;
      }
      if (clock.now() + 3 * 60_000 > deadline) {
        scenarioReports.push(skipped(scenario, `the budget of ${options.budgetMinutes} minutes was spent`));
        continue;
      }
      say(`scenario ${scenario.id}: ${scenario.title}`);
      const names = new Map<string, string>();
      /** The keeper scenario's keepers, named as soon as each exists, so that they go whatever happens. */
      const keeperNames: string[] = [];
      let keepers: PreparedFieldTestKeepers | undefined;
      let groups: string[] = [];
      try {
        groups = [
          await createFieldTestSecurityGroup(ec2, runId, network.vpcId, `lsi-ft-${runId}-${index}-a`),
          await createFieldTestSecurityGroup(ec2, runId, network.vpcId, `lsi-ft-${runId}-${index}-b`),
        ];
        const placement = (p: FieldTestFunctionPlacement) => ({
          subnetIds: network.subnetIds.slice(0, p.subnets),
          securityGroupIds: [groups[p.securityGroup] as string],
        });
        const addresses = (await describePoolAddresses(ec2, pool)).sort((a, b) =>
          a.allocationId.localeCompare(b.allocationId),
        );
        // Without spares means without: the pool's other IPs are held back, as a NAT gateway would hold them.
        const reserved = addresses.slice(ipsNeeded(scenario)).map((address) => address.allocationId);
        const live = () => [...names.values()];
        const bind = async () => {
          await reconcile(
            clients,
            {
              pool,
              functions: live(),
              ...(keeperNames.length > 0 ? { keepers: [...keeperNames] } : {}),
              spares: scenario.spares,
              reserved,
              now: clock.now(),
            },
            { sleep: (ms) => clock.sleep(ms), random: () => 0.5 },
          );
        };

        /**
         * Invokes every live function each interval from `changeAt` until the new placement serves (the
         * Lambda API says so: `Active` after a create, `LastUpdateStatus: Successful` after an update) and
         * every function has had egress for `settleMs`; or, with `fixedMs`, for that long.
         */
        const observe = async (
          changeAt: number,
          switching: { name: string; kind: 'create' | 'update' } | undefined,
          fixedMs?: number,
        ) => {
          const samples: InvocationSample[] = [];
          let nextBind = clock.now();
          let switchedAt: number | undefined;
          let nextStatePoll = clock.now();
          const stopAt = Math.min(changeAt + settings.maxObserveMs, deadline);
          for (;;) {
            checkAbort();
            const at = clock.now();
            if (switching && switchedAt === undefined && at >= nextStatePoll) {
              nextStatePoll = at + settings.statePollMs;
              const state = await getFunctionState(clients.lambda, switching.name);
              const switched =
                state.state === 'Active' &&
                (switching.kind === 'create' || state.lastUpdateStatus === 'Successful');
              if (switched) switchedAt = at;
            }
            // The bind first, then the invocations: in an account they run after the bind's calls took
            // their time; on the test bed, where a bind takes no time, a state that lasted 0 ms (an ENI
            // serving at the very instant it is bound) is not mistaken for an outage.
            const bound = at >= nextBind;
            if (bound) {
              await bind();
              await target.afterBind?.();
              await checkDeletions();
              nextBind = at + settings.reconcileIntervalMs;
            }
            const results = await Promise.all(
              live().map(async (functionName) => ({
                at,
                functionName,
                ...(await target.invoker.invoke(functionName)),
              })),
            );
            samples.push(...results);
            // The queue is read at each bind and, while an ENI's event is due, at every tick.
            if (bound || eventsPending()) await pollEvents();
            const since = at - settings.settleMs;
            const steady = live().every((name) => allEgressSince(samples, name, since));
            const settled =
              fixedMs === undefined
                ? switchedAt !== undefined && switchedAt <= since && steady
                : at - changeAt >= fixedMs && steady;
            const end = { samples, switchedAt, end: clock.now() };
            if (settled) return { ...end, settled: true };
            if (clock.now() >= stopAt) return { ...end, settled: false };
            await clock.sleep(Math.max(0, at + settings.invokeIntervalMs - clock.now()));
          }
        };

        const roles = new Map(scenario.functions.map((fn) => [fn.role, fn]));
        let changeAt = clock.now();
        const create = async () => {
          for (const fn of scenario.functions) {
            const name = fieldTestNames.function(runId, index, fn.role);
            await target.lambda.createFunction({
              name,
              ...placement(fn),
              tags: { [FIELD_TEST_TAG_KEY]: runId, [POOL_TAG_KEY]: pool },
            });
            names.set(fn.role, name);
          }
        };
        if (scenario.change.kind !== 'none') {
          await create();
          const apiName = names.get('api') as string;
          const before = await observe(changeAt, { name: apiName, kind: 'create' });
          if (!before.settled) throw new Error('the functions never served from pool IPs before the change');
          const change = scenario.change;
          if (scenario.keeper && change.kind === 'update') {
            const next = placement(change.placement);
            say(
              `scenario ${scenario.id}: creating the keepers of the new placement and binding their ENIs (prepare --wait)`,
            );
            keepers = await prepareFieldTestKeepers(target, {
              runId,
              pool,
              vpcId: network.vpcId,
              ...next,
              reserved,
              pollMs: settings.statePollMs,
              timeoutMs: Math.max(0, Math.min(settings.maxObserveMs, deadline - clock.now())),
              onKeeper: (name) => keeperNames.push(name),
              idle,
            });
            say(
              `keepers ready in ${Math.round(keepers.readyMs / 1000)} s: ${keepers.enis.map((eni) => `${eni.networkInterfaceId} ${eni.publicIp ?? 'without IP'}`).join(', ')}`,
            );
          }
          changeAt = clock.now();
          if (change.kind === 'update') {
            await target.lambda.updateVpcConfig(names.get('api') as string, placement(change.placement));
          } else {
            const name = names.get(change.role) as string;
            await target.lambda.deleteFunction(name);
            names.delete(change.role);
          }
        } else {
          await create();
        }
        const watched = [...names.values()];
        const change = scenario.change;
        const result = await observe(
          changeAt,
          change.kind === 'delete'
            ? undefined
            : { name: names.get('api') as string, kind: change.kind === 'none' ? 'create' : 'update' },
          change.kind === 'delete' ? 4 * settings.settleMs : undefined,
        );
        const gaps = watched.flatMap((name) =>
          egressGaps(
            result.samples.filter((sample) => sample.functionName === name),
            result.end,
          ),
        );
        const seen = addressesSeen(result.samples);
        const foreign = seen.filter((ip) => !poolIps.includes(ip));
        const servedAt = result.switchedAt;
        // Onto a keeper's ENIs no ENI is created: not a sample of ENI creation until serving.
        if (servedAt !== undefined && keepers === undefined) switchSamples.push(servedAt - changeAt);
        if (change.kind === 'update' && servedAt !== undefined) {
          // The old placement's ENIs lost their last user when the update completed.
          const next = placement(change.placement);
          for (const eni of await describeLambdaEnis(ec2, network.vpcId)) {
            const inUse =
              next.subnetIds.includes(eni.subnetId) &&
              eni.securityGroupIds.every((id) => next.securityGroupIds.includes(id));
            if (!inUse && eni.securityGroupIds.some((id) => groups.includes(id))) {
              awaitingDeletion.set(eni.id, servedAt);
            }
          }
        }
        const worst = Math.max(
          0,
          ...watched.map((name) => downtimeMs(gaps.filter((gap) => gap.functionName === name))),
        );
        const notes: string[] = [];
        if (!result.settled) notes.push(`did not settle within ${settings.maxObserveMs / 60_000} minutes`);
        let keeperReport: FieldTestScenarioReport['keeper'];
        if (keepers !== undefined && change.kind === 'update') {
          const next = placement(change.placement);
          const apiName = names.get('api') as string;
          const enisAfterChange = (
            await placementEnis(target, network.vpcId, next.subnetIds, next.securityGroupIds)
          )
            .map((eni) => eni.id)
            .sort();
          const addressesAfterChange =
            servedAt === undefined
              ? []
              : addressesSeen(
                  result.samples.filter((sample) => sample.functionName === apiName && sample.at >= servedAt),
                );
          const keeperEniIds = keepers.enis.map((eni) => eni.networkInterfaceId).sort();
          const keeperIps = keepers.enis.map((eni) => eni.publicIp);
          const landedOnKeeperEnis =
            keeperIps.every((ip) => ip !== undefined && poolIps.includes(ip)) &&
            enisAfterChange.join() === keeperEniIds.join() &&
            addressesAfterChange.length > 0 &&
            addressesAfterChange.every((ip) => keeperIps.includes(ip));
          if (!landedOnKeeperEnis) {
            notes.push(
              `the function did not land on the keepers' ENIs (${keeperEniIds.join(', ')}): the placement's ENIs were ${enisAfterChange.join(', ') || 'none'}, it left from ${addressesAfterChange.join(', ') || 'nothing'}`,
            );
          }
          keeperReport = {
            ...keepers,
            enisAfterChange,
            addressesAfterChange,
            ...(target.simulatorServingEnis
              ? { simulatorServingEnis: target.simulatorServingEnis(apiName) }
              : {}),
            landedOnKeeperEnis,
          };
        }
        if (scenario.change.kind === 'delete' && roles.size > 1) {
          notes.push(
            `watched the remaining function for ${(4 * settings.settleMs) / 1000} s after the deletion`,
          );
        }
        const downtimeOk = scenario.expectsGap === true || worst === 0;
        scenarioReports.push({
          id: scenario.id,
          title: scenario.title,
          expectation: scenario.expectation,
          status:
            foreign.length === 0 && downtimeOk && result.settled && keeperReport?.landedOnKeeperEnis !== false
              ? 'passed'
              : 'failed',
          spares: scenario.spares,
          functions: watched,
          invocations: result.samples.length,
          downtimeMs: worst,
          gaps,
          addressesSeen: seen,
          foreignAddresses: foreign,
          ...(servedAt === undefined ? {} : { eniSwitchMs: servedAt - changeAt }),
          notes,
          ...(target.simulatorDowntimeMs
            ? {
                simulatorDowntimeMs: Math.max(
                  0,
                  ...watched.map((name) => target.simulatorDowntimeMs?.(name, changeAt, result.end) ?? 0),
                ),
              }
            : {}),
          ...(keeperReport ? { keeper: keeperReport } : {}),
        });
      } catch (error) {
        scenarioReports.push({ ...skipped(scenario, errorText(error)), status: 'error' });
      } finally {
        // The scenario's functions go; its ENIs then serve nothing, so their IPs are free for the next one.
        const deletedAt = clock.now();
        for (const name of names.values()) {
          await target.lambda.deleteFunction(name).catch(() => undefined);
        }
        // Its keepers too, as `prune` deletes them (their role goes with the run's cleanup, found by tag).
        await deleteFieldTestScenarioKeepers(target, keeperNames).catch(() => undefined);
        if (names.size > 0) {
          for (const eni of await describeLambdaEnis(ec2, network.vpcId)) {
            if (awaitingDeletion.has(eni.id) || !eni.securityGroupIds.some((id) => groups.includes(id)))
              continue;
            awaitingDeletion.set(eni.id, deletedAt);
            if (eni.associationId) await disassociate(ec2, eni.associationId).catch(() => undefined);
          }
        }
      }
    }

    if ((awaitingDeletion.size > 0 || eventsPending()) && !options.signal?.aborted) {
      say(
        `waiting for Lambda to delete ${awaitingDeletion.size} ENI(s), to measure the deletion delay${queue ? ', and for the CloudTrail events still due' : ''}`,
      );
      const waitUntil = clock.now() + settings.cleanupWaitMs;
      while (
        (awaitingDeletion.size > 0 || eventsPending()) &&
        clock.now() < waitUntil &&
        !options.signal?.aborted
      ) {
        await clock.sleep(settings.reconcileIntervalMs);
        await checkDeletions();
        if (eventsPending()) await pollEvents();
      }
    }
  } finally {
    say('cleaning up');
    cleanup = await cleanupFieldTest(clients, {
      runId,
      keepIps: options.keepIps ?? false,
      waitForEnisMs: options.signal?.aborted ? 0 : settings.cleanupWaitMs,
      pollMs: settings.reconcileIntervalMs,
      now: () => clock.now(),
      sleep: (ms) => clock.sleep(ms),
      deleteFunction: (name) => target.lambda.deleteFunction(name),
      eventClients: target.eventClients,
      keepers: {
        clients: target.keeperClients,
        ...(target.noticeLambdaApiChanges
          ? { afterDelete: () => target.noticeLambdaApiChanges?.() ?? Promise.resolve() }
          : {}),
      },
      ...(target.lambda.teardown
        ? { deleteRole: () => target.lambda.teardown?.() ?? Promise.resolve(undefined) }
        : {}),
      progress: say,
    });
  }

  // An event counts once per ENI of the run's VPC (seen there, or naming it), from CloudTrail's eventTime
  // (whole seconds) or, without one, from when the run first saw the ENI.
  const delays = new Map<string, number>();
  for (const event of received) {
    const id = event.networkInterfaceId;
    if (id === undefined || delays.has(id)) continue;
    if (!firstSeen.has(id) && event.vpcId !== vpc?.vpcId) continue;
    const since = event.eventTime ?? firstSeen.get(id);
    if (since !== undefined) delays.set(id, Math.max(0, event.arrivedAt - since));
  }
  const eventDelayMs = eventsUnavailable
    ? { status: 'unavailable' as const, reason: eventsUnavailable }
    : withEnis(
        measured(
          [...delays.values()],
          pollGapMs + 1_000,
          'no CreateNetworkInterface event of the run arrived while it waited',
        ),
        [...delays.keys()].sort(),
        [...firstSeen.keys()].filter((id) => !delays.has(id)).sort(),
      );
  return {
    runId,
    mode: target.mode,
    region: target.region,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(clock.now()).toISOString(),
    settings: {
      invokeIntervalMs: settings.invokeIntervalMs,
      reconcileIntervalMs: settings.reconcileIntervalMs,
      budgetMinutes: options.budgetMinutes,
    },
    poolIps,
    scenarios: scenarioReports,
    notForceable: UNFORCEABLE_SCENARIOS,
    timings: {
      eniSwitchMs: measured(switchSamples, settings.statePollMs, 'no scenario saw a new placement serve'),
      eventDelayMs,
      eniDeletionDelayMs: measured(
        deletionSamples,
        settings.reconcileIntervalMs,
        `Lambda deleted no ENI within the ${settings.cleanupWaitMs / 60_000} minutes waited`,
      ),
    },
    ...(target.simulatorEnis ? { simulatorEnis: target.simulatorEnis() } : {}),
    verdict: fieldTestVerdict(scenarioReports),
    cleanup,
  };
}

function withEnis(
  measurement: TimingMeasurement,
  eniIds: readonly string[],
  withoutEvent: readonly string[],
): TimingMeasurement {
  return measurement.status === 'measured' ? { ...measurement, eniIds, withoutEvent } : measurement;
}

function allEgressSince(samples: readonly InvocationSample[], name: string, since: number): boolean {
  const recent = samples.filter((sample) => sample.functionName === name && sample.at >= since);
  return recent.length > 0 && recent.every((sample) => sample.outcome === 'egress');
}

function skipped(scenario: FieldTestScenario, reason: string): FieldTestScenarioReport {
  return {
    id: scenario.id,
    title: scenario.title,
    expectation: scenario.expectation,
    status: 'skipped',
    spares: scenario.spares,
    functions: [],
    invocations: 0,
    downtimeMs: 0,
    gaps: [],
    addressesSeen: [],
    foreignAddresses: [],
    notes: [],
    error: reason,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
