import { Duration, Lazy } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  type Architecture,
  type CfnFunction,
  type Code,
  type IFunction,
  Function as LambdaFunctionResource,
  type Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { PROBE_ENVIRONMENT } from '../handlers/probe.js';
import { PROBE_TIMEOUT_SECONDS } from '../handlers/timeout-budget.js';
import type { Combination } from './function-placement.js';
import { handlerCode } from './handler-code.js';

/** How the probes of one pool are built. */
export interface EgressProbeOptions {
  readonly poolName: string;
  /** The pool's public IPs: what each probe checks its egress address against. */
  readonly allowList: readonly string[];
  /** @default - the probe's own default */
  readonly echoUrl?: string;
  readonly retention: RetentionDays;
  readonly runtime: Runtime;
  readonly architecture: Architecture;
}

/**
 * The egress probes of a `HyperplaneEgress`, one per (subnet, security-group set): `Probe<n>`, with one
 * log group (`ProbeLogs`, each line names its subnet) and one role (`ProbeRole`) for all, made with the
 * first probe.
 */
export class EgressProbes {
  /** The probes, in the order their combinations were added. */
  readonly functions: IFunction[] = [];
  private shared?: { readonly logGroup: LogGroup; readonly role: Role; readonly code: Code };

  constructor(
    private readonly scope: Construct,
    private readonly options: EgressProbeOptions,
  ) {}

  /**
   * A probe with exactly the combination's subnet and security groups: it then shares the functions' ENI.
   * Written into the function's VpcConfig, because `lambda.Function` wants the VPC and subnet objects where
   * the app may only know ids; the role gets the VPC access a VPC function needs.
   *
   * @param users the construct paths of the combination's functions for the description, read at synth
   *   (functions added later may share the combination) @default - the combination's functions now
   */
  add(combination: Combination, users: () => readonly string[] = () => combination.functions): IFunction {
    const { logGroup, role, code } = this.sharedParts();
    const options = this.options;
    const environment = {
      LSI_POOL: options.poolName,
      LSI_ALLOW_LIST: options.allowList.join(','),
      LSI_PROBE_SUBNET: combination.subnetId,
      ...(options.echoUrl === undefined ? {} : { LSI_ECHO_URL: options.echoUrl }),
    } satisfies Partial<Record<(typeof PROBE_ENVIRONMENT)[number], string>>;
    const probe = new LambdaFunctionResource(this.scope, `Probe${this.functions.length + 1}`, {
      code,
      handler: 'index.handler',
      runtime: options.runtime,
      architecture: options.architecture,
      memorySize: 128,
      timeout: Duration.seconds(PROBE_TIMEOUT_SECONDS),
      role,
      logGroup,
      environment,
      description: Lazy.string({
        produce: () =>
          `lambda-static-ip: egress probe of pool "${options.poolName}" beside ${users().join(', ')}`.slice(
            0,
            256,
          ),
      }),
      retryAttempts: 0,
    });
    (probe.node.defaultChild as CfnFunction).vpcConfig = {
      subnetIds: [combination.subnetId],
      securityGroupIds: [...combination.securityGroupIds],
    };
    this.functions.push(probe);
    return probe;
  }

  private sharedParts() {
    this.shared ??= {
      logGroup: new LogGroup(this.scope, 'ProbeLogs', { retention: this.options.retention }),
      role: new Role(this.scope, 'ProbeRole', {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `lambda-static-ip egress probes of pool "${this.options.poolName}": no AWS call, only its ENIs and logs`,
        managedPolicies: [
          ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
        ],
      }),
      code: handlerCode(this.scope, 'probe'),
    };
    return this.shared;
  }
}

/** `ProbeSchedule<n>`: runs probe n every `minutes`. */
export function probeSchedule(
  scope: Construct,
  probe: IFunction,
  index: number,
  poolName: string,
  minutes: number,
): Rule {
  return new Rule(scope, `ProbeSchedule${index + 1}`, {
    description: `lambda-static-ip: egress probe ${index + 1} of pool "${poolName}"`,
    schedule: Schedule.rate(Duration.minutes(minutes)),
    targets: [new LambdaFunction(probe)],
  });
}
