import { createHash } from 'node:crypto';
import { Duration, Fn, Lazy, Stack, Tags, Token } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  type Architecture,
  type CfnFunction,
  Code,
  type IFunction,
  Function as LambdaFunctionResource,
  type Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { keeperExecutionStatements } from '../core/iam-policy.js';
import { KEEPER_HANDLER_SOURCE, KEEPER_TAG_KEY, keeperTagValue } from '../core/keeper.js';
import { POOL_TAG_KEY } from '../core/pool.js';
import type { PROBE_ENVIRONMENT } from '../handlers/probe.js';
import { PROBE_TIMEOUT_SECONDS } from '../handlers/timeout-budget.js';
import type { Combination } from './function-placement.js';
import { handlerCode } from './handler-code.js';

/** How the keepers of one pool are built. */
export interface CombinationKeeperOptions {
  readonly poolName: string;
  readonly retention: RetentionDays;
  readonly runtime: Runtime;
  readonly architecture: Architecture;
  /** How often a keeper that does not probe is invoked. */
  readonly keeperMinutes: number;
  /**
   * Make each keeper the egress probe too: the probe bundle, checking its egress IP against the
   * allow-list every `minutes` (which then keeps the ENI as well). Absent: keep only.
   */
  readonly probe?: {
    /** The pool's public IPs. */
    readonly allowList: readonly string[];
    /** @default - the probe's own default */
    readonly echoUrl?: string;
    readonly minutes: number;
  };
}

/** One combination's keeper and the rule that invokes it. */
export interface CombinationKeeper {
  readonly combination: Combination;
  readonly fn: IFunction;
  readonly schedule: Rule;
}

/** The probe of a placement: its function and schedule, and the name its metric and alarm carry. */
export interface PlacementProbe {
  readonly fn: IFunction;
  readonly schedule: Rule;
  /** `Placement<hash>`, the `Placement` dimension of its `EgressIpInPool`. */
  readonly placementName: string;
}

/**
 * A VPC placement the app does not derive from a function (`HyperplaneEgress`'s `keeperPlacements`):
 * subnets and one security-group set, maybe list tokens. Lambda creates one Hyperplane ENI per subnet of
 * a function's VpcConfig, so one keeper with this placement holds each (subnet, security-group set).
 */
export interface KeeperPlacement {
  /** The subnets, 1-16 (Lambda's limit on one VpcConfig), or a list token. */
  readonly subnetIds: string[];
  /** The security-group set, 1-5, or a list token. */
  readonly securityGroupIds: string[];
}

/**
 * The keepers of a `HyperplaneEgress`: one function per (subnet, security-group set) of the pool's
 * functions, with exactly that VPC configuration, so Lambda creates and keeps the combination's ENI before
 * and whatever the functions do. Tagged `lambda-static-ip:pool=<pool>` and
 * `lambda-static-ip:keeper=<subnet>/<groups>`. One role (`KeeperRole`: its ENIs and its logs, nothing
 * else), one log group (`KeeperLogs`), and per combination `Keeper<hash>` with its schedule
 * (`KeeperSchedule<hash>`, or `ProbeSchedule<hash>` when it probes). The hash names the combination
 * itself, so a keeper keeps its logical id while its combination exists, whatever else changes: a keeper
 * is never moved to another combination, it is created for the new one and deleted with the old one.
 */
export class CombinationKeepers {
  readonly keepers: CombinationKeeper[] = [];
  private shared?: { readonly logGroup: LogGroup; readonly role: Role };
  private readonly codes: { keeper?: Code; probe?: Code } = {};

  constructor(
    private readonly scope: Construct,
    private readonly options: CombinationKeeperOptions,
  ) {}

  /** The keepers' one role, once a keeper exists. */
  get role(): Role | undefined {
    return this.shared?.role;
  }

  /** The keeper functions, in the order their combinations were added. */
  get functions(): IFunction[] {
    return this.keepers.map((keeper) => keeper.fn);
  }

