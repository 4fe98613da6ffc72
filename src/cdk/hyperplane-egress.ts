import { Annotations, CfnOutput, CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarm,
  type IAlarmAction,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type EventPattern, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type CfnFunction,
  type FunctionProps,
  type IFunction,
  Function as LambdaFunctionResource,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { controllerStatements } from '../core/iam-policy.js';
import { DEFAULT_MAX_IPS } from '../core/pool.js';
import type { CONTROLLER_ENVIRONMENT } from '../handlers/controller-config.js';
import {
  CONTROLLER_SCHEDULE_EXPRESSION,
  ENI_CREATED_PATTERN,
  FUNCTION_CHANGED_PATTERN,
} from '../handlers/event-patterns.js';
import type { PROBE_ENVIRONMENT } from '../handlers/probe.js';
import { METRICS_NAMESPACE } from '../handlers/run-report.js';
import {
  CONTROLLER_RESERVED_CONCURRENCY,
  CONTROLLER_TIMEOUT_SECONDS,
  controllerTimeoutSeconds,
  DEFAULT_UPDATE_WATCH_SECONDS,
  DEFAULT_WAIT_SECONDS,
  HANDLER_RUNTIME,
  PROBE_TIMEOUT_SECONDS,
  PROVIDER_QUERY_INTERVAL_SECONDS,
  providerTotalTimeoutSeconds,
} from '../handlers/timeout-budget.js';
import {
  type Combination,
  combinationsOf,
  placementOf,
  subnetClassifier,
  unqualified,
} from './function-placement.js';
import { handlerCode } from './handler-code.js';
import { propsError } from './props-error.js';
import type { StaticIpPool } from './static-ip-pool.js';

/** Properties of a {@link HyperplaneEgress}. */
export interface HyperplaneEgressProps {
  /**
   * The pool whose Elastic IPs the functions egress from. The construct claims no address: the controller
   * binds the pool's free addresses, except those other consumers of the same pool hold
   * (`NatGatewayEgress`, `NetworkLoadBalancerIngress`, whether constructed before or after this one). Their
   * allocation ids reach the controller as reserved (`LSI_RESERVED`, the custom resource's
   * `ReservedAllocationIds`), so it never binds a spare a NAT gateway is about to take. That is what lets a
   * pool switch strategies without a new allow-list (`docs/switching.md`).
   *
   * Without `allocate`, the addresses nobody else holds must cover one per (subnet, security-group set) of
   * the functions plus `spares` (`PoolTooSmall`); with it, `maxIps` counts the others' addresses too
   * (`MaxIpsTooLow`). Checked when the construct is created and again at synth, once every consumer exists.
   */
  readonly pool: StaticIpPool;

  /**
   * The functions whose egress leaves from the pool. Each must be attached to public subnets (a route
   * 0.0.0.0/0 to an internet gateway, no NAT) with `allowPublicSubnet: true`; a function of the app
   * without a VPC is an error, and subnets that do not look public are a warning. Functions tagged
   * `lambda-static-ip:pool=<poolName>` elsewhere belong to the pool too, so the list may be empty.
   *
   * Versions and aliases stand for their function. Imported functions are passed to the controller by
   * name; their placement is checked at deploy time (and they get no egress probe).
   */
  readonly functions: IFunction[];

  /**
   * Free pool IPs the controller keeps ready, so that a new ENI is bound the moment Lambda creates it
   * instead of waiting for an old ENI to retire. Elastic IPs are regional: one spare serves a new ENI in
   * any subnet. The pool must hold one IP per (subnet, security-group set) of the functions plus the
   * spares (checked at synth unless `allocate`).
   *
   * @default 1 - one new ENI at a time (a VPC change of one combination, a scale-out past an ENI's
   *   65,000 connections, an ENI re-created after idle reclaim) costs no downtime. A deployment that
   *   changes the placement of every combination at once needs one spare per combination for that.
   */
  readonly spares?: number;

  /**
   * Let the controller allocate tagged Elastic IPs itself, up to `maxIps`, when the pool runs short of an
   * ENI or of its spares. Such addresses live outside the stack: never released by it, not in the pool's
   * `AllowList` output, and not on the egress probe's allow-list until you add them.
   *
   * @default false - the pool construct owns allocation: the allow-list is exactly the stack's addresses,
   *   and the controller's role cannot call ec2:AllocateAddress
   */
  readonly allocate?: boolean;

  /**
   * The largest the pool may grow to when `allocate` is on (the controller's `LSI_MAX_IPS`). Mind the
   * Elastic IP quota: 5 per Region by default.
   *
   * @default 16 - as the CLI's --max-ips; unused unless `allocate`
   */
  readonly maxIps?: number;

  /**
   * How often the controller reconciles everything, whatever the events: the backstop for lost or late
   * CloudTrail events, and the only path without a trail. Whole minutes, at least 1.
   *
   * @default Duration.minutes(1)
   */
  readonly resyncInterval?: Duration;

  /**
   * React to CloudTrail events (`CreateNetworkInterface` of a Lambda ENI, `CreateFunction*`,
   * `UpdateFunctionConfiguration*`): a new ENI is bound within seconds instead of at the next resync.
   * **Needs a CloudTrail trail** that records management events in the Region; without one the rules
   * never fire and the schedule still does the work.
   *
   * @default true
   */
  readonly eventDriven?: boolean;

  /**
   * How long one controller run may watch a function's VPC update before reconciling (the update
   * watch, `LSI_UPDATE_WATCH_SECONDS`); `Duration.seconds(0)` turns it off. The controller's timeout is one
   * reconcile budget plus this. Up to 10 minutes. Deployments never wait behind it: the custom resource
   * has a function of its own.
   *
   * @default Duration.minutes(2)
   */
  readonly updateWatch?: Duration;

  /**
   * How long a deployment waits for every ENI of the functions to hold a pool IP before it fails with
   * what is missing (the custom resource's `WaitSeconds`). Lambda takes from about a minute to several
   * minutes to create an ENI. From 1 to 50 minutes.
   *
   * @default Duration.minutes(10)
   */
  readonly convergenceTimeout?: Duration;

  /**
   * Deploy an egress probe in each (subnet, security-group set) of the functions: a tiny function that
   * shares their ENI, asks an IP echo endpoint which address it egresses from, and publishes
   * `EgressIpInPool` (1 when the address is on the pool's allow-list), with an alarm.
   *
   * @default false
   */
  readonly probe?: boolean;

  /**
   * The IP echo endpoint the probes ask (http or https, answering with the caller's IP as plain text).
   * Only with `probe`.
   *
   * @default - the probe's own default, https://checkip.amazonaws.com
   */
  readonly probeEchoUrl?: string;

  /**
   * How often each probe runs. Whole minutes, at least 1. Only with `probe`.
   *
   * @default Duration.minutes(5)
   */
  readonly probeInterval?: Duration;

  /**
   * Where the alarms send their ALARM and OK notifications.
   *
   * @default - no actions: the alarms only change state
   */
  readonly alarmTopic?: ITopic;

  /**
   * How long the controller's and the probes' logs are kept. The log groups are retained when the stack
   * is deleted.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/** The settings, checked. */
interface Settings {
  readonly spares: number;
  readonly allocate: boolean;
  readonly maxIps: number;
  readonly resyncMinutes: number;
  readonly eventDriven: boolean;
  readonly updateWatchSeconds: number;
  readonly waitSeconds: number;
  readonly probe: boolean;
  readonly probeEchoUrl?: string;
  readonly probeMinutes: number;
}

/** A pool function whose placement the app knows. */
interface PlacedFunction {
  readonly fn: IFunction;
  readonly path: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

const ARCHITECTURE = Architecture.ARM_64;

/**
 * Static egress for functions in public subnets: their Lambda Hyperplane ENIs hold Elastic IPs of a
 * {@link StaticIpPool}, kept bound by an in-account controller (no NAT gateway).
 *
 * Deploys the controller (reserved concurrency 1, on a schedule and, with a CloudTrail trail, on ENI and
 * function events), a custom resource that binds the ENIs during the deployment and unbinds them when it is
 * removed, CloudWatch alarms, and optionally an egress probe per (subnet, security-group set).
 *
 * Binding an Elastic IP to a Lambda ENI works but is not documented or supported by AWS: see
 * `docs/hyperplane-egress.md` for the caveats.
 */
export class HyperplaneEgress extends Construct {
  /** Spares when `spares` is not given. */
  static readonly DEFAULT_SPARES = 1;

  /** The pool name, as in the `lambda-static-ip:pool` tag. */
  readonly poolName: string;
  /** The controller: schedule, CloudTrail events and the update watch. */
  readonly controller: IFunction;
  /** The same code, serving only the custom resource, so a deployment never waits for the controller's single slot. */
  readonly deploymentHandler: IFunction;
  /** Binds the ENIs at deployment, unbinds them at removal. Depend on it to run after egress works. */
  readonly customResource: CustomResource;
  /** The pool's public IPs: the allow-list the probes check. */
  readonly allowList: string[];
  /** The (subnet, security-group set) combinations of the functions the app knows: one ENI and one IP each. */
  readonly combinations: number;
  /** The egress probes, one per combination (empty without `probe`). */
  readonly probes: IFunction[];
  /** UnboundEnis maximum above 0 in two of three resync periods. */
  readonly unboundEnisAlarm: IAlarm;
  /** The controller function failing in three resync periods in a row. */
  readonly controllerErrorsAlarm: IAlarm;
  /** FreePoolIps below `spares` for an hour; undefined when `spares` is 0. */
  readonly sparesAlarm?: IAlarm;
  /** EgressIpInPool minimum below 1 for two probe periods, one per probe subnet. */
  readonly probeAlarms: IAlarm[];
  /** Every alarm above. */
  readonly alarms: IAlarm[];

  constructor(scope: Construct, id: string, props: HyperplaneEgressProps) {
    super(scope, id);
    const settings = this.checkSettings(props);
    const pool = props.pool;
    this.poolName = pool.poolName;
    this.allowList = pool.publicIps;

    const placed = this.placeFunctions(props.functions);
    const combinations = combinationsOf(placed);
    this.combinations = combinations.length;
    this.warnAboutSubnets(combinations);
    const sizeProblem = () => this.poolSizeProblem(pool, combinations.length, settings);
    const early = sizeProblem();
    if (early) throw propsError(this, early.code, early.message);
    // Other consumers of the pool may be constructed after this one: their holdings are known at synth.
    this.node.addValidation({
      validate: () => {
        const late = sizeProblem();
        return late ? [`${late.code}: ${late.message}`] : [];
      },
    });
    const reserved = () => pool.claimedAllocationIds({ except: this });

    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const logGroup = new LogGroup(this, 'ControllerLogs', { retention });
    this.probes = settings.probe ? this.deployProbes(combinations, settings, retention) : [];

    // The probes join the pool's functions: they share the functions' ENIs, and as pool functions they
    // are not reported as outsiders sharing them (SharedEni) on every run.
    const functionNames = [...placed.map((p) => p.fn), ...this.probes].map((fn) => fn.functionName);
    const role = this.controllerRole(settings, logGroup);
    const environment = {
      LSI_POOL: pool.poolName,
      LSI_FUNCTIONS: Stack.of(this).toJsonString(functionNames),
      LSI_ALLOCATE: String(settings.allocate),
      LSI_MAX_IPS: String(settings.maxIps),
      LSI_SPARES: String(settings.spares),
      LSI_RESERVED: Lazy.string({ produce: () => Stack.of(this).toJsonString(reserved()) }),
      LSI_UPDATE_WATCH_SECONDS: String(settings.updateWatchSeconds),
    } satisfies Partial<Record<(typeof CONTROLLER_ENVIRONMENT)[number], string>>;
    const controllerProps = {
      code: handlerCode(this, 'controller'),
      handler: 'index.handler',
      runtime: pinnedRuntime(),
      architecture: ARCHITECTURE,
      memorySize: 256,
      role,
      logGroup,
      environment,
    } satisfies FunctionProps;

    this.controller = new LambdaFunctionResource(this, 'Controller', {
      ...controllerProps,
      description: `lambda-static-ip: keeps the ENIs of pool "${pool.poolName}" bound (schedule, CloudTrail events)`,
      // One run at a time. Schedule and CloudTrail invocations are asynchronous, so a busy slot queues them.
      reservedConcurrentExecutions: CONTROLLER_RESERVED_CONCURRENCY,
      // One degraded reconcile, plus the update watch: the watch stops while a reconcile budget remains.
      timeout: Duration.seconds(controllerTimeoutSeconds(settings.updateWatchSeconds)),
      // Every run observes everything: a retried or stale event adds nothing the next resync would not do.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(15),
    });

    // The Provider invokes its handler synchronously and retries a throttled call for seconds only, while
    // a deployment that changes a pool function's VPC fires exactly the events that start an update watch
    // in the controller's one slot (docs/controller.md). The deployment gets its own function; two runs at
    // once are safe (every change is a compare-and-swap), merely redundant.
    this.deploymentHandler = new LambdaFunctionResource(this, 'DeploymentHandler', {
      ...controllerProps,
      description: `lambda-static-ip: binds and unbinds the ENIs of pool "${pool.poolName}" during deployments`,
      timeout: Duration.seconds(CONTROLLER_TIMEOUT_SECONDS),
    });

    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.deploymentHandler,
      isCompleteHandler: this.deploymentHandler,
      queryInterval: Duration.seconds(PROVIDER_QUERY_INTERVAL_SECONDS),
      totalTimeout: Duration.seconds(providerTotalTimeoutSeconds(settings.waitSeconds)),
    });
    this.customResource = new CustomResource(this, 'Binding', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::LambdaStaticIpPoolBinding',
      // The environment's values again: a change reaches CloudFormation as an Update, which waits for the
      // pool to converge with them.
      properties: {
        Pool: pool.poolName,
        Functions: functionNames,
        Allocate: environment.LSI_ALLOCATE,
        MaxIps: environment.LSI_MAX_IPS,
        Spares: environment.LSI_SPARES,
        ReservedAllocationIds: Lazy.list({ produce: reserved }),
        WaitSeconds: String(settings.waitSeconds),
      },
    });
    // The Functions property refers to every function (and probe): CloudFormation creates the custom
    // resource after them (a named function must exist) and deletes it before them. No DependsOn needed.

    const rules = this.controllerRules(settings);
    const probeRules = this.probes.map(
      (probe, index) =>
        new Rule(this, `ProbeSchedule${index + 1}`, {
          description: `lambda-static-ip: egress probe ${index + 1} of pool "${pool.poolName}"`,
          schedule: Schedule.rate(Duration.minutes(settings.probeMinutes)),
          targets: [new LambdaFunction(probe)],
        }),
    );
    // Created after the custom resource, so on stack deletion they go first: otherwise the next run would
    // bind again what the custom resource's Delete unbinds. The probes likewise start once egress works.
    // The controller goes before the Delete too, and with it any event still queued for it.
    for (const rule of [...rules, ...probeRules]) rule.node.addDependency(this.customResource);
    this.controller.node.addDependency(this.customResource);

    const unboundEnis = this.unboundEnis(settings);
    const controllerErrors = this.controllerErrors(settings);
    const sparesShort = settings.spares > 0 ? this.sparesShort(settings) : undefined;
    const probeAlarms = this.probeAlarmsFor(combinations, settings);
    const alarms = [unboundEnis, controllerErrors, ...(sparesShort ? [sparesShort] : []), ...probeAlarms];
    this.unboundEnisAlarm = unboundEnis;
    this.controllerErrorsAlarm = controllerErrors;
    this.sparesAlarm = sparesShort;
    this.probeAlarms = probeAlarms;
    this.alarms = alarms;
    if (props.alarmTopic) {
      const action: IAlarmAction = new SnsAction(props.alarmTopic);
      for (const alarm of alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }

    new CfnOutput(this, 'AllowList', {
      description: `Pool "${pool.poolName}": every IP its functions may egress from at the last deployment (the pool's, and any the controller allocated), comma-separated`,
      value: this.customResource.getAttString('AllowList'),
    });
    new CfnOutput(this, 'ControllerName', {
      description: `Pool "${pool.poolName}": the controller function (its logs: one summary line per run)`,
      value: this.controller.functionName,
    });
  }

  private checkSettings(props: HyperplaneEgressProps): Settings {
    const spares = this.wholeNumber('spares', props.spares ?? HyperplaneEgress.DEFAULT_SPARES, 0, 1000);
    const maxIps = this.wholeNumber('maxIps', props.maxIps ?? DEFAULT_MAX_IPS, 1, 1000);
    const resyncMinutes = this.minutes('resyncInterval', props.resyncInterval ?? Duration.minutes(1));
    const updateWatchSeconds = this.seconds(
      'updateWatch',
      props.updateWatch ?? Duration.seconds(DEFAULT_UPDATE_WATCH_SECONDS),
      0,
      600,
    );
    const waitSeconds = this.seconds(
      'convergenceTimeout',
      props.convergenceTimeout ?? Duration.seconds(DEFAULT_WAIT_SECONDS),
      60,
      3000,
    );
    const probe = props.probe ?? false;
    if (!probe && (props.probeEchoUrl !== undefined || props.probeInterval !== undefined)) {
      throw propsError(
        this,
        'ContradictoryProbeProps',
        'probeEchoUrl and probeInterval configure the egress probe, which is off; set probe: true or drop them',
      );
    }
    if (props.probeEchoUrl !== undefined && !Token.isUnresolved(props.probeEchoUrl)) {
      checkEchoUrl(this, props.probeEchoUrl);
    }
    return {
      spares,
      allocate: props.allocate ?? false,
      maxIps,
      resyncMinutes,
      eventDriven: props.eventDriven ?? true,
      updateWatchSeconds,
      waitSeconds,
      probe,
      ...(props.probeEchoUrl === undefined ? {} : { probeEchoUrl: props.probeEchoUrl }),
      probeMinutes: this.minutes('probeInterval', props.probeInterval ?? Duration.minutes(5)),
    };
  }

  private wholeNumber(name: string, value: number, min: number, max: number): number {
    if (Token.isUnresolved(value) || !Number.isInteger(value) || value < min || value > max) {
      throw this.invalid(
        name,
        Token.isUnresolved(value) ? '(a token)' : String(value),
        `use a whole number from ${min} to ${max}, known at synth time`,
      );
    }
    return value;
  }

  private seconds(name: string, duration: Duration, min: number, max: number): number {
    const seconds = duration.isUnresolved() ? Number.NaN : duration.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
      throw this.invalid(
        name,
        shown(duration),
        `use whole seconds from ${min} to ${max}, known at synth time`,
      );
    }
    return seconds;
  }

  private minutes(name: string, duration: Duration): number {
    const minutes = duration.isUnresolved() ? Number.NaN : duration.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1) {
      throw this.invalid(
        name,
        shown(duration),
        'use whole minutes, at least 1 (EventBridge schedules run at most once a minute)',
      );
    }
    return minutes;
  }

  /** `InvalidSpares`: spares -1 is invalid: <rule> */
  private invalid(name: string, value: string, rule: string) {
    return propsError(
      this,
      `Invalid${name[0]?.toUpperCase()}${name.slice(1)}`,
      `${name} ${value} is invalid: ${rule}`,
    );
  }

  /** Reads each function's placement: an error without a VPC, a warning when only the deployment can tell. */
  private placeFunctions(functions: readonly IFunction[]): PlacedFunction[] {
    const placed: PlacedFunction[] = [];
    const seen = new Set<string>();
    for (const given of functions) {
      const fn = unqualified(given);
      const path = fn.node.path;
      if (seen.has(path)) continue;
      seen.add(path);
      const placement = placementOf(fn);
      if (placement.kind === 'none') {
        throw propsError(
          this,
          'FunctionNotInVpc',
          `function ${path} is not attached to a VPC, so it has no Hyperplane ENI to hold a pool IP; give it vpc, vpcSubnets: { subnetType: SubnetType.PUBLIC } and allowPublicSubnet: true`,
        );
      }
      if (placement.kind === 'unknown') {
        Annotations.of(this).addWarningV2(
          'lambda-static-ip:functionPlacementUnknown',
          `the VPC placement of function ${path} is not known to the app (imported): the deployment fails with FunctionNotInVpc or SubnetNotPublic if it is wrong, and it gets no egress probe`,
        );
        placed.push({ fn, path, subnetIds: [], securityGroupIds: [] });
        continue;
      }
      placed.push({ fn, path, ...placement });
    }
    return placed;
  }

  /** Subnets that do not look public: an Elastic IP there gives the function no internet access. */
  private warnAboutSubnets(combinations: readonly Combination[]): void {
    const classify = subnetClassifier(this.node.root);
    const reported = new Set<string>();
    for (const { subnetId } of combinations) {
      if (reported.has(subnetId)) continue;
      reported.add(subnetId);
      const view = classify(subnetId);
      if (view.kind === 'public') continue;
      const users = combinations
        .filter((combination) => combination.subnetId === subnetId)
        .flatMap((combination) => combination.functions);
      const what =
        view.kind === 'unknown'
          ? 'is not listed as public by any VPC of the app'
          : `is one of the VPC's ${view.kind} subnets, not a public one`;
      Annotations.of(this).addWarningV2(
        'lambda-static-ip:subnetNotPublic',
        `subnet ${view.label} (of ${[...new Set(users)].join(', ')}) ${what}: a pool IP gives an ENI internet access only in a subnet that routes 0.0.0.0/0 to an internet gateway; the deployment fails with SubnetNotPublic if it does not`,
      );
    }
  }

  /**
   * The pool must serve the functions with the addresses other consumers do not hold (those are reserved
   * for them): without `allocate`, an IP per combination plus the spares; with it, `maxIps` (which counts
   * every address of the pool) must leave room for both. Checked when the construct is created, with the
   * consumers known then, and again at synth, once every consumer exists.
   */
  private poolSizeProblem(
    pool: StaticIpPool,
    combinations: number,
    settings: Settings,
  ): { readonly code: string; readonly message: string } | undefined {
    const holders = pool.holders.filter((holder) => holder.consumer !== this.node.path);
    const held = holders.reduce((sum, holder) => sum + holder.addresses.length, 0);
    const holding = holders.map((holder) => `${holder.consumer} holds ${holder.addresses.length}`).join(', ');
    const needed = combinations + settings.spares;
    const need = `${combinations} (subnet, security-group set) combination(s) + ${settings.spares} spare(s)`;
    if (settings.allocate) {
      if (settings.maxIps >= held + needed) return undefined;
      const others =
        held > 0
          ? ` plus the ${held} address(es) other consumers of pool "${pool.poolName}" hold (${holding}), which count towards maxIps`
          : '';
      return {
        code: 'MaxIpsTooLow',
        message: `maxIps ${settings.maxIps} is below the ${needed} IPs the functions need (${need})${others}; raise maxIps to ${held + needed} or lower spares`,
      };
    }
    const size = pool.addresses.length;
    if (size - held >= needed) return undefined;
    const grow = pool.adopted
      ? `adopt ${held + needed - size} more existingAllocationIds`
      : `raise size to ${held + needed} (the default Elastic IP quota is 5 per Region)`;
    const reserved =
      held > 0
        ? `, of which ${holding} (the controller leaves those alone): ${size - held} left for the functions, which`
        : ', and the functions';
    return {
      code: 'PoolTooSmall',
      message: `pool "${pool.poolName}" (${pool.node.path}) has ${size} address(es)${reserved} need ${needed} (${need}); ${grow}, lower spares, or set allocate${held > 0 ? ', or give the other consumers a pool of their own' : ''}`,
    };
  }

  /** One role for both controller functions: the shared least-privilege statements, and its own logs. */
  private controllerRole(settings: Settings, logGroup: LogGroup): Role {
    const stack = Stack.of(this);
    const statements = controllerStatements(
      { pool: this.poolName, partition: stack.partition, region: stack.region, account: stack.account },
      // Least privilege: without `allocate` the controller never allocates, so it may not.
      { allocate: settings.allocate },
    ).map((statement) => PolicyStatement.fromJson(statement));
    return new Role(this, 'ControllerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `lambda-static-ip controller of pool "${this.poolName}"`,
      inlinePolicies: {
        Controller: new PolicyDocument({
          statements: [
            ...statements,
            new PolicyStatement({
              sid: 'WriteOwnLogs',
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
  }

  /** The CloudTrail rules (with `eventDriven`) and the resync schedule, all targeting the controller. */
  private controllerRules(settings: Settings): Rule[] {
    const target = new LambdaFunction(this.controller);
    const rules: Rule[] = [];
    if (settings.eventDriven) {
      rules.push(
        new Rule(this, 'EniCreated', {
          description: `lambda-static-ip: a Lambda ENI was created (CloudTrail), bind it (pool "${this.poolName}")`,
          eventPattern: eventPattern(ENI_CREATED_PATTERN),
          targets: [target],
        }),
        new Rule(this, 'FunctionChanged', {
          description: `lambda-static-ip: a function was created or reconfigured (CloudTrail), reconcile (pool "${this.poolName}")`,
          eventPattern: eventPattern(FUNCTION_CHANGED_PATTERN),
          targets: [target],
        }),
      );
    }
    rules.push(
      new Rule(this, 'Resync', {
        description: `lambda-static-ip: reconcile pool "${this.poolName}", the backstop`,
        schedule:
          settings.resyncMinutes === 1
            ? Schedule.expression(CONTROLLER_SCHEDULE_EXPRESSION)
            : Schedule.rate(Duration.minutes(settings.resyncMinutes)),
        targets: [target],
      }),
    );
    return rules;
  }

  /**
   * One probe per combination, with exactly the combination's subnet and security groups: it then shares
   * the functions' ENI. Written into the function's VpcConfig, because `lambda.Function` wants the VPC and
   * subnet objects where the app may only know ids; the role gets the VPC access a VPC function needs.
   */
  private deployProbes(
    combinations: readonly Combination[],
    settings: Settings,
    retention: RetentionDays,
  ): IFunction[] {
    if (combinations.length === 0) return [];
    // One log group for all probes: each line names its subnet.
    const logGroup = new LogGroup(this, 'ProbeLogs', { retention });
    const role = new Role(this, 'ProbeRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `lambda-static-ip egress probes of pool "${this.poolName}": no AWS call, only its ENIs and logs`,
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
      ],
    });
    const code = handlerCode(this, 'probe');
    return combinations.map((combination, index) => {
      const environment = {
        LSI_POOL: this.poolName,
        LSI_ALLOW_LIST: this.allowList.join(','),
        LSI_PROBE_SUBNET: combination.subnetId,
        ...(settings.probeEchoUrl === undefined ? {} : { LSI_ECHO_URL: settings.probeEchoUrl }),
      } satisfies Partial<Record<(typeof PROBE_ENVIRONMENT)[number], string>>;
      const probe = new LambdaFunctionResource(this, `Probe${index + 1}`, {
        code,
        handler: 'index.handler',
        runtime: pinnedRuntime(),
        architecture: ARCHITECTURE,
        memorySize: 128,
        timeout: Duration.seconds(PROBE_TIMEOUT_SECONDS),
        role,
        logGroup,
        environment,
        description:
          `lambda-static-ip: egress probe of pool "${this.poolName}" beside ${combination.functions.join(', ')}`.slice(
            0,
            256,
          ),
        retryAttempts: 0,
      });
      (probe.node.defaultChild as CfnFunction).vpcConfig = {
        subnetIds: [combination.subnetId],
        securityGroupIds: [...combination.securityGroupIds],
      };
      return probe;
    });
  }

  private poolMetric(
    metricName: string,
    statistic: string,
    period: Duration,
    extra: Record<string, string> = {},
  ) {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { Pool: this.poolName, ...extra },
      statistic,
      period,
    });
  }

  private unboundEnis(settings: Settings): Alarm {
    return new Alarm(this, 'UnboundEnisAlarm', {
      alarmDescription: `lambda-static-ip pool "${this.poolName}": ENIs of its functions have no pool IP (no internet access from them); the controller's logs say why (PoolExhausted, SubnetNotPublic, ForeignAddress)`,
      metric: this.poolMetric('UnboundEnis', 'Maximum', Duration.minutes(settings.resyncMinutes)),
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

  private controllerErrors(settings: Settings): Alarm {
    return new Alarm(this, 'ControllerErrorsAlarm', {
      alarmDescription: `lambda-static-ip pool "${this.poolName}": the controller fails run after run (its logs: "run failed" with a code); meanwhile new ENIs stay unbound`,
      metric: this.controller.metricErrors({
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
   * A VPC change holds a spare until Lambda deletes the old ENI (up to about 35 minutes), so the alarm
   * waits an hour: short spares that last are the ones to act on (add IPs, or lower `spares`).
   */
  private sparesShort(settings: Settings): Alarm {
    const periodMinutes = Math.max(settings.resyncMinutes, 5);
    return new Alarm(this, 'SparesShortAlarm', {
      alarmDescription: `lambda-static-ip pool "${this.poolName}": fewer than ${settings.spares} free IP(s) for an hour, so a new ENI would wait for an IP; add Elastic IPs to the pool or lower spares`,
      metric: this.poolMetric('FreePoolIps', 'Maximum', Duration.minutes(periodMinutes)),
      threshold: settings.spares,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: Math.max(1, Math.ceil(60 / periodMinutes)),
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** One alarm per probe subnet (the metric's dimensions are Pool and Subnet). */
  private probeAlarmsFor(combinations: readonly Combination[], settings: Settings): Alarm[] {
    if (this.probes.length === 0) return [];
    const subnets = [...new Set(combinations.map((combination) => combination.subnetId))];
    return subnets.map((subnetId, index) => {
      const alarm = new Alarm(this, `EgressProbeAlarm${index + 1}`, {
        alarmDescription: `lambda-static-ip pool "${this.poolName}": a function ENI in subnet ${subnetId} does not egress from an allow-listed IP (or the probe cannot tell); see the probe's log`,
        metric: this.poolMetric('EgressIpInPool', 'Minimum', Duration.minutes(settings.probeMinutes), {
          Subnet: subnetId,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        // A probe that does not report cannot vouch for egress.
        treatMissingData: TreatMissingData.BREACHING,
      });
      // The probes start once the custom resource has bound the ENIs; so does the alarm's clock.
      alarm.node.addDependency(this.customResource);
      return alarm;
    });
  }
}

function shown(duration: Duration): string {
  return duration.isUnresolved() ? '(a token)' : duration.toHumanString();
}

/** The runtime the bundles are built for, pinned. */
function pinnedRuntime(): Runtime {
  const runtime = Runtime.NODEJS_22_X;
  if (runtime.name !== HANDLER_RUNTIME) throw new Error(`runtime ${runtime.name} is not ${HANDLER_RUNTIME}`);
  return runtime;
}

/** The shared patterns use EventBridge's own key (`detail-type`); CDK's EventPattern spells it detailType. */
function eventPattern(pattern: typeof ENI_CREATED_PATTERN | typeof FUNCTION_CHANGED_PATTERN): EventPattern {
  return {
    source: [...pattern.source],
    detailType: [...pattern['detail-type']],
    detail: pattern.detail as Record<string, unknown>,
  };
}

function checkEchoUrl(scope: Construct, url: string): void {
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw propsError(
      scope,
      'InvalidProbeEchoUrl',
      `probeEchoUrl ${JSON.stringify(url)} is invalid: use an http(s) URL that answers with the caller's IP address`,
    );
  }
}
