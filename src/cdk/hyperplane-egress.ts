import {
  Annotations,
  CfnOutput,
  type CfnResource,
  CustomResource,
  Duration,
  Fn,
  Lazy,
  Stack,
  Tags,
  Token,
} from 'aws-cdk-lib';
import type { Alarm, Dashboard, IAlarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import type { Role } from 'aws-cdk-lib/aws-iam';
import {
  CfnFunction,
  type FunctionProps,
  type IFunction,
  Function as LambdaFunctionResource,
  type Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { combinationKey } from '../core/combination.js';
import { StaticIpError } from '../core/errors.js';
import { parseFunctionRef } from '../core/function-ref.js';
import { MAX_FUNCTION_SECURITY_GROUPS, MAX_FUNCTION_SUBNETS } from '../core/keeper.js';
import { POOL_TAG_KEY } from '../core/pool.js';
import type { CONTROLLER_ENVIRONMENT } from '../handlers/controller-config.js';
import {
  CONTROLLER_RESERVED_CONCURRENCY,
  CONTROLLER_TIMEOUT_SECONDS,
  controllerTimeoutSeconds,
  PROVIDER_QUERY_INTERVAL_SECONDS,
  providerTotalTimeoutSeconds,
} from '../handlers/timeout-budget.js';
import { CombinationKeepers, type KeeperPlacement } from './combination-keepers.js';
import { controllerRole } from './controller-role.js';
import { controllerTriggers } from './controller-triggers.js';
import {
  type Combination,
  combinationsOf,
  definedInApp,
  type PlacedFunction,
  placeFunction,
  unqualified,
  warnAboutSubnets,
} from './function-placement.js';
import { HANDLER_ARCHITECTURE, handlerCode, handlerRuntime } from './handler-code.js';
import {
  controllerErrorsAlarm,
  type ProbeTarget,
  probeAlarm,
  sparesShortAlarm,
  unboundEnisAlarm,
} from './hyperplane-alarms.js';
import { EgressDashboard } from './hyperplane-dashboard.js';
import {
  acknowledgeHyperplaneEgressNag,
  acknowledgeKeeperNag,
  controllerVpcIds,
  vpcsStillCovered,
} from './hyperplane-egress-security.js';
import { poolSizeProblem } from './hyperplane-pool-size.js';
import {
  atDeploy,
  checkSettings,
  DEFAULT_SPARES,
  type HyperplaneSettings,
  settingText,
} from './hyperplane-settings.js';
import { propsError } from './props-error.js';
import { capitalized, type IStaticIpPool, poolLabel } from './static-ip-pool.js';

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
   *
   * A pool imported with `StaticIpPool.fromPoolName` works too: the controller finds its addresses by their
   * tag. Its size is then checked only at deploy time (a warning says so), and `probe` needs its public IPs,
   * which only `StaticIpPool.fromAllocationIds` knows (`PoolAddressesUnknown`).
   */
  readonly pool: IStaticIpPool;

  /**
   * The functions whose egress leaves from the pool. Each must be attached to public subnets (a route
   * 0.0.0.0/0 to an internet gateway, no NAT) with `allowPublicSubnet: true`; a function of the app
   * without a VPC is an error, and subnets that do not look public are a warning. Functions tagged
   * `lambda-static-ip:pool=<poolName>` elsewhere belong to the pool too, so the list may be empty.
   *
   * Versions and aliases stand for their function. Imported functions are passed to the controller by
   * name; their placement is checked at deploy time (and they get no egress probe). Add more with
   * {@link HyperplaneEgress.addFunction}.
   *
   * @default - none yet: only those added later and those tagged for the pool
   */
  readonly functions?: IFunction[];

  /**
   * Functions outside the app, by name or unqualified ARN: named to the controller (`LSI_FUNCTIONS`) and
   * to the custom resource (`Functions`), so each deployment waits until their ENIs hold pool IPs and
   * fails naming what is missing (`PoolExhausted`, `SubnetNotPublic`, `FunctionNotInVpc`, or
   * `UnknownFunction` for a name that does not exist). Like imported `functions`, they need no pool tag:
   * the controller takes named functions as the pool's; tag them anyway if the CLI's `plan` and `status`
   * should see them without `--function`. Their placement is unknown at synth: no keeper, no probe.
   *
   * May be a list token, e.g. a `CommaDelimitedList` `CfnParameter`'s `valueAsList`; empty items (what
   * an empty such parameter gives) are ignored.
   *
   * @default - none
   */
  readonly functionNames?: string[];

  /**
   * The VPCs whose Lambda ENIs the controller may bind: the `ec2:Vpc` condition of its role on the
   * network-interface side of Associate/DisassociateAddress. Functions tagged for the pool outside the app
   * must be in one of them, or the controller is denied their ENIs. Must not leave out a VPC of `functions`.
   *
   * @default - the VPCs of `functions` when the app knows every one of them (the subnets of a VPC of the
   *   app); any VPC when it does not (an imported function, or no function given), and then only the pool
   *   tag on the address narrows the controller's binds
   */
  readonly vpcs?: IVpc[];

  /**
   * Free pool IPs the controller keeps ready, so that a new ENI is bound the moment Lambda creates it
   * instead of waiting for an old ENI to retire. Elastic IPs are regional: one spare serves a new ENI in
   * any subnet. The pool must hold one IP per (subnet, security-group set) of the functions plus the
   * spares (checked at synth unless `allocate`).
   *
   * May be a number token (a `CfnParameter`'s `valueAsNumber`): the range (0-1000) and the pool's size
   * are then checked at deploy time (a warning says so): the controller and the custom resource refuse a
   * value out of range (`InvalidEnvironment`, `InvalidProperties`), a pool too small fails the deployment
   * with `PoolExhausted`, and `sparesAlarm` exists whatever the value (with 0 it never fires).
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
   * Elastic IP quota: 5 per Region by default. May be a number token, checked at deploy time like `spares`
   * (1-1000).
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
   * How often the controller observes everything (every function, the subnets and their routes) to
   * refresh its view of the pool (`LSI_FULL_REFRESH_SECONDS`). In between, each run reads only the
   * pool's addresses and the Lambda ENIs of its VPCs (two calls however many functions the account has),
   * function events update the view for their function, and an ENI of a combination the view does not know
   * triggers a full observation at once. An IP is only ever moved off a retired ENI after a full
   * observation. `Duration.seconds(0)`: every run observes in full. Up to 24 hours.
   *
   * @default Duration.minutes(15)
   */
  readonly fullRefreshInterval?: Duration;

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
   * One keeper per (subnet, security-group set) of the functions: a tiny function of ours with exactly
   * that VPC configuration, tagged `lambda-static-ip:pool=<poolName>` and `lambda-static-ip:keeper`, so
   * that Lambda creates the combination's Hyperplane ENI before any of your functions needs it, and keeps
   * it (the keeper is invoked every `keeperInterval`, well inside Lambda's idle window). Every function
   * is then created or updated only after a custom resource (`KeepersBound`) has seen each ENI of the
   * keepers' combinations hold a pool IP: a VPC change finds its new ENI bound, with no downtime whatever
   * the event delays, and a pool with no IP for it fails the deployment with `PoolExhausted` before any
   * function is touched. A keeper whose combination no function uses any more is deleted in the
   * deployment's cleanup phase, after the functions moved. Cost: one invocation a day each, and a log group.
   *
   * `false` removes the keepers (and the ordering): a VPC change then costs no downtime only while a spare
   * IP is ready and the controller hears of the new ENI before Lambda moves traffic to it.
   *
   * @default true
   */
  readonly keepers?: boolean;

  /**
   * Placements of functions the app does not place (`functionNames`, imported functions, functions of
   * another toolchain) whose ENIs should be bound before those functions deploy: one keeper each, that
   * only keeps, with exactly these subnets and this security-group set. Lambda creates one Hyperplane ENI
   * per subnet of a function's VpcConfig, so it holds the ENI of each (subnet, that security-group set),
   * and `KeepersBound` waits for all of them (and again whenever a placement changes). Order those
   * functions after `keepersBound` yourself (a `DependsOn`, or a nested stack's). The ids may be list
   * tokens (`CfnParameter` `valueAsList`); the pool's size for them is checked at deploy time. Needs
   * `keepers`. With `probe`, each placement also gets a probe of its own (a separate function with the
   * same placement, checking the binding's `AllowList`): Lambda runs it in one of the subnets at a time,
   * so its metric and alarm are per placement (dimension `Placement`), not per subnet.
   *
   * @default - none: keepers only for the combinations of `functions`
   */
  readonly keeperPlacements?: KeeperPlacement[];

  /**
   * How often each keeper is invoked, so that Lambda never reclaims its ENI as idle (it does so after
   * "consecutive weeks" without invocations). Whole minutes, from 1 minute to 7 days. Not with `probe`:
   * a probing keeper runs every `probeInterval`.
   *
   * @default Duration.days(1)
   */
  readonly keeperInterval?: Duration;

  /**
   * Make each keeper the egress probe too: it asks an IP echo endpoint which address it egresses from and
   * publishes `EgressIpInPool` (1 when the address is on the pool's allow-list), with an alarm per subnet.
   * Still one function per combination. With `keepers: false`, the probes are deployed alone (they keep
   * their ENIs all the same, but no deployment waits for them).
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
   * Where the alarms send their ALARM and OK notifications. An imported topic's ARN may be a token
   * (`Topic.fromTopicArn(scope, id, parameter.valueAsString)`), resolved at deploy time.
   *
   * @default - no actions: the alarms only change state
   */
  readonly alarmTopic?: ITopic;

  /**
   * Create a CloudWatch dashboard of the pool: its size, bound and free IPs, ENIs waiting for an IP, the
   * time to bind a new ENI, the probes' verdicts, the controller's errors and run time, and the alarms
   * (`egress.dashboard`). One dashboard costs $3 a month beyond the free tier's three.
   *
   * @default false
   */
  readonly dashboard?: boolean;

  /**
   * The Lambda runtime of the construct's own functions: the controller, the deployment handler and the
   * probes. Their code is an ES module bundle built for Node.js 20 and later, so only a Node.js runtime from
   * `nodejs20.x` on will do (`UnsupportedRuntime` at synth otherwise). Your functions keep their own.
   *
   * @default Runtime.NODEJS_22_X
   */
  readonly runtime?: Runtime;

  /**
   * How long the controller's and the probes' logs are kept. The log groups are retained when the stack
   * is deleted.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * Static egress for functions in public subnets: their Lambda Hyperplane ENIs hold Elastic IPs of a
 * {@link StaticIpPool}, kept bound by an in-account controller (no NAT gateway).
 *
 * Deploys the controller (reserved concurrency 1, on a schedule and, with a CloudTrail trail, on ENI and
 * function events), a custom resource that binds the ENIs during the deployment and unbinds them when it is
 * removed, CloudWatch alarms, and optionally an egress probe per (subnet, security-group set) and a
 * CloudWatch dashboard.
 *
 * Binding an Elastic IP to a Lambda ENI works but is not documented or supported by AWS: see
 * `docs/hyperplane-egress.md` for the caveats.
 */
export class HyperplaneEgress extends Construct {
  /** Spares when `spares` is not given. */
  static readonly DEFAULT_SPARES = DEFAULT_SPARES;

  /** The pool name, as in the `lambda-static-ip:pool` tag. */
  readonly poolName: string;
  /** The controller: schedule, CloudTrail events and the update watch. */
  readonly controller: IFunction;
  /** The same code, serving only the custom resource, so a deployment never waits for the controller's single slot. */
  readonly deploymentHandler: IFunction;
  /** Binds the ENIs at deployment, unbinds them at removal. Depend on it to run after egress works. */
  readonly customResource: CustomResource;
  /**
   * The pool's public IPs: the allow-list the probes check. For a pool imported by name, the custom
   * resource's `AllowList` attribute instead (a list token, known at deploy time).
   */
  readonly allowList: string[];
  /**
   * The wait before the functions: complete once every ENI of the keepers' combinations holds a pool IP.
   * Every function of the app in the pool depends on it. Undefined with `keepers: false`.
   */
  readonly keepersBound?: CustomResource;
  /**
   * The keepers, one per combination and one per `keeperPlacements` (empty with `keepers: false` and no
   * probe); grows as functions are added.
   */
  readonly keepers: IFunction[] = [];
  /** The egress probes: the keepers when they probe (empty without `probe`). */
  readonly probes: IFunction[] = [];
  /** UnboundEnis maximum above 0 in two of three resync periods. */
  readonly unboundEnisAlarm: IAlarm;
  /** The controller function failing in three resync periods in a row. */
  readonly controllerErrorsAlarm: IAlarm;
  /** FreePoolIps below `spares` for an hour; undefined when `spares` is 0. */
  readonly sparesAlarm?: IAlarm;
  /** EgressIpInPool minimum below 1 for two probe periods, one per probe subnet; grows with the probes. */
  readonly probeAlarms: IAlarm[] = [];
  /** Every alarm above. */
  readonly alarms: IAlarm[] = [];
  /** The pool's CloudWatch dashboard, with `dashboard: true`. */
  readonly dashboard?: Dashboard;

  private readonly pool: IStaticIpPool;
  private readonly settings: HyperplaneSettings;
  /** The runtime of the construct's own functions. */
  private readonly runtime: Runtime;
  /** The pool's functions the app knows, each once, in the order they were given. */
  private readonly placed: PlacedFunction[] = [];
  /** `functionNames`: names or ARNs of functions outside the app, maybe a list token. */
  private readonly namedFunctions: string[];
  /** The keepers' builder; undefined with neither `keepers` nor `probe`. */
  private readonly keeperBuilder?: CombinationKeepers;
  /** The subnets a probe alarm watches, and those warned about as not public. */
  private readonly probeSubnets = new Set<string>();
  private readonly subnetsWarned = new Set<string>();
  private readonly alarmAction?: IAlarmAction;
  private readonly dashboardBuilder?: EgressDashboard;
  /** The VPCs given in props, and those the controller's role is narrowed to (undefined: any). */
  private readonly vpcs?: readonly IVpc[];
  private readonly vpcIds: readonly string[] | undefined;
  /** Whether the synth-time size check is registered (once, whatever the number of functions added). */
  private sizeValidated = false;

  constructor(scope: Construct, id: string, props: HyperplaneEgressProps) {
    super(scope, id);
    this.settings = checkSettings(this, props);
    this.runtime = handlerRuntime(this, props.runtime);
    this.pool = props.pool;
    this.poolName = props.pool.poolName;
    this.namedFunctions = checkedFunctionNames(this, props.functionNames ?? []);
    const placements = checkedPlacements(this, props.keeperPlacements ?? [], this.settings);
    this.checkPoolAddresses();
    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;
    if (this.settings.keepers || this.settings.probe) this.keeperBuilder = this.keeperBuilderFor(retention);

    const logGroup = new LogGroup(this, 'ControllerLogs', { retention });
    // The functions given are placed first: the controller's role is narrowed to their VPCs.
    for (const fn of props.functions ?? []) this.place(fn);
    if (props.vpcs) this.vpcs = props.vpcs;
    this.vpcIds = controllerVpcIds(this, props.vpcs, this.placed);
    const role = controllerRole(this, {
      poolName: this.poolName,
      allocate: this.settings.allocate,
      logGroup,
      vpcs: this.vpcIds,
    });
    const environment = this.controllerEnvironment();
    this.controller = this.controllerFunction(role, logGroup, environment);
    this.deploymentHandler = this.deploymentFunction(role, logGroup, environment);
    const provider = this.provider();
    const common = {
      Pool: this.poolName,
      Allocate: environment.LSI_ALLOCATE,
      MaxIps: environment.LSI_MAX_IPS,
      Spares: environment.LSI_SPARES,
      ReservedAllocationIds: Lazy.list({ produce: () => this.reserved() }),
      WaitSeconds: String(this.settings.waitSeconds),
    };
    if (this.settings.keepers) {
      this.keepersBound = new CustomResource(this, 'KeepersBound', {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::LambdaStaticIpKeepersBound',
        // Named, not only tagged: the tagging API may not list a keeper created a moment ago.
        properties: {
          ...common,
          Keepers: Lazy.list({ produce: () => this.keepers.map((k) => k.functionName) }),
          // A changed placement updates its keeper in place: this makes the wait run again for it.
          ...(placements.length > 0 ? { KeeperPlacements: placementsText(placements) } : {}),
        },
      });
      for (const placed of this.placed) this.orderAfterKeepers(placed);
    }
    // The Functions property refers to every function and keeper: CloudFormation creates the custom
    // resource after them (a named function must exist) and deletes it before them. No DependsOn needed.
    this.customResource = new CustomResource(this, 'Binding', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::LambdaStaticIpPoolBinding',
      properties: { ...common, Functions: Lazy.list({ produce: () => this.functionNames() }) },
    });
    acknowledgeHyperplaneEgressNag({
      controllerRole: role,
      provider: this.node.findChild('Provider'),
      functions: [this.controller, this.deploymentHandler],
    });
    this.allowList = this.publicIps() ?? Fn.split(',', this.customResource.getAttString('AllowList'));
    this.startAfterBinding([
      ...controllerTriggers(this, this.controller, {
        poolName: this.poolName,
        eventDriven: this.settings.eventDriven,
        resyncMinutes: this.settings.resyncMinutes,
      }),
      this.controller,
    ]);

    if (props.alarmTopic) this.alarmAction = new SnsAction(props.alarmTopic);
    const unboundEnis = unboundEnisAlarm(this, this.poolName, this.settings);
    const controllerErrors = controllerErrorsAlarm(this, this.poolName, this.controller, this.settings);
    const sparesShort =
      atDeploy(this.settings.spares) || this.settings.spares > 0
        ? sparesShortAlarm(this, this.poolName, this.settings)
        : undefined;
    for (const alarm of [unboundEnis, controllerErrors, ...(sparesShort ? [sparesShort] : [])]) {
      this.addAlarm(alarm);
    }
    this.unboundEnisAlarm = unboundEnis;
    this.controllerErrorsAlarm = controllerErrors;
    this.sparesAlarm = sparesShort;
    if (props.dashboard) {
      this.dashboardBuilder = new EgressDashboard(this, {
        poolName: this.poolName,
        settings: this.settings,
        controller: this.controller,
        deploymentHandler: this.deploymentHandler,
        alarms: this.alarms,
      });
      this.dashboard = this.dashboardBuilder.dashboard;
    }
    this.outputs();

    for (const placement of placements) this.addPlacementKeeper(placement);
    this.buildForNewCombinations(0);
    this.checkPoolSize();
  }

  /**
   * The (subnet, security-group set) combinations of the functions the app knows: one ENI and one IP each.
   * Grows as functions are added.
   */
  get combinations(): number {
    return combinationsOf(this.placed).length;
  }

  /**
   * Adds a function to the pool, as if given in `functions`: checked the same way (`FunctionNotInVpc`, the
   * pool's size, warnings about its subnets), named to the controller and the custom resource, and, with
   * `probe`, a probe for each combination it brings. A function already in the pool is ignored.
   *
   * @throws InputError `FunctionNotInVpc`, `PoolTooSmall` or `MaxIpsTooLow`, naming this construct
   */
  addFunction(fn: IFunction): void {
    this.add(fn);
    this.checkPoolSize();
  }

  /** Places one function, and builds what its new combinations need: probes, their schedules and alarms. */
  private add(fn: IFunction): void {
    const before = this.combinations;
    if (!this.place(fn)) return;
    vpcsStillCovered(this, this.vpcs, this.vpcIds, this.placed);
    this.buildForNewCombinations(before);
  }

  /**
   * Places one function the pool does not know yet; false if it knows it. A function of the app is tagged
   * for the pool, so that the controller finds it without being named: the deployment handler, which
   * serves the keepers' wait, must not refer to what comes after that wait.
   */
  private place(fn: IFunction): boolean {
    const path = unqualified(fn).node.path;
    if (this.placed.some((known) => known.path === path)) return false;
    const placed = placeFunction(this, fn);
    this.placed.push(placed);
    if (definedInApp(placed.fn)) {
      Tags.of(placed.fn).add(POOL_TAG_KEY, this.poolName, {
        includeResourceTypes: ['AWS::Lambda::Function'],
      });
    }
    if (this.keepersBound) this.orderAfterKeepers(placed);
    return true;
  }

  /**
   * The function is created or updated only after the keepers' wait completed: a `DependsOn` on its
   * `AWS::Lambda::Function` alone (its security group, role or log group may be what a keeper needs, so
   * they must not wait). A function of another stack cannot depend on this one, which names it: it gets
   * a warning instead.
   */
  private orderAfterKeepers({ fn, path }: PlacedFunction): void {
    const resource = fn.node.defaultChild;
    if (!this.keepersBound || !(resource instanceof CfnFunction)) return;
    if (Stack.of(resource) !== Stack.of(this)) {
      Annotations.of(this).addWarningV2(
        'lambda-static-ip:functionInOtherStack',
        `function ${path} is in another stack than ${this.node.path}, so it cannot wait for the keepers' ENIs to be bound: a change of its VPC placement may cost egress until the controller binds the new ENI; define HyperplaneEgress in the function's stack`,
      );
      return;
    }
    resource.addDependency(this.keepersBound.node.defaultChild as CfnResource);
  }

  /** Warns about the subnets of the combinations after the first `before`, and gives each its probe. */
  private buildForNewCombinations(before: number): void {
    const combinations = combinationsOf(this.placed);
    warnAboutSubnets(this, combinations, this.subnetsWarned);
    // Combinations keep the order they first appear in: the new ones come last.
    for (const combination of combinations.slice(before)) this.addKeeper(combination);
  }

  /**
   * With neither `keepers` nor `probe`, nothing. Else a keeper in the combination, on its schedule after
   * the custom resource; with `probe`, the first keeper of a subnet brings that subnet's alarm.
   */
  private addKeeper(combination: Combination): void {
    if (!this.keeperBuilder) return;
    const key = combinationKey(combination.subnetId, combination.securityGroupIds);
    // The functions of the combination, at synth: later functions may share it.
    const users = () =>
      combinationsOf(this.placed).find((c) => combinationKey(c.subnetId, c.securityGroupIds) === key)
        ?.functions ?? combination.functions;
    const keeper = this.keeperBuilder.add(combination, users);
    const first = this.keepers.length === 0;
    this.keepers.push(keeper.fn);
    acknowledgeKeeperNag(keeper.fn, first ? this.keeperBuilder.role : undefined);
    this.startAfterBinding([keeper.schedule]);
    if (!this.settings.probe) return;
    this.probes.push(keeper.fn);
    if (this.probeSubnets.has(combination.subnetId)) return;
    this.addProbeAlarm(String(this.probeSubnets.size + 1), { subnetId: combination.subnetId });
    this.probeSubnets.add(combination.subnetId);
  }

  /**
   * A keeper of one of `keeperPlacements`, on its schedule after the custom resource; with `probe`, the
   * placement's own probe and its alarm. The probe checks the binding's `AllowList` (the pool's public
   * IPs at deploy time, whether allocated, adopted or allocated by the controller) and is not among the
   * binding's functions: it shares the keeper's ENIs.
   */
  private addPlacementKeeper(placement: KeeperPlacement): void {
    if (!this.keeperBuilder) return;
    const keeper = this.keeperBuilder.addPlacement(placement);
    const first = this.keepers.length === 0;
    this.keepers.push(keeper.fn);
    acknowledgeKeeperNag(keeper.fn, first ? this.keeperBuilder.role : undefined);
    this.startAfterBinding([keeper.schedule]);
    if (!this.settings.probe) return;
    const probe = this.keeperBuilder.addPlacementProbe(
      placement,
      this.customResource.getAttString('AllowList'),
    );
    this.probes.push(probe.fn);
    acknowledgeKeeperNag(probe.fn);
    this.startAfterBinding([probe.schedule]);
    this.addProbeAlarm(probe.placementName, { placementName: probe.placementName });
  }

  private addProbeAlarm(id: string, target: ProbeTarget): void {
    const alarm = probeAlarm(this, id, target, this.poolName, this.settings, this.customResource);
    this.probeAlarms.push(alarm);
    this.addAlarm(alarm);
    this.dashboardBuilder?.addProbe(target);
  }

  /** Every alarm notifies the topic, if any, on ALARM and on OK. */
  private addAlarm(alarm: Alarm): void {
    this.alarms.push(alarm);
    if (this.alarmAction) {
      alarm.addAlarmAction(this.alarmAction);
      alarm.addOkAction(this.alarmAction);
    }
  }

  /**
   * Every function and keeper, for the binding: it refers to them, so CloudFormation creates it after
   * them. Read at synth, so functions added after construction are in.
   */
  private functionNames(): string[] {
    const known = [...this.placed.map((placed) => placed.fn), ...this.keepers].map((fn) => fn.functionName);
    return withNamed(this.namedFunctions, known);
  }

  /**
   * The functions the controller is told by name: only imported ones (no resource in the app to tag). The
   * others and the keepers carry the pool tag; naming them would make the deployment handler, which
   * serves the keepers' wait, depend on functions that come after it.
   */
  private importedFunctionNames(): string[] {
    const imported = this.placed
      .filter((placed) => !definedInApp(placed.fn))
      .map((placed) => placed.fn.functionName);
    return withNamed(this.namedFunctions, imported);
  }

  /** What other consumers of the pool hold, whether constructed before or after this one: read at synth. */
  private reserved(): string[] {
    return this.pool.claimedAllocationIds({ except: this });
  }

  private publicIps(): string[] | undefined {
    return this.pool.addresses?.map((address) => address.publicIp);
  }

  private controllerEnvironment() {
    return {
      LSI_POOL: this.poolName,
      LSI_FUNCTIONS: Lazy.string({
        produce: () => {
          const names = this.importedFunctionNames();
          // A list token has no JSON form at synth: comma-separated text, which the controller reads too.
          return Token.isUnresolved(names) ? Fn.join(',', names) : Stack.of(this).toJsonString(names);
        },
      }),
      LSI_ALLOCATE: String(this.settings.allocate),
      LSI_MAX_IPS: settingText(this.settings.maxIps),
      LSI_SPARES: settingText(this.settings.spares),
      LSI_RESERVED: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.reserved()) }),
      LSI_UPDATE_WATCH_SECONDS: String(this.settings.updateWatchSeconds),
      LSI_FULL_REFRESH_SECONDS: String(this.settings.fullRefreshSeconds),
    } satisfies Partial<Record<(typeof CONTROLLER_ENVIRONMENT)[number], string>>;
  }

  /**
   * A pool imported by name has no public IPs for the probes (an error) and no size the app knows (a
   * warning: the deployment checks it).
   */
  private checkPoolAddresses(): void {
    if (this.pool.addresses !== undefined) return;
    if (this.settings.probe) {
      throw propsError(
        this,
        'PoolAddressesUnknown',
        `probe: true checks each ENI's egress IP against the public IPs of ${poolLabel(this.poolName)}, but ${this.pool.node.path} was imported by name, which knows none; import it with StaticIpPool.fromAllocationIds(scope, id, { poolName, allocationIds }), or turn probe off`,
      );
    }
    if (!this.settings.allocate) {
      Annotations.of(this).addWarningV2(
        'lambda-static-ip:poolSizeUnknown',
        `${poolLabel(this.poolName)} (${this.pool.node.path}) was imported by name, so its size is unknown at synth: it needs an IP per (subnet, security-group set) of the functions plus ${atDeploy(this.settings.spares) ? 'the' : this.settings.spares} spare(s), and the deployment fails with PoolExhausted if it has fewer`,
      );
    }
  }

  /**
   * Fails now when the pool is too small for the functions and the consumers that exist; once at synth
   * too, when functions and consumers added later are known.
   */
  private checkPoolSize(): void {
    const problem = () => poolSizeProblem(this, this.pool, this.combinations, this.settings);
    const early = problem();
    if (early) throw propsError(this, early.code, early.message);
    if (this.sizeValidated) return;
    this.sizeValidated = true;
    this.node.addValidation({
      validate: () => {
        const late = problem();
        return late ? [`${late.code}: ${late.message}`] : [];
      },
    });
  }

  private keeperBuilderFor(retention: RetentionDays): CombinationKeepers {
    const settings = this.settings;
    return new CombinationKeepers(this, {
      poolName: this.poolName,
      retention,
      runtime: this.runtime,
      architecture: HANDLER_ARCHITECTURE,
      keeperMinutes: settings.keeperMinutes,
      ...(settings.probe
        ? {
            probe: {
              allowList: this.publicIps() ?? [],
              ...(settings.probeEchoUrl === undefined ? {} : { echoUrl: settings.probeEchoUrl }),
              minutes: settings.probeMinutes,
            },
          }
        : {}),
    });
  }

  /** The controller: one run at a time, on the schedule and on CloudTrail events. */
  private controllerFunction(role: Role, logGroup: LogGroup, environment: Record<string, string>): IFunction {
    return new LambdaFunctionResource(this, 'Controller', {
      ...this.controllerProps(role, logGroup, environment),
      description: `lambda-static-ip: keeps the ENIs of pool "${this.poolName}" bound (schedule, CloudTrail events)`,
      // One run at a time. Schedule and CloudTrail invocations are asynchronous, so a busy slot queues them.
      reservedConcurrentExecutions: CONTROLLER_RESERVED_CONCURRENCY,
      // One degraded reconcile, plus the update watch: the watch stops while a reconcile budget remains.
      timeout: Duration.seconds(controllerTimeoutSeconds(this.settings.updateWatchSeconds)),
      // Each run reads what it acts on afresh: a retried or stale event adds nothing a resync would not.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(15),
    });
  }

  /**
   * The Provider invokes its handler synchronously and retries a throttled call for seconds only, while a
   * deployment that changes a pool function's VPC fires exactly the events that start an update watch in
   * the controller's one slot (docs/controller.md). The deployment gets its own function; two runs at once
   * are safe (every change is a compare-and-swap), merely redundant.
   */
  private deploymentFunction(role: Role, logGroup: LogGroup, environment: Record<string, string>): IFunction {
    return new LambdaFunctionResource(this, 'DeploymentHandler', {
      ...this.controllerProps(role, logGroup, environment),
      description: `lambda-static-ip: binds and unbinds the ENIs of pool "${this.poolName}" during deployments`,
      timeout: Duration.seconds(CONTROLLER_TIMEOUT_SECONDS),
    });
  }

  /** What both controller functions share: the bundle, its runtime, the role, the logs and the settings. */
  private controllerProps(role: Role, logGroup: LogGroup, environment: Record<string, string>) {
    return {
      code: handlerCode(this, 'controller'),
      handler: 'index.handler',
      runtime: this.runtime,
      architecture: HANDLER_ARCHITECTURE,
      memorySize: 256,
      role,
      logGroup,
      environment,
    } satisfies FunctionProps;
  }

  /**
   * The custom resource, served by the deployment handler through a Provider. Its properties are the
   * environment's values again: a change reaches CloudFormation as an Update, which waits for the pool to
   * converge with them.
   */
  private provider(): Provider {
    return new Provider(this, 'Provider', {
      onEventHandler: this.deploymentHandler,
      isCompleteHandler: this.deploymentHandler,
      queryInterval: Duration.seconds(PROVIDER_QUERY_INTERVAL_SECONDS),
      totalTimeout: Duration.seconds(providerTotalTimeoutSeconds(this.settings.waitSeconds)),
    });
  }

  /**
   * The controller's rules, the probe schedules and the controller itself come after the custom resource,
   * so on stack deletion they go first: otherwise the next run would bind again what the custom resource's
   * Delete unbinds. The probes likewise start once egress works. The controller goes before the Delete
   * too, and with it any event still queued for it.
   */
  private startAfterBinding(constructs: readonly IConstruct[]): void {
    for (const construct of constructs) construct.node.addDependency(this.customResource);
  }

  private outputs(): void {
    new CfnOutput(this, 'AllowList', {
      description: `${capitalized(poolLabel(this.poolName))}: every IP its functions may egress from at the last deployment (the pool's, and any the controller allocated), comma-separated`,
      value: this.customResource.getAttString('AllowList'),
    });
    new CfnOutput(this, 'ControllerName', {
      description: `${capitalized(poolLabel(this.poolName))}: the controller function (its logs: one summary line per run)`,
      value: this.controller.functionName,
    });
  }
}

