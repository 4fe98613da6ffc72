import { Aws, type CfnCondition, CfnResource, Fn, type Stack, Token } from 'aws-cdk-lib';
import { CfnEIP } from 'aws-cdk-lib/aws-ec2';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { HyperplaneEgress } from '../../cdk/hyperplane-egress.js';
import { StaticIpPool, tagForPool } from '../../cdk/static-ip-pool.js';
import { controllerStatements } from '../../core/iam-policy.js';
import { DEFAULT_MAX_IPS } from '../../core/pool.js';
import { synthesizeStack } from '../../serverless/synthesize-stack.js';
import {
  CONTROLLER_ALLOCATES,
  TEMPLATE_MAX_SIZE,
  type TemplateParameters,
  templateParameters,
} from './template-parameters.js';

export { TEMPLATE_MAX_SIZE } from './template-parameters.js';

/** Where the synthesized code assets point, rewritten to relative paths. */
const BUCKET_SENTINEL = 'lsi-template-bucket-sentinel';
const KEY_PREFIX = 'lsi-template-assets';

/** The package's facts the SAR metadata carries. */
export interface PackageFacts {
  readonly version: string;
  readonly description: string;
  readonly license: string;
  readonly homepage: string;
}

export interface ControllerTemplate {
  readonly template: Record<string, unknown>;
  /** The code assets written beside it, which the template refers to by relative path. */
  readonly assetNames: readonly string[];
  readonly warnings: readonly string[];
}

type Json = unknown;

/**
 * The in-account controller as one parameterised CloudFormation template, synthesized from
 * `StaticIpPool` and `HyperplaneEgress` (one source of truth with the constructs), which take the
 * parameters' values as tokens: the pool name, `Spares`, `MaxIps`, the alarm topic, `FunctionNames` and
 * the keeper's subnets and security groups. What CloudFormation can only decide by condition is given
 * conditions here: each of the pool's addresses (on `Size` and `AllocationIds`), the adoption of
 * `AllocationIds`, the keeper and its wait (on `Keepers`), and the controller's `Allocate` flag (on
 * `MaxIps`), a boolean the constructs take at synth, and the placement's probe and its
 * alarm (on `Probe`). Functions join the pool by the `lambda-static-ip:pool` tag or by `FunctionNames`.
 *
 * Code assets are written to `assetDir`; the template's `Code` properties name them by relative path,
 * which `aws cloudformation package` and `sam package` upload and rewrite.
 */
export function controllerTemplate(assetDir: string, facts: PackageFacts): ControllerTemplate {
  const { template, warnings, assetNames } = synthesizeStack({
    bucket: BUCKET_SENTINEL,
    keyPrefix: KEY_PREFIX,
    assetDir,
    // No function is known at synth: they join by tag or by name, in whatever subnets they are. The
    // parameters' ranges are the template's (MinValue, MaxValue), and the controller's at deploy time.
    silencedWarnings: [
      'lambda-static-ip:subnetNotPublic',
      'lambda-static-ip:functionPlacementUnknown',
      'lambda-static-ip:checkedAtDeploy',
    ],
    build: (stack) => {
      stack.templateOptions.description = `lambda-static-ip ${facts.version}: the in-account controller for one pool of static egress IPs`;
      stack.templateOptions.metadata = metadata(facts);
      buildController(stack, templateParameters(stack));
    },
  });
  const resources = template.Resources as Record<string, Record<string, Json>>;
  for (const resource of Object.values(resources)) {
    // The JSON of the AllocationIds the adoption tags, which the CDK adds at synth, exists only with them.
    if (resource.Type === 'Custom::AWSCDKCfnJsonStringify') resource.Condition = 'Adopting';
    if (resource.Type === 'AWS::IAM::Role') allocationOnCondition(resource);
  }
  return { template: withLocalCode(template) as Record<string, unknown>, assetNames, warnings };
}

