import { CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, createIamClient } from '../src/aws/clients.js';
import { createFieldTestEventClients } from '../src/aws/field-test/event-watch.js';
import type { FieldTestTarget } from '../src/cli/field-test/target.js';
import { LambdaSimulator } from './lambda-simulator.js';
import { startLocalAws } from './local-aws.js';
import { seededUnit } from './seeded-random.js';
import { NOTHING_CHANGED } from './virtual-clock.js';

/** A field-test target on the local test bed, and how to stop it. */
export interface LocalFieldTestTarget {
  readonly target: FieldTestTarget;
  /** The timings the simulator was configured with, as the report should measure them. */
  readonly timings: {
    eniSwitchMs: number;
    eniDeletionDelayMs: number;
    /** Each CloudTrail event reaches EventBridge after a delay drawn from this range (ms). */
    eventDelayRangeMs: readonly [number, number];
  };
  stop(): Promise<void>;
}

/** The default range of a CloudTrail event's delivery delay on the local test bed. */
export const LOCAL_EVENT_DELAY_RANGE_MS: readonly [number, number] = [5_000, 120_000];

export interface LocalFieldTestOptions {
  /**
   * Create a trail logging management events (in moto) before the run, so that the run measures event
   * delivery; without one CloudTrail delivers nothing to EventBridge, as in an account. @default true
   */
  readonly trail?: boolean;
  /**
   * The delivery delay of each CloudTrail event, drawn uniformly (seeded by the event id) from this range.
   * @default 5 s to 2 min: inside testbed/timings.ts's eventDelayMs range, and short enough that a run
   * waits no longer for its last events than for Lambda's ENI deletions
   */
  readonly eventDelayRangeMs?: readonly [number, number];
}

/**
 * `field-test --local`: the local AWS (moto with the test bed's patches) started as `demo` does, and the
 * Lambda simulator playing the Lambda service on a virtual clock. An invocation is answered with the
 * address the simulator's routing-aware timeline gives the function's serving ENIs (taken in turn, as
 * Lambda spreads invocations over them), as last sampled; with a trail (the default, created in moto),
 * CloudTrail's events of Lambda's calls reach moto's EventBridge a drawn delay after the call. The field test's own code (VPC, pool, binding, gaps, timings,
 * report, cleanup) runs unchanged against it.
 */
export async function startLocalFieldTestTarget(
  options: LocalFieldTestOptions = {},
): Promise<LocalFieldTestTarget> {
  const aws = await startLocalAws({ eipQuota: 10 });
  const sim = new LambdaSimulator({ localAws: aws });
  const eventDelayRangeMs = options.eventDelayRangeMs ?? LOCAL_EVENT_DELAY_RANGE_MS;
  const created: string[] = [];
  sim.onCloudTrailEvent((event) => {
    const response = event.detail.responseElements as {
      networkInterface?: { networkInterfaceId?: string };
    } | null;
    const id = response?.networkInterface?.networkInterfaceId;
    if (event.detail.eventName === 'CreateNetworkInterface' && id) created.push(id);
  });
  const eventClients = createFieldTestEventClients(aws.clientOptions());
  if (options.trail ?? true) {
    const bucket = 'lsi-local-trail';
    await new S3Client({ ...clientConfig(aws.clientOptions()), forcePathStyle: true }).send(
      new CreateBucketCommand({ Bucket: bucket }),
    );
    await eventClients.cloudtrail.send(
      new CreateTrailCommand({ Name: 'lsi-local-trail', S3BucketName: bucket, IsMultiRegionTrail: true }),
    );
    await eventClients.cloudtrail.send(new StartLoggingCommand({ Name: 'lsi-local-trail' }));
    // CloudTrail's part: every API call the simulated Lambda makes reaches the default bus, late. moto's
    // EventBridge then matches the run's rule and sends to its queue, as EventBridge does.
    const [min, max] = eventDelayRangeMs;
    sim.onCloudTrailEvent((event) => {
      const delayMs = Math.round(min + seededUnit(1, event.id) * (max - min));
      sim.clock.schedule(
        delayMs,
        `CloudTrail delivers ${event.detail.eventName}`,
        async (): Promise<typeof NOTHING_CHANGED> => {
          await eventClients.eventbridge.send(
            new PutEventsCommand({
              Entries: [
                {
                  Source: event.source,
                  DetailType: event['detail-type'],
                  Detail: JSON.stringify(event.detail),
                  Time: new Date(event.time),
                  Resources: [...event.resources],
                },
              ],
            }),
          );
          return NOTHING_CHANGED;
        },
      );
    });
  }
  const turns = new Map<string, number>();
  const clients = aws.clients();
  const target: FieldTestTarget = {
    mode: 'local',
    region: aws.region,
    clients,
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
    eventClients,
    keeperClients: {
      lambda: clients.lambda,
      iam: createIamClient(aws.clientOptions()),
      events: eventClients.eventbridge,
    },
    // Lambda notices a function created or deleted through its API at once; the simulator when told.
    noticeLambdaApiChanges: async () => {
      await sim.adopt();
    },
    simulatorEnis: () => [...created].sort(),
    simulatorServingEnis: (name) => [...sim.describe(name).servingEniIds].sort(),
    simulatorDowntimeMs: (name, from, to) =>
      sim.timeline.downtimeMs(name, to) - sim.timeline.downtimeMs(name, from),
  };
  return {
    target,
    timings: { ...sim.timings, eventDelayRangeMs },
    stop: () => aws.stop(),
  };
}