  /**
   * A keeper with exactly the combination's subnet and security groups, written into the function's
   * VpcConfig because `lambda.Function` wants VPC and subnet objects where the app may only know ids.
   *
   * @param users the construct paths of the combination's functions for the description, read at synth
   *   (functions added later may share the combination) @default - the combination's functions now
   */
  add(
    combination: Combination,
    users: () => readonly string[] = () => combination.functions,
  ): CombinationKeeper {
    const { poolName, probe } = this.options;
    const suffix = placementHash(this.scope, [combination.subnetId], combination.securityGroupIds);
    const what = probe
      ? 'keeps the ENI and proves its egress IP'
      : 'keeps the ENI (Lambda creates it, invocations keep it from idle reclaim)';
    const { fn, schedule } = this.keeper(suffix, {
      probes: probe !== undefined,
      ...(probe
        ? {
            environment: {
              LSI_POOL: poolName,
              LSI_ALLOW_LIST: probe.allowList.join(','),
              LSI_PROBE_SUBNET: combination.subnetId,
              ...(probe.echoUrl === undefined ? {} : { LSI_ECHO_URL: probe.echoUrl }),
            } satisfies Partial<Record<(typeof PROBE_ENVIRONMENT)[number], string>>,
          }
        : {}),
      description: Lazy.string({
        produce: () =>
          `lambda-static-ip: keeper of pool "${poolName}": ${what} of ${users().join(', ')}`.slice(0, 256),
      }),
      vpcConfig: { subnetIds: [combination.subnetId], securityGroupIds: [...combination.securityGroupIds] },
      tag: keeperTagValue(combination.subnetId, combination.securityGroupIds),
    });
    const keeper = { combination, fn, schedule };
    this.keepers.push(keeper);
    return keeper;
  }

  /**
   * A keeper that only keeps, with exactly `placement`'s subnets and security groups (maybe tokens): one
   * function holds the ENI of every (subnet, that security-group set). Never a probe: its probe is a
   * function of its own ({@link addPlacementProbe}). Not among {@link keepers}, which are per combination.
   */
  addPlacement(placement: KeeperPlacement): { readonly fn: IFunction; readonly schedule: Rule } {
    const { subnetIds, securityGroupIds } = placement;
    // Its own prefix: a placement of one subnet must not take the logical id of a combination's keeper.
    return this.keeper(`Placement${placementHash(this.scope, subnetIds, securityGroupIds)}`, {
      probes: false,
      description: `lambda-static-ip: keeper of pool "${this.options.poolName}": keeps the ENIs of its subnets and security groups, which functions outside the app use`,
      vpcConfig: { subnetIds, securityGroupIds },
      // Informational: the security groups (the subnets may be too many for a tag value).
      tag: Token.isUnresolved(securityGroupIds) ? Fn.join('+', securityGroupIds) : securityGroupIds.join('+'),
    });
  }

  /**
   * The egress probe of `placement`: a function of its own (`PlacementProbe<hash>`, on
   * `PlacementProbeSchedule<hash>`) with exactly the placement's subnets and security groups, so it shares
   * their ENIs. Lambda runs it in whichever of the subnets it picks, so its `EgressIpInPool` has the
   * dimensions Pool and Placement (`Placement<hash>`), not Subnet: it vouches for the placement as a
   * whole, one ENI at a time, not for each subnet.
   *
   * @param allowList the allow-list it checks, comma-separated (maybe a token, e.g. the binding's `AllowList`)
   */
  addPlacementProbe(placement: KeeperPlacement, allowList: string): PlacementProbe {
    const { probe, poolName } = this.options;
    if (!probe) throw new Error('a placement probe needs the probe options');
    const { subnetIds, securityGroupIds } = placement;
    const placementName = `Placement${placementHash(this.scope, subnetIds, securityGroupIds)}`;
    const { fn, schedule } = this.keeper(placementName, {
      probes: true,
      id: 'PlacementProbe',
      environment: {
        LSI_POOL: poolName,
        LSI_ALLOW_LIST: allowList,
        LSI_PROBE_PLACEMENT: placementName,
        ...(probe.echoUrl === undefined ? {} : { LSI_ECHO_URL: probe.echoUrl }),
      } satisfies Partial<Record<(typeof PROBE_ENVIRONMENT)[number], string>>,
      description: `lambda-static-ip: egress probe of pool "${poolName}": proves the egress IP of the ENIs of its subnets and security groups, which functions outside the app use`,
      vpcConfig: { subnetIds, securityGroupIds },
    });
    return { fn, schedule, placementName };
  }

