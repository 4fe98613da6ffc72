import type { EgressGap } from './invocations.js';

/** What happened to one scenario. */
export interface FieldTestScenarioReport {
  readonly id: string;
  readonly title: string;
  readonly expectation: string;
  /** `passed`: every address seen is a pool address and the downtime is as expected (none unless a gap is expected). */
  readonly status: 'passed' | 'failed' | 'error' | 'skipped';
  readonly spares: number;
  readonly functions: readonly string[];
  readonly invocations: number;
  /** Time without egress while the function ran (sum of `gaps`), exact to one invocation interval. */
  readonly downtimeMs: number;
  readonly gaps: readonly EgressGap[];
  /** Every egress address the invocations saw, sorted. */
  readonly addressesSeen: readonly string[];
  /** Those not in the pool: any makes the verdict "not confirmed". */
  readonly foreignAddresses: readonly string[];
  /** From the change (CreateFunction, UpdateFunctionConfiguration) until the new placement served. */
  readonly eniSwitchMs?: number;
  readonly notes: readonly string[];
  /** Why the scenario ended in `error` or was `skipped`. */
  readonly error?: string;
  /**
   * Local runs only: the egress downtime the simulator's timeline recorded for the same interval (exact),
   * against which `downtimeMs` (from invocations) can be checked.
   */
  readonly simulatorDowntimeMs?: number;
  /** The keeper scenario only: its keepers, their ENIs, and where the function landed. */
  readonly keeper?: FieldTestKeeperReport;
}

/** What the keepers of a scenario held, and whether the function moved onto exactly that. */
export interface FieldTestKeeperReport {
  /** The keeper functions (one per subnet of the new placement), as `prepare` names them. */
  readonly functions: readonly string[];
  /** Their execution role, as `prepare` creates it. */
  readonly role: string;
  /** From the keepers' role (made or found) until every keeper's ENI held a pool IP. */
  readonly readyMs: number;
  /** The keepers' ENIs when they were all bound, before the change, by subnet. */
  readonly enis: ReadonlyArray<{
    readonly networkInterfaceId: string;
    readonly subnetId: string;
    readonly publicIp?: string;
  }>;
  /** The Lambda ENIs of the new placement once it served: the keepers' own when no new one was needed. */
  readonly enisAfterChange: readonly string[];
  /** Every address the function's invocations left from once the new placement served, sorted. */
  readonly addressesAfterChange: readonly string[];
  /** Local runs only: the ENIs the simulator says serve the function at the end, sorted. */
  readonly simulatorServingEnis?: readonly string[];
  /** True when the function landed on the keepers' ENIs and left only from their IPs. */
  readonly landedOnKeeperEnis: boolean;
}

/** A measured timing: each observation, and their minimum, median, maximum and count. */
export interface MeasuredTiming {
  readonly status: 'measured';
  readonly samplesMs: readonly number[];
  readonly minMs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly count: number;
  /** How exact each sample is (the polling or invocation interval). */
  readonly resolutionMs: number;
  /** `eventDelayMs` only: the Lambda ENIs whose CreateNetworkInterface event arrived, sorted. */
  readonly eniIds?: readonly string[];
  /** `eventDelayMs` only: Lambda ENIs the run saw whose event never arrived while it waited (best effort). */
  readonly withoutEvent?: readonly string[];
}

export type TimingMeasurement =
  | MeasuredTiming
  | { readonly status: 'unavailable' | 'not observed'; readonly reason: string };

/** The timings the simulator estimates (testbed/timings.ts), as this run measured them. */
export interface FieldTestTimings {
  readonly eniSwitchMs: TimingMeasurement;
  readonly eventDelayMs: TimingMeasurement;
  readonly eniDeletionDelayMs: TimingMeasurement;
}

export interface FieldTestVerdict {
  /** The question the field test answers: does traffic leave from the pool's Elastic IPs? */
  readonly egressFromPoolIps: 'confirmed' | 'not confirmed';
  readonly reasons: readonly string[];
}

export interface FieldTestCleanup {
  readonly complete: boolean;
  /** What was deleted or released, by kind (`function`, `eni-wait`, `security-group`, `address`, …). */
  readonly removed: readonly string[];
  /** What is left (an ENI Lambda has not deleted yet, say) and the command that removes it later. */
  readonly left: readonly string[];
  readonly keptIps: readonly string[];
}

export interface FieldTestReport {
  readonly runId: string;
  /** `local`: the test bed (moto and the Lambda simulator, virtual time); `aws`: a real account. */
  readonly mode: 'local' | 'aws';
  readonly region: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly settings: {
    readonly invokeIntervalMs: number;
    readonly reconcileIntervalMs: number;
    readonly budgetMinutes: number;
  };
  readonly poolIps: readonly string[];
  readonly scenarios: readonly FieldTestScenarioReport[];
  /** What Lambda does on its own and no field test can trigger. */
  readonly notForceable: readonly { readonly id: string; readonly reason: string }[];
  readonly timings: FieldTestTimings;
  /** Local runs only: every ENI the simulator created, against which `eventDelayMs.eniIds` can be checked. */
  readonly simulatorEnis?: readonly string[];
  readonly verdict: FieldTestVerdict;
  readonly cleanup: FieldTestCleanup;
}

/** The minimum, median and maximum of the samples, or `not observed` with the reason. */
export function measured(
  samplesMs: readonly number[],
  resolutionMs: number,
  reason: string,
): TimingMeasurement {
  if (samplesMs.length === 0) return { status: 'not observed', reason };
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return {
    status: 'measured',
    samplesMs: sorted,
    minMs: sorted[0] as number,
    medianMs: median,
    maxMs: sorted.at(-1) as number,
    count: sorted.length,
    resolutionMs,
  };
}

/**
 * Confirmed only when at least one scenario ran to its end, invocations saw egress, and every address any
 * invocation left from is a pool address.
 */
export function fieldTestVerdict(scenarios: readonly FieldTestScenarioReport[]): FieldTestVerdict {
  const reasons: string[] = [];
  const ran = scenarios.filter((scenario) => scenario.status === 'passed' || scenario.status === 'failed');
  const foreign = [...new Set(scenarios.flatMap((scenario) => scenario.foreignAddresses))].sort();
  if (ran.length === 0) reasons.push('no scenario ran to its end');
  if (ran.length > 0 && ran.every((scenario) => scenario.addressesSeen.length === 0)) {
    reasons.push('no invocation reached the IP echo endpoint');
  }
  if (foreign.length > 0) {
    reasons.push(`traffic left from addresses outside the pool: ${foreign.join(', ')}`);
  }
  for (const scenario of scenarios.filter((s) => s.status === 'error')) {
    reasons.push(`${scenario.id} failed: ${scenario.error ?? 'unknown error'}`);
  }
  const confirmed = ran.length > 0 && foreign.length === 0 && reasons.length === 0;
  if (confirmed) {
    const addresses = new Set(ran.flatMap((scenario) => scenario.addressesSeen)).size;
    reasons.push(
      `${ran.reduce((sum, s) => sum + s.invocations, 0)} invocations in ${ran.length} scenarios left from ${addresses} pool addresses and from nothing else`,
    );
  }
  return { egressFromPoolIps: confirmed ? 'confirmed' : 'not confirmed', reasons };
}
