/**
 * What one invocation of a test function showed: the address its request to the IP echo endpoint came
 * from (`egress`), that the handler ran but reached nothing (`no-egress`: the ENI it ran on had no way
 * out), that Lambda would not run it yet (`not-ready`: Pending, or an update in progress), or another failure.
 */
export type InvocationOutcome = 'egress' | 'no-egress' | 'not-ready' | 'error';

export interface InvocationSample {
  /** When the invocation was sent, in ms since the epoch (the run's clock). */
  readonly at: number;
  readonly functionName: string;
  readonly outcome: InvocationOutcome;
  /** The egress address, for `egress`. */
  readonly ip?: string;
  /** The Lambda error code or the handler's message, for `not-ready` and `error`. */
  readonly detail?: string;
}

/** An interval without egress: from the first invocation that found no way out to the next that did. */
export interface EgressGap {
  readonly functionName: string;
  readonly from: number;
  readonly to: number;
  /** Invocations without egress in the gap. */
  readonly invocations: number;
  /** True when no invocation with egress came before the observation ended: `to` is that end. */
  readonly open: boolean;
}

/**
 * The gaps without egress in one function's samples (any order), until `until`. A gap is measured from
 * its first `no-egress` sample to the next `egress` sample, so each end is exact to one invocation
 * interval; `not-ready` and `error` samples neither open nor close a gap (Lambda refused the call, the
 * network was not tested).
 */
export function egressGaps(samples: readonly InvocationSample[], until: number): EgressGap[] {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const gaps: EgressGap[] = [];
  let open: { functionName: string; from: number; invocations: number } | undefined;
  for (const sample of sorted) {
    if (sample.outcome === 'no-egress') {
      if (open) open.invocations++;
      else open = { functionName: sample.functionName, from: sample.at, invocations: 1 };
    } else if (sample.outcome === 'egress' && open) {
      gaps.push({ ...open, to: sample.at, open: false });
      open = undefined;
    }
  }
  if (open) gaps.push({ ...open, to: Math.max(until, open.from), open: true });
  return gaps;
}

/** The total time without egress over a set of gaps. */
export function downtimeMs(gaps: readonly EgressGap[]): number {
  return gaps.reduce((sum, gap) => sum + (gap.to - gap.from), 0);
}

/** Every distinct egress address the samples saw, sorted. */
export function addressesSeen(samples: readonly InvocationSample[]): string[] {
  return [...new Set(samples.flatMap((sample) => (sample.ip === undefined ? [] : [sample.ip])))].sort();
}
