import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type GraphWidgetProps,
  type IAlarm,
  type IWidget,
  SingleValueWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { type ProbeTarget, probeDimensions } from './hyperplane-alarms.js';
import { poolMetric } from './hyperplane-metrics.js';
import { atDeploy, type HyperplaneSettings } from './hyperplane-settings.js';

/** What the dashboard of one pool shows. */
export interface EgressDashboardOptions {
  readonly poolName: string;
  readonly settings: HyperplaneSettings;
  readonly controller: IFunction;
  readonly deploymentHandler: IFunction;
  /** The construct's alarms; read at synth, so alarms added with later functions are in. */
  readonly alarms: readonly IAlarm[];
}

/** How long a time-to-bind or run-time data point spans: runs are minutes apart, events come in bursts. */
const TIMING_PERIOD = Duration.minutes(5);

/**
 * `Dashboard`: one pool at a glance, from the metrics the controller and the probes publish (namespace
 * `LambdaStaticIp`, dimension `Pool`): its size, bound and free IPs, ENIs waiting for an IP, time to
 * bind, the probes' verdicts, the controller's errors and run time, and the alarms.
 */
export class EgressDashboard {
  readonly dashboard: Dashboard;
  /** The probes' graph, one line per probe subnet; undefined without `probe`. */
  private readonly probes?: GraphWidget;

  constructor(
    scope: Construct,
    private readonly options: EgressDashboardOptions,
  ) {
    const { poolName, settings, controller, deploymentHandler } = options;
    const resync = Duration.minutes(settings.resyncMinutes);
    const metric = (name: string, statistic: string, label: string, period = resync) =>
      poolMetric(poolName, name, statistic, period).with({ label });
    const poolIps = metric('PoolIps', 'Maximum', 'pool IPs');
    const boundIps = metric('BoundPoolIps', 'Maximum', 'bound to ENIs');
    const freeIps = metric('FreePoolIps', 'Minimum', 'free (spares), lowest');
    const waiting = metric('UnboundEnis', 'Maximum', 'ENIs without a pool IP');

    if (settings.probe) {
      this.probes = new GraphWidget({
        title: 'Egress probes: 1 = the ENI egresses from an allow-listed IP',
        left: [],
        leftYAxis: { min: 0, max: 1 },
        width: 8,
        height: 6,
      });
    }
    // Counts and durations start at 0; three graphs make a row.
    const graph = (props: GraphWidgetProps) =>
      new GraphWidget({ leftYAxis: { min: 0 }, width: 8, height: 6, ...props });
    const timing = (title: string, metricName: string) =>
      graph({
        title,
        left: [
          metric(metricName, 'Average', 'average', TIMING_PERIOD),
          metric(metricName, 'Maximum', 'longest', TIMING_PERIOD),
        ],
      });
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: [
            `## lambda-static-ip pool "${poolName}"`,
            `The controller \`${controller.functionName}\` keeps a pool IP on every Lambda ENI of the pool's functions and logs one summary line per run. \`lambda-static-ip status --pool ${poolName}\` lists every ENI and IP.`,
          ].join('\n\n'),
          width: 24,
          height: 3,
        }),
      ],
      [
        new SingleValueWidget({
          title: 'Now',
          metrics: [poolIps, boundIps, freeIps, waiting],
          width: 16,
          height: 4,
        }),
        new AlarmStatusWidget({ title: 'Alarms', alarms: options.alarms as IAlarm[], width: 8, height: 4 }),
      ],
      [
        graph({
          title: 'Pool IPs',
          left: [poolIps, boundIps, freeIps],
          leftAnnotations:
            // A deploy-time spares has no line: the dashboard's body wants the number at synth.
            !atDeploy(settings.spares) && settings.spares > 0
              ? [{ value: settings.spares, label: `spares wanted (${settings.spares})` }]
              : [],
        }),
        graph({
          title: 'ENIs waiting for an IP',
          left: [waiting],
          right: [metric('ActionsApplied', 'Sum', 'bindings and moves applied')],
          rightYAxis: { min: 0 },
        }),
        timing('Time to bind a new ENI (ms, event path)', 'TimeToBindMs'),
      ],
      [
        this.probes ??
          new TextWidget({
            markdown:
              'Egress probes are off. With `probe: true` each (subnet, security-group set) gets a probe that proves its ENI egresses from an allow-listed IP.',
            width: 8,
            height: 6,
          }),
        graph({
          title: 'Controller errors',
          left: [
            controller.metricErrors({ statistic: 'Sum', period: resync, label: 'controller errors' }),
            controller.metricThrottles({ statistic: 'Sum', period: resync, label: 'controller throttles' }),
            deploymentHandler.metricErrors({ statistic: 'Sum', period: resync, label: 'deployment errors' }),
          ],
        }),
        timing('Run time (ms)', 'ReconcileDurationMs'),
      ],
    ];
    this.dashboard = new Dashboard(scope, 'Dashboard', { start: '-P1D', widgets: rows });
  }

  /** One more line on the probes' graph: the probes of that subnet, or the probe of that placement. */
  addProbe(target: ProbeTarget): void {
    const { poolName, settings } = this.options;
    const label = target.subnetId === undefined ? target.placementName : `subnet ${target.subnetId}`;
    this.probes?.addLeftMetric(
      poolMetric(
        poolName,
        'EgressIpInPool',
        'Minimum',
        Duration.minutes(settings.probeMinutes),
        probeDimensions(target),
      ).with({ label }),
    );
  }
}