  /**
   * `Keeper<suffix>` (or `<id><suffix>`) with its VpcConfig and tags, and its schedule. A probing one
   * runs the probe bundle every probe period; the keeper tag only on keepers.
   */
  private keeper(
    suffix: string,
    options: {
      readonly probes: boolean;
      readonly id?: string;
      readonly environment?: Record<string, string>;
      readonly description: string;
      readonly vpcConfig: CfnFunction.VpcConfigProperty;
      readonly tag?: string;
    },
  ): { readonly fn: IFunction; readonly schedule: Rule } {
    const { logGroup, role } = this.sharedParts();
    const { poolName } = this.options;
    const probe = options.probes ? this.options.probe : undefined;
    const id = options.id ?? 'Keeper';
    const fn = new LambdaFunctionResource(this.scope, `${id}${suffix}`, {
      code: this.code(probe !== undefined),
      handler: 'index.handler',
      runtime: this.options.runtime,
      architecture: this.options.architecture,
      memorySize: 128,
      timeout: Duration.seconds(probe ? PROBE_TIMEOUT_SECONDS : 3),
      role,
      logGroup,
      ...(options.environment === undefined ? {} : { environment: options.environment }),
      description: options.description,
      retryAttempts: 0,
    });
    // Written into the function's VpcConfig: lambda.Function wants VPC and subnet objects where the app
    // may only know ids.
    (fn.node.defaultChild as CfnFunction).vpcConfig = options.vpcConfig;
    Tags.of(fn).add(POOL_TAG_KEY, poolName);
    if (options.tag !== undefined) Tags.of(fn).add(KEEPER_TAG_KEY, options.tag);
    const minutes = probe ? probe.minutes : this.options.keeperMinutes;
    const scheduleId = options.id === undefined ? (probe ? 'Probe' : 'Keeper') : options.id;
    const schedule = new Rule(this.scope, `${scheduleId}Schedule${suffix}`, {
      description: `lambda-static-ip: ${probe ? 'egress probe' : 'keeper'} of pool "${poolName}", every ${Duration.minutes(minutes).toHumanString()}`,
      schedule: Schedule.rate(Duration.minutes(minutes)),
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });
    return { fn, schedule };
  }

  /** The probe bundle or the inline keeper, each one asset however many functions run it. */
  private code(probe: boolean): Code {
    if (probe) {
      this.codes.probe ??= handlerCode(this.scope, 'probe');
      return this.codes.probe;
    }
    this.codes.keeper ??= Code.fromInline(KEEPER_HANDLER_SOURCE);
    return this.codes.keeper;
  }

  private sharedParts() {
    const { poolName, retention } = this.options;
    if (this.shared) return this.shared;
    const logGroup = new LogGroup(this.scope, 'KeeperLogs', { retention });
    const stack = Stack.of(this.scope);
    const role = new Role(this.scope, 'KeeperRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `lambda-static-ip keepers of pool "${poolName}": their ENIs and their logs, no other AWS call`,
      inlinePolicies: {
        Keeper: new PolicyDocument({
          statements: keeperExecutionStatements(
            { partition: stack.partition, region: stack.region, account: stack.account },
            logGroup.logGroupArn,
          ).map((statement) => PolicyStatement.fromJson(statement)),
        }),
      },
    });
    this.shared = { logGroup, role };
    return this.shared;
  }
}

/**
 * Eight hex digits naming a placement by what its subnets and security groups resolve to in the template
 * (`{"Ref": "VpcpublicSubnet1…"}`, a literal id, or a parameter's list), security groups in a stable
 * order: the same placement gets the same logical id in every synth, and another one never does. A
 * combination's is that of its one subnet.
 */
function placementHash(scope: Construct, subnetIds: string[], securityGroupIds: readonly string[]): string {
  const stack = Stack.of(scope);
  const resolved = (ids: readonly string[]) =>
    Token.isUnresolved(ids)
      ? [JSON.stringify(stack.resolve(ids))]
      : ids.map((id) => JSON.stringify(stack.resolve(id)));
  const subnets = resolved(subnetIds);
  const text = JSON.stringify([
    subnets.length === 1 ? subnets[0] : subnets,
    resolved(securityGroupIds).sort(),
  ]);
  return createHash('sha256').update(text).digest('hex').slice(0, 8).toUpperCase();
}
