import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct, IDependable } from 'constructs';
import { poolMetric } from './hyperplane-metrics.js';
import { type HyperplaneSettings, settingText } from './hyperplane-settings.js';

/** `UnboundEnisAlarm`: UnboundEnis maximum above 0 in two of three resync periods. */
export function unboundEnisAlarm(scope: Construct, poolName: string, settings: HyperplaneSettings): Alarm {
  return new Alarm(scope, 'UnboundEnisAlarm', {
    alarmDescription: `lambda-static-ip pool "${poolName}": ENIs of its functions have no pool IP (no internet access from them); the controller's logs say why (PoolExhausted, SubnetNotPublic, ForeignAddress)`,
    metric: poolMetric(poolName, 'UnboundEnis', 'Maximum', Duration.minutes(settings.resyncMinutes)),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    // Two periods of three: a period whose scheduled run fell into the next one does not reset it.
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    // No data is no run (a busy slot during an update watch), not an unbound ENI; a controller that stops
    // running is the errors alarm's, and an ENI without internet access the probe's.
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** `ControllerErrorsAlarm`: the controller function failing in three resync periods in a row. */
export function controllerErrorsAlarm(
  scope: Construct,
  poolName: string,
  controller: IFunction,
  settings: HyperplaneSettings,
): Alarm {
  return new Alarm(scope, 'ControllerErrorsAlarm', {
    alarmDescription: `lambda-static-ip pool "${poolName}": the controller fails run after run (its logs: "run failed" with a code); meanwhile new ENIs stay unbound`,
    metric: controller.metricErrors({
      statistic: 'Sum',
      period: Duration.minutes(settings.resyncMinutes),
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 3,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/**
 * `SparesShortAlarm`: FreePoolIps below `spares` (maybe a deploy-time value: 0 then never alarms) for an hour. A VPC change holds a spare until Lambda
 * deletes the old ENI (up to about 35 minutes), so the alarm waits an hour: short spares that last are the
 * ones to act on (add IPs, or lower `spares`).
 */
export function sparesShortAlarm(scope: Construct, poolName: string, settings: HyperplaneSettings): Alarm {
  const periodMinutes = Math.max(settings.resyncMinutes, 5);
  return new Alarm(scope, 'SparesShortAlarm', {
    alarmDescription: `lambda-static-ip pool "${poolName}": fewer than ${settingText(settings.spares)} free IP(s) for an hour, so a new ENI would wait for an IP; add Elastic IPs to the pool or lower spares`,
    metric: poolMetric(poolName, 'FreePoolIps', 'Maximum', Duration.minutes(periodMinutes)),
    threshold: settings.spares,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: Math.max(1, Math.ceil(60 / periodMinutes)),
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** What a probe alarm watches: the probes of one subnet, or the probe of one placement. */
export type ProbeTarget =
  | { readonly subnetId: string; readonly placementName?: undefined }
  | { readonly placementName: string; readonly subnetId?: undefined };

/**
 * `EgressProbeAlarm<n>`: EgressIpInPool minimum below 1 for two probe periods, for the probes of one
 * subnet (the metric's dimensions are Pool and Subnet); `EgressProbeAlarm<placement>` for the probe of a
 * placement (Pool and Placement), which runs in one of its subnets at a time: it alarms for the placement,
 * not per subnet.
 *
 * @param id `EgressProbeAlarm<id>`
 * @param binding the custom resource: the probes start once it has bound the ENIs, and so does the alarm's clock
 */
export function probeAlarm(
  scope: Construct,
  id: string,
  target: ProbeTarget,
  poolName: string,
  settings: HyperplaneSettings,
  binding: IDependable,
): Alarm {
  const where =
    target.subnetId === undefined
      ? `an ENI of placement ${target.placementName} (its subnets and security groups)`
      : `a function ENI in subnet ${target.subnetId}`;
  const alarm = new Alarm(scope, `EgressProbeAlarm${id}`, {
    alarmDescription: `lambda-static-ip pool "${poolName}": ${where} does not egress from an allow-listed IP (or the probe cannot tell); see the probe's log`,
    metric: poolMetric(
      poolName,
      'EgressIpInPool',
      'Minimum',
      Duration.minutes(settings.probeMinutes),
      probeDimensions(target),
    ),
    threshold: 1,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 2,
    // A probe that does not report cannot vouch for egress.
    treatMissingData: TreatMissingData.BREACHING,
  });
  alarm.node.addDependency(binding);
  return alarm;
}

/** The dimension besides Pool that a probe's EgressIpInPool carries (see the probe handler). */
export function probeDimensions(target: ProbeTarget): Record<string, string> {
  return target.subnetId === undefined ? { Placement: target.placementName } : { Subnet: target.subnetId };
}
