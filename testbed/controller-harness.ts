import type { AwsClients } from '../src/aws/clients.js';
import { type ControllerHandler, createControllerHandler } from '../src/handlers/controller.js';
import { CONTROLLER_TIMEOUT_SECONDS } from '../src/handlers/timeout-budget.js';
import type { CloudTrailEvent } from './cloudtrail-events.js';
import { lambdaContext } from './lambda-context.js';
import type { LambdaSimulator } from './lambda-simulator.js';
import type { ClockHandle } from './virtual-clock.js';

export interface ControllerHarnessOptions {
  readonly sim: LambdaSimulator;
  /** The controller's SDK clients (instrument them to count calls). */
  readonly clients: AwsClients;
  /** The controller's environment: LSI_POOL, LSI_SPARES, … as the construct would set it. */
  readonly environment: Readonly<Record<string, string>>;
  /** CloudTrail → EventBridge → Lambda delivery delay, which AWS does not publish. @default 60000 */
  readonly eventDelayMs?: number;
  /** Drop every CloudTrail event: the schedule alone keeps the pool bound. @default false */
  readonly eventsLost?: boolean;
  /** The backstop schedule's period. @default 60000 */
  readonly scheduleMs?: number;
}

/**
 * Runs the real controller handler on the simulator's virtual clock, as Lambda and EventBridge would:
 * CloudTrail events from the simulator arrive after a delay (or never), the schedule fires every
 * period, the handler's sleeps (its update watch) pass in virtual time, and invocations never overlap
 * (reserved concurrency 1: a busy controller's invocations wait their turn).
 */
export class ControllerHarness {
  readonly handler: ControllerHandler;
  readonly logs: string[] = [];
  readonly errors: unknown[] = [];
  invocations = 0;

  readonly #sim: LambdaSimulator;
  readonly #pending: unknown[] = [];
  #busy = false;
  #schedule: ClockHandle | undefined;
  #stopped = false;

  constructor(options: ControllerHarnessOptions) {
    this.#sim = options.sim;
    const clock = options.sim.clock;
    this.handler = createControllerHandler({
      clients: options.clients,
      environment: options.environment,
      runtime: { now: () => clock.now(), sleep: (ms) => clock.runUntil(clock.now() + ms) },
      log: (line) => this.logs.push(line),
    });
    const delay = options.eventDelayMs ?? 60_000;
    options.sim.onCloudTrailEvent((event: CloudTrailEvent) => {
      if (options.eventsLost || this.#stopped) return;
      clock.schedule(delay, `deliver ${event.detail.eventName}`, () => this.invoke(event));
    });
    this.#schedule = clock.every(options.scheduleMs ?? 60_000, 'controller schedule', () =>
      this.invoke(scheduledEvent(clock.now(), options.sim.region)),
    );
  }

  /** Invokes the controller now, or after the invocation in flight (reserved concurrency 1). */
  async invoke(event: unknown): Promise<void> {
    if (this.#stopped) return;
    if (this.#busy) {
      this.#pending.push(event);
      return;
    }
    this.#busy = true;
    try {
      for (let next: unknown = event; next !== undefined; next = this.#pending.shift()) {
        this.invocations++;
        const started = this.#sim.clock.now();
        try {
          await this.handler(
            next,
            lambdaContext({
              requestId: `harness-${this.invocations}`,
              remainingMs: () => CONTROLLER_TIMEOUT_SECONDS * 1000 - (this.#sim.clock.now() - started),
            }),
          );
        } catch (error) {
          this.errors.push(error);
        }
        await this.#sim.sample();
      }
    } finally {
      this.#busy = false;
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#schedule?.cancel();
  }
}

function scheduledEvent(now: number, region: string) {
  return {
    version: '0',
    id: `schedule-${now}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date(now).toISOString(),
    region,
    resources: [`arn:aws:events:${region}:123456789012:rule/lambda-static-ip-resync`],
    detail: {},
  };
}
