import type { Plan } from '../core/plan.js';
import type { ReconcileResult } from '../reconcile/reconcile.js';
import { emfLine } from './emf.js';

/** The CloudWatch namespace of every metric the handlers publish. */
export const METRICS_NAMESPACE = 'LambdaStaticIp';

/** What one controller run did and left, for its summary line and its metrics. */
export interface RunReport {
  readonly pool: string;
  readonly applied: number;
  readonly failed: number;
  /** ENIs of the pool's functions without a pool IP, after the run. */
  readonly unboundEnis: number;
  /** Pool IPs ready for a new ENI (free, or on a retired ENI), after the run. */
  readonly freePoolIps: number;
  /** Every address tagged for the pool, wherever it is. */
  readonly poolIps: number;
  /** Pool IPs on Lambda ENIs that are not retired, after the run. */
  readonly boundPoolIps: number;
  /**
   * From CloudTrail's CreateNetworkInterface record to the moment this run bound that ENI; only on a run
   * started by that event which bound it.
   */
  readonly timeToBindMs?: number;
  readonly converged: boolean;
  /** Codes of the problems left, sorted, without repeats. */
  readonly problems: readonly string[];
}

/** Folds the reconciles of one run (one, or two around an update watch) and any fast-path binding. */
export function reportRun(
  results: readonly ReconcileResult[],
  extraApplied = 0,
  timeToBindMs?: number,
): RunReport {
  const last = results.at(-1);
  if (!last) throw new Error('a run report needs at least one reconcile');
  const plan: Plan = last.finalPlan;
  return {
    pool: last.pool,
    applied: extraApplied + results.reduce((sum, result) => sum + result.applied.length, 0),
    failed: results.reduce((sum, result) => sum + result.failed.length, 0),
    unboundEnis: plan.enis.filter((eni) => eni.role === 'pool' && eni.address !== 'pool').length,
    freePoolIps: plan.spares.available,
    poolIps: plan.addresses.length,
    boundPoolIps: plan.addresses.filter((address) => address.state === 'bound').length,
    ...(timeToBindMs === undefined ? {} : { timeToBindMs }),
    converged: last.converged,
    problems: [...new Set(plan.problems.map((problem) => problem.code))].sort(),
  };
}

/** The run's metrics as one EMF line, dimension Pool (the names the alarms and the dashboard read). */
export function runMetricsLine(
  report: RunReport,
  durationMs: number,
  timestamp: number,
  properties: Readonly<Record<string, unknown>> = {},
): string {
  return emfLine({
    namespace: METRICS_NAMESPACE,
    dimensions: { Pool: report.pool },
    metrics: [
      { name: 'UnboundEnis', value: report.unboundEnis, unit: 'Count' },
      { name: 'FreePoolIps', value: report.freePoolIps, unit: 'Count' },
      { name: 'PoolIps', value: report.poolIps, unit: 'Count' },
      { name: 'BoundPoolIps', value: report.boundPoolIps, unit: 'Count' },
      { name: 'ActionsApplied', value: report.applied, unit: 'Count' },
      { name: 'ReconcileDurationMs', value: durationMs, unit: 'Milliseconds' },
      ...(report.timeToBindMs === undefined
        ? []
        : [{ name: 'TimeToBindMs', value: report.timeToBindMs, unit: 'Milliseconds' } as const]),
    ],
    timestamp,
    properties,
  });
}
