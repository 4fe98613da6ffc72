import type { DeliveredEvent, FieldTestTarget } from '../src/cli/field-test/target.js';
import { LambdaSimulator } from './lambda-simulator.js';
import { startLocalAws } from './local-aws.js';
import { DEFAULT_TIMINGS } from './timings.js';

/** A field-test target on the local test bed, and how to stop it. */
export interface LocalFieldTestTarget {
  readonly target: FieldTestTarget;
  /** The timings the simulator was configured with, as the report should measure them. */
  readonly timings: { eniSwitchMs: number; eniDeletionDelayMs: number; eventDelayMs: number };
  stop(): Promise<void>;
}

/**
 * `field-test --local`: the local AWS (moto with the test bed's patches) started as `demo` does, and the
 * Lambda simulator playing the Lambda service on a virtual clock. An invocation is answered with the
 * address the simulator's routing-aware timeline gives the function's serving ENIs (taken in turn, as
 * Lambda spreads invocations over them), as last sampled; CloudTrail's CreateNetworkInterface events arrive
 * `eventDelayMs` after Lambda's call. The field test's own code (VPC, pool, binding, gaps, timings,
 * report, cleanup) runs unchanged against it.
 */
export async function startLocalFieldTestTarget(): Promise<LocalFieldTestTarget> {
  const aws = await startLocalAws({ eipQuota: 10 });
  const sim = new LambdaSimulator({ localAws: aws });
  const eventDelayMs = DEFAULT_TIMINGS.eventDelayMs;
  const delivered: DeliveredEvent[] = [];
  sim.onCloudTrailEvent((event) => {
    if (event.detail.eventName !== 'CreateNetworkInterface') return;
    const eventTime = Date.parse(event.detail.eventTime);
    const response = event.detail.responseElements as {
      networkInterface?: { networkInterfaceId?: string };
    } | null;
    const networkInterfaceId = response?.networkInterface?.networkInterfaceId;
    sim.clock.schedule(eventDelayMs, 'deliver CreateNetworkInterface', () => {
      delivered.push({
        ...(networkInterfaceId ? { networkInterfaceId } : {}),
        eventTime,
        deliveredAt: sim.clock.now(),
      });
    });
  });
  const turns = new Map<string, number>();
  const target: FieldTestTarget = {
    mode: 'local',
    region: aws.region,
    clients: aws.clients(),
    // The timeline is sampled after each of Lambda's tasks and after each bind (the run's binds are not
    // clock tasks); an invocation changes nothing, so sampling before every sleep would only cost calls.
    clock: { now: () => sim.clock.now(), sleep: (ms) => sim.clock.advance(ms) },
    afterBind: () => sim.sample(),
    invoker: {
      invoke: async (name) => {
        if (!sim.functionNames().includes(name))
          return { outcome: 'error', detail: 'ResourceNotFoundException' };
        if (sim.describe(name).state !== 'Active') {
          // Pending, or Inactive (which sim.invoke starts restoring): Lambda refuses the call.
          const refused = await sim.invoke(name);
          return { outcome: 'not-ready', detail: refused.ok ? 'Pending' : refused.error };
        }
        // What the timeline last recorded is the world now: it is sampled after every change Lambda or a
        // bind makes, so the answer costs no call.
        const serving = sim.timeline.entries(name).at(-1)?.serving ?? [];
        if (serving.length === 0) return { outcome: 'error', detail: 'no ENI serves the function' };
        const turn = turns.get(name) ?? 0;
        turns.set(name, turn + 1);
        const ip = serving[turn % serving.length]?.publicIp;
        return ip === undefined ? { outcome: 'no-egress' } : { outcome: 'egress', ip };
      },
    },
    lambda: {
      createFunction: async (input) => {
        await sim.createFunction(input);
      },
      updateVpcConfig: (name, placement) => sim.updateVpcConfig(name, placement),
      deleteFunction: (name) => sim.deleteFunction(name),
    },
    events: { available: true, delivered: () => [...delivered] },
    simulatorDowntimeMs: (name, from, to) =>
      sim.timeline.downtimeMs(name, to) - sim.timeline.downtimeMs(name, from),
  };
  return {
    target,
    timings: { ...sim.timings, eventDelayMs },
    stop: () => aws.stop(),
  };
}
