import type { Plan } from '../core/plan.js';
import type { ReconcileResult } from '../reconcile/reconcile.js';
import { type MetricsDocument, MetricUnit } from './metrics.js';

export { METRICS_NAMESPACE } from './metrics.js';

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

/** The run's metrics, dimension Pool: what the controller publishes after each run (the names the alarms and the dashboard read). */
export function runMetrics(
  report: RunReport,
  durationMs: number,
  properties: Readonly<Record<string, string>> = {},
): MetricsDocument {
  return {
    dimensions: { Pool: report.pool },
    metrics: [
      { name: 'UnboundEnis', value: report.unboundEnis, unit: MetricUnit.Count },
      { name: 'FreePoolIps', value: report.freePoolIps, unit: MetricUnit.Count },
      { name: 'PoolIps', value: report.poolIps, unit: MetricUnit.Count },
      { name: 'BoundPoolIps', value: report.boundPoolIps, unit: MetricUnit.Count },
      { name: 'ActionsApplied', value: report.applied, unit: MetricUnit.Count },
      { name: 'ReconcileDurationMs', value: durationMs, unit: MetricUnit.Milliseconds },
      ...(report.timeToBindMs === undefined
        ? []
        : [{ name: 'TimeToBindMs', value: report.timeToBindMs, unit: MetricUnit.Milliseconds }]),
    ],
    properties,
  };
}
