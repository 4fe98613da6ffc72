/**
 * What a task returns to say it changed nothing anyone could observe (a controller run that wrote nothing),
 * so that hooks such as the simulator's timeline sampling can skip it.
 */
export const NOTHING_CHANGED: unique symbol = Symbol('nothing changed');

/** Something that happens at a virtual instant. Tasks at the same instant run in the order scheduled. */
// biome-ignore lint/suspicious/noConfusingVoidType: a task returns nothing, or says it changed nothing
export type ClockTask = () => void | typeof NOTHING_CHANGED | Promise<void | typeof NOTHING_CHANGED>;

type TaskResult = Awaited<ReturnType<ClockTask>>;

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly label: string;
  readonly task: ClockTask;
  cancelled: boolean;
}

/** A handle to cancel a scheduled task or a repeating one. */
export interface ClockHandle {
  cancel(): void;
}

/**
 * Virtual time for the test bed: nothing happens until `advance` moves the clock, and then every due task
 * runs, in time order, to completion before the next. Runs are exactly reproducible.
 */
export class VirtualClock {
  #now: number;
  #seq = 0;
  #queue: Scheduled[] = [];
  #afterEach: Array<(label: string, result: TaskResult) => void | Promise<void>> = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  /** Milliseconds since the epoch, virtual. */
  now(): number {
    return this.#now;
  }

  /** Runs `task` at now + delayMs (0: at the current instant, on the next advance). */
  schedule(delayMs: number, label: string, task: ClockTask): ClockHandle {
    if (!Number.isFinite(delayMs) || delayMs < 0)
      throw new RangeError(`delay must be >= 0 ms, got ${delayMs}`);
    const entry: Scheduled = { at: this.#now + delayMs, seq: this.#seq++, label, task, cancelled: false };
    this.#queue.push(entry);
    this.#queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Runs `task` every intervalMs, first at now + firstAfterMs (default: one interval), until cancelled. */
  every(intervalMs: number, label: string, task: ClockTask, firstAfterMs = intervalMs): ClockHandle {
    if (!(intervalMs > 0)) throw new RangeError(`interval must be > 0 ms, got ${intervalMs}`);
    let current: ClockHandle | undefined;
    let cancelled = false;
    const arm = (delayMs: number) => {
      current = this.schedule(delayMs, label, async () => {
        if (cancelled) return NOTHING_CHANGED;
        arm(intervalMs);
        return task();
      });
    };
    arm(firstAfterMs);
    return {
      cancel: () => {
        cancelled = true;
        current?.cancel();
      },
    };
  }

  /** Called after every task with what it returned, e.g. to sample the world into a timeline. */
  afterEachTask(hook: (label: string, result: TaskResult) => void | Promise<void>): void {
    this.#afterEach.push(hook);
  }

  /** Moves the clock forward by ms, running every task due on the way. */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance must be >= 0 ms, got ${ms}`);
    await this.runUntil(this.#now + ms);
  }

  /** Runs tasks due up to and including `untilMs`, then leaves the clock at untilMs. */
  async runUntil(untilMs: number): Promise<void> {
    for (;;) {
      const next = this.#queue[0];
      if (next === undefined || next.at > untilMs) break;
      this.#queue.shift();
      if (next.cancelled) continue;
      this.#now = Math.max(this.#now, next.at);
      const result = await next.task();
      for (const hook of this.#afterEach) await hook(next.label, result);
    }
    this.#now = Math.max(this.#now, untilMs);
  }

  /** Labels of the tasks still waiting, soonest first (for diagnostics). */
  pending(): Array<{ at: number; label: string }> {
    return this.#queue.filter((entry) => !entry.cancelled).map(({ at, label }) => ({ at, label }));
  }
}