/** The statements the controller's role has only when it allocates, by Sid. */
const ALLOCATION_SIDS: ReadonlySet<string> = (() => {
  const without = new Set(controllerStatements({}, { allocate: false }).map((statement) => statement.Sid));
  return new Set(
    controllerStatements({}, { allocate: true })
      .map((statement) => statement.Sid)
      .filter((sid) => !without.has(sid)),
  );
})();

/**
 * Least privilege with MaxIps 0: the role's allocation statements exist only under ControllerAllocates
 * (the construct, given `allocate` at synth, grants them; MaxIps decides at deploy).
 */
function allocationOnCondition(role: Record<string, Json>): void {
  const policies = (role.Properties as { Policies?: { PolicyDocument: { Statement: Json[] } }[] }).Policies;
  for (const policy of policies ?? []) {
    policy.PolicyDocument.Statement = policy.PolicyDocument.Statement.map((statement) =>
      ALLOCATION_SIDS.has(String((statement as { Sid?: unknown }).Sid))
        ? { 'Fn::If': [CONTROLLER_ALLOCATES, statement, { Ref: 'AWS::NoValue' }] }
        : statement,
    );
  }
}

/** The pool and the controller, given the parameters' values. */
function buildController(stack: Stack, parameters: TemplateParameters): void {
  const poolName = parameters.poolName.valueAsString;
  const pool = new StaticIpPool(stack, 'Pool', { poolName, size: TEMPLATE_MAX_SIZE });
  // Each address behind its condition on Size. Nothing refers to them: the pool's allow-list output
  // would, and the egress's AllowList (from the binding) reports the pool as it is instead.
  const addresses = pool.node.children.filter((child) => child instanceof CfnEIP);
  addresses.forEach((address, index) => {
    address.cfnOptions.condition = parameters.allocateAddress[index];
  });
  pool.node.tryRemoveChild('AllowList');
  const adoption = tagForPool(stack, poolName, parameters.allocationIds.valueAsList, ['*']);
  (adoption.node.findChild('Resource').node.defaultChild as CfnResource).cfnOptions.condition =
    parameters.adopting;

  const allocates = (yes: string, no: string) =>
    Fn.conditionIf(parameters.controllerAllocates.logicalId, yes, no);
  const egress = new HyperplaneEgress(stack, 'Egress', {
    pool,
    functions: [],
    functionNames: parameters.functionNames.valueAsList,
    spares: parameters.spares.valueAsNumber,
    // The controller wants 1-1000 even when it does not allocate: MaxIps 0 means no allocation.
    allocate: true,
    maxIps: Token.asNumber(allocates(parameters.maxIps.valueAsString, String(DEFAULT_MAX_IPS))),
    keepers: true,
    keeperPlacements: [
      {
        subnetIds: parameters.keeperSubnetIds.valueAsList,
        securityGroupIds: parameters.keeperSecurityGroupIds.valueAsList,
      },
    ],
    // The placement's probe is a function of its own, behind HasProbe: its Code stays a plain path.
    probe: true,
    alarmTopic: Topic.fromTopicArn(
      stack,
      'AlarmTopic',
      Token.asString(
        Fn.conditionIf(
          parameters.hasAlarmTopic.logicalId,
          parameters.alarmTopicArn.valueAsString,
          Aws.NO_VALUE,
        ),
      ),
    ),
  });
  // Allocate is a flag the constructs take at synth (it shapes the role); MaxIps decides it here.
  const flag = Token.asString(allocates('true', 'false'));
  for (const fn of [egress.controller, egress.deploymentHandler]) {
    (fn.node.defaultChild as CfnFunction).addPropertyOverride('Environment.Variables.LSI_ALLOCATE', flag);
  }
  const binding = egress.customResource.node.defaultChild as CfnResource;
  binding.addPropertyOverride('Allocate', flag);
  keepersOnCondition(egress, parameters, flag);
}

