import type { AwsClients } from '../src/aws/clients.js';
import { type ControllerHandler, createControllerHandler } from '../src/handlers/controller.js';
import { CONTROLLER_TIMEOUT_SECONDS } from '../src/handlers/timeout-budget.js';
import { CallCounter } from './call-counter.js';
import type { CloudTrailEvent } from './cloudtrail-events.js';
import { lambdaContext } from './lambda-context.js';
import type { LambdaSimulator } from './lambda-simulator.js';
import { DEFAULT_TIMINGS } from './timings.js';
import { type ClockHandle, NOTHING_CHANGED } from './virtual-clock.js';

export interface ControllerHarnessOptions {
  readonly sim: LambdaSimulator;
  /** The controller's SDK clients. The harness counts their calls (`calls`), replacing any other recorder. */
  readonly clients: AwsClients;
  /** The controller's environment: LSI_POOL, LSI_SPARES, … as the construct would set it. */
  readonly environment: Readonly<Record<string, string>>;
  /** CloudTrail → EventBridge → Lambda delivery delay, which AWS does not publish. @default 300000 (timings.ts) */
  readonly eventDelayMs?: number;
  /** Drop every CloudTrail event: the schedule alone keeps the pool bound. @default false */
  readonly eventsLost?: boolean;
  /** The backstop schedule's period. @default 60000 */
  readonly scheduleMs?: number;
  /** When the first scheduled run comes, from now: the schedule's phase against the world's changes. @default scheduleMs */
  readonly schedulePhaseMs?: number;
  /**
   * Skip a scheduled run that provably changes nothing: the previous scheduled run wrote nothing and failed
   * nothing, neither the simulator nor any controller run has changed anything since it started, and every
   * serving ENI has egress. The skipped run is counted (`elidedTicks`) and its calls are those of that
   * previous run, which saw the same world. Only for worlds that nothing but the simulator and this
   * controller changes. @default false
   */
  readonly elideIdleTicks?: boolean;
}

interface NoOpRun {
  readonly changesAtStart: number;
  readonly writesAtStart: number;
  readonly calls: ReadonlyMap<string, number>;
}

