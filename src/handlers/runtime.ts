/**
 * Time, as the handlers see it. Injected so that tests and benchmarks can drive waits on a virtual
 * clock (the update watch polls for minutes in production) without real sleeping.
 */
export interface Runtime {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemRuntime: Runtime = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};