/** What exists on which condition: the keeper's parts, the probe's, and the role and logs they share. */
function conditionFor(id: string, parameters: TemplateParameters): CfnCondition | undefined {
  if (id === 'KeeperRole' || id === 'KeeperLogs') return parameters.hasKeepersOrProbe;
  if (/^(PlacementProbe|EgressProbeAlarm)/.test(id)) return parameters.hasProbe;
  if (/^Keeper/.test(id)) return parameters.hasKeepers;
  return undefined;
}

/**
 * The keeper, its schedule and the wait for its ENIs (`KeepersBound`) exist only with `Keepers`, the
 * probe, its schedule and alarm only with `Probe`, their role and logs with either; the binding names the
 * keeper only with `Keepers` (an empty item otherwise, which the controller skips), never the probe,
 * which shares the keeper's ENIs.
 */
function keepersOnCondition(egress: HyperplaneEgress, parameters: TemplateParameters, flag: string): void {
  const [keeper] = egress.keepers;
  const [probe] = egress.probes;
  if (keeper === undefined || probe === undefined || egress.keepersBound === undefined) {
    throw new Error('the template expects one keeper, its KeepersBound and one probe');
  }
  for (const child of egress.node.children) {
    const condition = conditionFor(child.node.id, parameters);
    if (condition === undefined) continue;
    for (const construct of child.node.findAll()) {
      if (construct instanceof CfnResource) construct.cfnOptions.condition = condition;
    }
  }
  // cfn-lint checks the security groups' pattern against the parameter's empty default, which only
  // applies with Keepers (Probe) false, when the keeper (probe) does not exist and the Rules let it be.
  for (const fn of [keeper, probe]) {
    (fn.node.defaultChild as CfnResource).addMetadata('cfn-lint', {
      config: { ignore_checks: ['W1030'] },
    });
  }
  (egress.keepersBound.node.defaultChild as CfnResource).addPropertyOverride('Allocate', flag);
  const keeperName = Fn.conditionIf(parameters.hasKeepers.logicalId, keeper.functionName, '');
  (egress.customResource.node.defaultChild as CfnResource).addPropertyOverride(
    'Functions',
    Fn.split(
      ',',
      Fn.join(',', [Fn.join(',', parameters.functionNames.valueAsList), Token.asString(keeperName)]),
    ),
  );
}

function metadata(facts: PackageFacts): Record<string, Json> {
  return {
    // https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-template-publishing-applications-metadata-properties.html
    // (no intrinsic functions here; LicenseUrl and ReadmeUrl are local files `sam package` uploads)
    'AWS::ServerlessRepo::Application': {
      Name: 'lambda-static-ip',
      Description: facts.description.slice(0, 256),
      Author: 'lambda-static-ip',
      SpdxLicenseId: facts.license,
      LicenseUrl: 'LICENSE',
      ReadmeUrl: 'README.md',
      Labels: ['lambda', 'elastic-ip', 'static-ip', 'egress'],
      HomePageUrl: facts.homepage,
      SemanticVersion: facts.version,
      SourceCodeUrl: facts.homepage.replace(/#readme$/, ''),
    },
    'AWS::CloudFormation::Interface': {
      ParameterGroups: [
        { Label: { default: 'Pool' }, Parameters: ['PoolName', 'Size', 'AllocationIds'] },
        {
          Label: { default: 'Controller' },
          Parameters: ['Spares', 'MaxIps', 'FunctionNames', 'AlarmTopicArn'],
        },
        {
          Label: { default: 'Keepers and probe' },
          Parameters: ['Keepers', 'Probe', 'KeeperSubnetIds', 'KeeperSecurityGroupIds'],
        },
      ],
    },
  };
}

/** `Code: { S3Bucket, S3Key }` of the placeholder bucket becomes the asset's relative path. */
function withLocalCode(node: Json): Json {
  if (Array.isArray(node)) return node.map(withLocalCode);
  if (node === null || typeof node !== 'object') return node;
  const object = node as Record<string, Json>;
  if (object.S3Bucket === BUCKET_SENTINEL && typeof object.S3Key === 'string') {
    return `./${object.S3Key.slice(KEY_PREFIX.length + 1)}`;
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, withLocalCode(v)]));
}