const SCHEDULE_LABEL = 'controller schedule';

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
  /** Every AWS call the controller made. */
  readonly calls = new CallCounter();
  /** Handler invocations that ran. */
  invocations = 0;
  /** Scheduled runs skipped because they could change nothing (`elideIdleTicks`). */
  elidedTicks = 0;

  readonly #sim: LambdaSimulator;
  readonly #elide: boolean;
  readonly #pending: Array<{ readonly event: unknown; readonly scheduled: boolean }> = [];
  readonly #elidedCalls = new Map<string, number>();
  #busy = false;
  #schedule: ClockHandle | undefined;
  #stopped = false;
  #lastNoOp: NoOpRun | undefined;

  constructor(options: ControllerHarnessOptions) {
    this.#sim = options.sim;
    this.#elide = options.elideIdleTicks ?? false;
    const clock = options.sim.clock;
    this.handler = createControllerHandler({
      clients: this.calls.attach(options.clients),
      environment: options.environment,
      runtime: { now: () => clock.now(), sleep: (ms) => clock.runUntil(clock.now() + ms) },
      log: (line) => this.logs.push(line),
    });
    const delay = options.eventDelayMs ?? DEFAULT_TIMINGS.eventDelayMs;
    options.sim.onCloudTrailEvent((event: CloudTrailEvent) => {
      if (options.eventsLost || this.#stopped) return;
      clock.schedule(delay, `deliver ${event.detail.eventName}`, () => this.invoke(event));
    });
    const scheduleMs = options.scheduleMs ?? 60_000;
    this.#schedule = clock.every(
      scheduleMs,
      SCHEDULE_LABEL,
      () => {
        if (this.#elide && this.settled()) {
          this.elidedTicks++;
          for (const [operation, count] of this.#lastNoOp?.calls ?? []) {
            this.#elidedCalls.set(operation, (this.#elidedCalls.get(operation) ?? 0) + count);
          }
          return NOTHING_CHANGED;
        }
        return this.#invoke(scheduledEvent(clock.now(), options.sim.region), true);
      },
      options.schedulePhaseMs ?? scheduleMs,
    );
  }

  /** Invokes the controller now, or after the invocation in flight (reserved concurrency 1). */
  invoke(event: unknown): Promise<typeof NOTHING_CHANGED> {
    return this.#invoke(event, false);
  }

  /**
   * True when a scheduled run now would see exactly what the last one saw and did nothing about: no run
   * in flight, the last scheduled run wrote nothing, nothing changed since it started, and every serving
   * ENI of every function, version and alias has egress.
   */
  settled(): boolean {
    const last = this.#lastNoOp;
    return (
      !this.#busy &&
      last !== undefined &&
      last.changesAtStart === this.#sim.changes &&
      last.writesAtStart === this.calls.writes &&
      this.#sim.timeline.withoutEgress().length === 0
    );
  }

  /** Settled, and nothing but the schedule left to happen: no simulator work, no event on its way. */
  quiescent(): boolean {
    return this.settled() && this.#sim.clock.pending().every((task) => task.label === SCHEDULE_LABEL);
  }

  /** Calls made, plus those the elided scheduled runs would have made, by operation, and their total. */
  callsIncludingElided(): { byOperation: Record<string, number>; total: number } {
    const made = this.calls.snapshot().byOperation;
    const all = new Map(Object.entries(made));
    for (const [operation, count] of this.#elidedCalls) all.set(operation, (all.get(operation) ?? 0) + count);
    const byOperation = Object.fromEntries([...all].sort(([a], [b]) => a.localeCompare(b)));
    return { byOperation, total: [...all.values()].reduce((sum, n) => sum + n, 0) };
  }

  stop(): void {
    this.#stopped = true;
    this.#schedule?.cancel();
  }

  /**
   * Runs the handler (and whatever queued behind it). The timeline is sampled after a run that wrote
   * anything; one that wrote nothing left the world as it was, so its clock task reports NOTHING_CHANGED.
   */
  async #invoke(event: unknown, scheduled: boolean): Promise<typeof NOTHING_CHANGED> {
    if (this.#stopped) return NOTHING_CHANGED;
    if (this.#busy) {
      this.#pending.push({ event, scheduled });
      return NOTHING_CHANGED;
    }
    this.#busy = true;
    try {
      for (
        let next: { event: unknown; scheduled: boolean } | undefined = { event, scheduled };
        next !== undefined;
        next = this.#pending.shift()
      ) {
        this.invocations++;
        const started = this.#sim.clock.now();
        const changesAtStart = this.#sim.changes;
        const writesAtStart = this.calls.writes;
        const callsAtStart = this.calls.snapshot().byOperation;
        let failed = false;
        try {
          await this.handler(
            next.event,
            lambdaContext({
              requestId: `harness-${this.invocations}`,
              remainingMs: () => CONTROLLER_TIMEOUT_SECONDS * 1000 - (this.#sim.clock.now() - started),
            }),
          );
        } catch (error) {
          failed = true;
          this.errors.push(error);
        }
        const wrote = this.calls.writes > writesAtStart;
        if (wrote) await this.#sim.sample();
        if (next.scheduled) {
          this.#lastNoOp =
            wrote || failed
              ? undefined
              : {
                  changesAtStart,
                  writesAtStart,
                  calls: difference(this.calls.snapshot().byOperation, callsAtStart),
                };
        }
      }
    } finally {
      this.#busy = false;
    }
    return NOTHING_CHANGED;
  }
}

function difference(after: Record<string, number>, before: Record<string, number>): Map<string, number> {
  return new Map(
    Object.entries(after)
      .map(([operation, count]) => [operation, count - (before[operation] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
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