/**
 * `functionNames` checked as the controller will read them (a name or an unqualified ARN), but for
 * tokens, which only the deployment knows.
 *
 * @throws InputError `InvalidFunctionName` or `MalformedFunctionArn`, naming the value
 */
function checkedFunctionNames(scope: IConstruct, names: string[]): string[] {
  if (Token.isUnresolved(names)) return names;
  for (const name of names) {
    if (Token.isUnresolved(name)) continue;
    try {
      parseFunctionRef(name);
    } catch (error) {
      if (!(error instanceof StaticIpError)) throw error;
      throw propsError(scope, error.code, `functionNames: ${error.message}`, error);
    }
  }
  return names;
}

/**
 * `named` (maybe a list token) and then `known`. A list token cannot be spread at synth, so the two are
 * joined and split again by CloudFormation; an empty parameter leaves empty items, which the controller
 * skips.
 */
function withNamed(named: string[], known: string[]): string[] {
  if (!Token.isUnresolved(named)) return [...named, ...known];
  return known.length === 0 ? named : Fn.split(',', Fn.join(',', [Fn.join(',', named), ...known]));
}

/**
 * `keeperPlacements`, checked: they need keepers, and literal lists must fit one VpcConfig.
 *
 * @throws InputError `ContradictoryKeeperProps` or `InvalidKeeperPlacement`
 */
