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
  readonly converged: boolean;
  /** Codes of the problems left, sorted, without repeats. */
  readonly problems: readonly string[];
}

/** Folds the reconciles of one run (one, or two around an update watch) and any fast-path binding. */
export function reportRun(results: readonly ReconcileResult[], extraApplied = 0): RunReport {
  const last = results.at(-1);
  if (!last) throw new Error('a run report needs at least one reconcile');
  const plan: Plan = last.finalPlan;
  return {
    pool: last.pool,
    applied: extraApplied + results.reduce((sum, result) => sum + result.applied.length, 0),
    failed: results.reduce((sum, result) => sum + result.failed.length, 0),
    unboundEnis: plan.enis.filter((eni) => eni.role === 'pool' && eni.address !== 'pool').length,
    freePoolIps: plan.spares.available,
    converged: last.converged,
    problems: [...new Set(plan.problems.map((problem) => problem.code))].sort(),
  };
}

/** The run's metrics, dimension Pool: what the controller publishes after each run. */
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
      { name: 'ActionsApplied', value: report.applied, unit: MetricUnit.Count },
      { name: 'ReconcileDurationMs', value: durationMs, unit: MetricUnit.Milliseconds },
    ],
    properties,
  };
}
