import { Token } from 'aws-cdk-lib';
import { Role } from 'aws-cdk-lib/aws-iam';
import { type CfnFunction, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { HyperplaneEgress } from '../cdk/hyperplane-egress.js';
import { StaticIpPool } from '../cdk/static-ip-pool.js';
import type { PluginConfig } from './plugin-config.js';
import { synthesizeStack } from './synthesize-stack.js';

/** A function of the service as Serverless compiled it. */
export interface ServiceFunction {
  /** Its key under `functions:`, for messages. */
  readonly key: string;
  /** Its `AWS::Lambda::Function` logical id in the compiled template. */
  readonly logicalId: string;
  /** The subnet and security-group ids of its `vpc` block: strings or CloudFormation intrinsics. */
  readonly subnetIds: readonly unknown[];
  readonly securityGroupIds: readonly unknown[];
}

/** The part of a CloudFormation template the plugin adds. */
export interface TemplateSections {
  readonly Resources: Record<string, unknown>;
  readonly Outputs?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
}

export interface PoolTemplate {
  /** The constructs' template, the service's functions left out. */
  readonly sections: TemplateSections;
  /** Warnings the constructs reported at synth, for the Serverless log. */
  readonly warnings: readonly string[];
  /**
   * What each of the service's functions must wait for, by logical id: the keepers' wait
   * (`KeepersBound`), so a function moves only onto a combination whose ENIs hold pool IPs.
   */
  readonly functionDependsOn: Readonly<Record<string, readonly string[]>>;
}

/** The construct ids in the synthesized stack. */
const POOL_ID = 'LambdaStaticIpPool';
const EGRESS_ID = 'LambdaStaticIpEgress';

/** A subnet outside the app is every Serverless service's normal case: that warning says nothing. */
const SILENCED_WARNINGS = ['lambda-static-ip:subnetNotPublic', 'lambda-static-ip:functionPlacementUnknown'];

/**
 * Synthesizes `StaticIpPool` and `HyperplaneEgress` for the plugin's settings, in process, and returns
 * their template: one source of truth with the CDK constructs. Each function of the service stands in
 * the app as a function with the very logical id and VpcConfig Serverless gave it, so every reference the
 * constructs make to it (the custom resource's `Functions`, the controller's `LSI_FUNCTIONS`) is already
 * a reference to the real function, and the probes know its subnets; those stand-ins are then left out.
 *
 * Code assets are written to `assetDir` as `lambda-static-ip-<hash>.zip`, the names the template's S3
 * keys end with (see {@link ServerlessAssetSynthesizer}).
 *
 * @throws InputError the constructs' own errors (`InvalidPoolSize`, `PoolTooSmall`, …)
 */
export function poolTemplate(options: {
  readonly config: PluginConfig;
  readonly functions: readonly ServiceFunction[];
  readonly bucket: unknown;
  readonly keyPrefix: string;
  readonly assetDir: string;
}): PoolTemplate {
  const { config, functions } = options;
  const standInIds = new Set(functions.map((fn) => fn.logicalId));
  const { template, warnings } = synthesizeStack({
    bucket: options.bucket,
    keyPrefix: options.keyPrefix,
    assetDir: options.assetDir,
    silencedWarnings: SILENCED_WARNINGS,
    build: (stack) => {
      const pool = new StaticIpPool(stack, POOL_ID, {
        poolName: config.pool,
        ...(config.size === undefined ? {} : { size: config.size }),
        ...(config.allocationIds === undefined ? {} : { existingAllocationIds: [...config.allocationIds] }),
      });
      // One role stands for every stand-in: it never reaches the template.
      const role = Role.fromRoleArn(stack, 'StandInRole', 'arn:aws:iam::111111111111:role/stand-in', {
        mutable: false,
      });
      const standIns = functions.map((fn) => {
        const standIn = new LambdaFunction(stack, `StandIn${fn.logicalId}`, {
          code: Code.fromInline('// stand-in'),
          handler: 'index.handler',
          runtime: Runtime.NODEJS_22_X,
          role,
        });
        const resource = standIn.node.defaultChild as CfnFunction;
        resource.overrideLogicalId(fn.logicalId);
        resource.vpcConfig = {
          subnetIds: fn.subnetIds.map((id) => Token.asString(id)),
          securityGroupIds: fn.securityGroupIds.map((id) => Token.asString(id)),
        };
        return standIn;
      });
      new HyperplaneEgress(stack, EGRESS_ID, {
        pool,
        functions: standIns,
        ...(config.spares === undefined ? {} : { spares: config.spares }),
        probe: config.probe,
        keepers: config.keepers,
      });
    },
  });

  const Resources = Object.fromEntries(
    Object.entries(template.Resources).filter(([logicalId]) => !standInIds.has(logicalId)),
  );
  // The stand-ins' DependsOn is the ordering the constructs give the functions: it moves to the real ones.
  const functionDependsOn = Object.fromEntries(
    [...standInIds].map((logicalId) => {
      const dependsOn = (template.Resources[logicalId] as { DependsOn?: string | string[] }).DependsOn;
      return [logicalId, [dependsOn ?? []].flat().filter((id) => !standInIds.has(id))];
    }),
  );
  return { sections: { ...template, Resources } as TemplateSections, warnings, functionDependsOn };
}
