import type { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE } from '../handlers/run-report.js';

/**
 * A metric the handlers publish for a pool (namespace `LambdaStaticIp`, dimension `Pool`, plus `extra`
 * dimensions such as the probe's `Subnet`), as the alarms read it.
 */
export function poolMetric(
  poolName: string,
  metricName: string,
  statistic: string,
  period: Duration,
  extra: Record<string, string> = {},
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { Pool: poolName, ...extra },
    statistic,
    period,
  });
}
