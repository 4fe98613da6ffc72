import type { LambdaClient } from '@aws-sdk/client-lambda';
import { getFunctionState } from '../aws/function-state.js';
import type { Plan } from '../core/plan.js';
import type { Runtime } from './runtime.js';

export interface WatchOutcome {
  /** True once LastUpdateStatus left InProgress; false when the deadline came first. */
  readonly settled: boolean;
  readonly polls: number;
  readonly waitedMs: number;
  readonly lastUpdateStatus?: string;
}

/**
 * True when the plan could not bind a pool ENI only because the IP it needs still sits on an ENI that
 * an in-flight VPC update keeps alive (spares 0): the update's end frees it, so it is worth watching.
 */
export function waitsForRetirement(plan: Plan): boolean {
  const codes = new Set(plan.problems.map((problem) => problem.code));
  return codes.has('PoolExhausted') && codes.has('RetirementUnconfirmed');
}

/**
 * Polls GetFunctionConfiguration until the function's LastUpdateStatus leaves InProgress, every
 * `pollMs`, until `deadline` (runtime time). Lambda switches traffic to the new ENI exactly then, so
 * a reconcile right after moves the IP within one poll interval instead of the schedule's minute.
 */
export async function watchUpdate(
  lambda: LambdaClient,
  functionName: string,
  options: { readonly pollMs: number; readonly deadline: number; readonly runtime: Runtime },
): Promise<WatchOutcome> {
  const started = options.runtime.now();
  for (let polls = 1; ; polls++) {
    const { lastUpdateStatus } = await getFunctionState(lambda, functionName);
    const waitedMs = options.runtime.now() - started;
    const status = lastUpdateStatus === undefined ? {} : { lastUpdateStatus };
    if (lastUpdateStatus !== 'InProgress') return { settled: true, polls, waitedMs, ...status };
    if (options.runtime.now() + options.pollMs > options.deadline) {
      return { settled: false, polls, waitedMs, ...status };
    }
    await options.runtime.sleep(options.pollMs);
  }
}