function checkedPlacements(
  scope: IConstruct,
  placements: KeeperPlacement[],
  settings: HyperplaneSettings,
): KeeperPlacement[] {
  if (placements.length === 0) return placements;
  if (!settings.keepers) {
    throw propsError(
      scope,
      'ContradictoryKeeperProps',
      'keeperPlacements are held by keepers, which are off (keepers: false); set keepers: true or drop keeperPlacements',
    );
  }
  placements.forEach((placement, index) => {
    const lists = [
      ['subnetIds', placement.subnetIds, MAX_FUNCTION_SUBNETS],
      ['securityGroupIds', placement.securityGroupIds, MAX_FUNCTION_SECURITY_GROUPS],
    ] as const;
    for (const [name, ids, max] of lists) {
      if (Token.isUnresolved(ids) || (ids.length >= 1 && ids.length <= max)) continue;
      throw propsError(
        scope,
        'InvalidKeeperPlacement',
        `keeperPlacements[${index}].${name} lists ${ids.length} ids; a Lambda VpcConfig takes 1 to ${max}: give those of the functions' own VpcConfig`,
      );
    }
  });
  return placements;
}

/** The placements as one string for the `KeepersBound` property: `subnets/groups;…`. */
function placementsText(placements: readonly KeeperPlacement[]): string {
  return Fn.join(
    ';',
    placements.map((p) => Fn.join('/', [Fn.join('+', p.subnetIds), Fn.join('+', p.securityGroupIds)])),
  );
}
