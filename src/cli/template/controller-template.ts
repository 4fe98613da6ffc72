import { type Stack, Token } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { HyperplaneEgress } from '../../cdk/hyperplane-egress.js';
import { StaticIpPool, tagForPool } from '../../cdk/static-ip-pool.js';
import { synthesizeStack } from '../../serverless/synthesize-stack.js';

/**
 * The most addresses the template can allocate (its `Size` parameter's largest value): each is an
 * `AWS::EC2::EIP` behind a condition on `Size`. Above the default quota of 5 per Region.
 */
export const TEMPLATE_MAX_SIZE = 8;

/** What the template is synthesized with, and then turned into parameters. */
const POOL_SENTINEL = 'lsi-template-pool-name-sentinel';
const TOPIC_SENTINEL = 'arn:aws:sns:us-east-1:111111111111:lsi-template-topic-sentinel';
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
 * `StaticIpPool` and `HyperplaneEgress` (one source of truth with the constructs) and then given its
 * parameters: the constructs are synthesized with placeholder values which are replaced by references
 * to the parameters, and the pool's addresses each get a condition on `Size` and `AllocationIds`.
 * Functions join the pool by the `lambda-static-ip:pool` tag; keepers and probes need the functions'
 * subnets at synth and are off (see docs/toolchains.md).
 *
 * Code assets are written to `assetDir`; the template's `Code` properties name them by relative path,
 * which `aws cloudformation package` and `sam package` upload and rewrite.
 */
export function controllerTemplate(assetDir: string, facts: PackageFacts): ControllerTemplate {
  const { template, warnings, assetNames } = synthesizeStack({
    bucket: BUCKET_SENTINEL,
    keyPrefix: KEY_PREFIX,
    assetDir,
    // No function is known at synth: they join by tag, in whatever subnets they are.
    silencedWarnings: ['lambda-static-ip:subnetNotPublic', 'lambda-static-ip:functionPlacementUnknown'],
    build: (stack) => {
      const pool = new StaticIpPool(stack, 'Pool', { poolName: POOL_SENTINEL, size: TEMPLATE_MAX_SIZE });
      adoption(stack);
      new HyperplaneEgress(stack, 'Egress', {
        pool,
        functions: [],
        allocate: true,
        keepers: false,
        probe: false,
        alarmTopic: Topic.fromTopicArn(stack, 'AlarmTopic', TOPIC_SENTINEL),
      });
    },
  });

  const resources = template.Resources as Record<string, Record<string, Json>>;
  const addresses = Object.keys(resources)
    .filter((id) => resources[id]?.Type === 'AWS::EC2::EIP')
    .sort((a, b) => addressIndex(a) - addressIndex(b));
  const conditions: Record<string, Json> = {
    Allocating: { 'Fn::Equals': [{ 'Fn::Join': [',', { Ref: 'AllocationIds' }] }, ''] },
    Adopting: { 'Fn::Not': [{ Condition: 'Allocating' }] },
    ControllerAllocates: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'MaxIps' }, '0'] }] },
    HasAlarmTopic: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] }] },
  };
  addresses.forEach((id, index) => {
    const smaller = Array.from({ length: index + 1 }, (_, n) => ({
      'Fn::Equals': [{ Ref: 'Size' }, String(n)],
    }));
    // Address n exists when Size >= n and no AllocationIds are given. CloudFormation has no comparison:
    // "not one of 0..n-1" is ">= n" for the allowed values.
    conditions[conditionOf(id)] = {
      'Fn::And': [{ Condition: 'Allocating' }, { 'Fn::Not': [orOf(smaller)] }],
    };
    const resource = resources[id] as Record<string, Json>;
    resource.Condition = conditionOf(id);
  });
  for (const resource of Object.values(resources)) {
    // The adoption, its policy and the JSON of the ids it tags exist only with AllocationIds.
    const type = String(resource.Type);
    if (type === 'Custom::LambdaStaticIpPoolAdoption' || type === 'Custom::AWSCDKCfnJsonStringify') {
      resource.Condition = 'Adopting';
    }
  }
  // The pool's own allow-list output joins every address: the egress's AllowList (from the binding)
  // reports the pool as it is, whatever the parameters.
  const outputs = { ...(template.Outputs as Record<string, Json> | undefined) };
  for (const key of Object.keys(outputs)) if (key.startsWith('PoolAllowList')) delete outputs[key];

  let body: Json = { ...template, Outputs: outputs };
  body = withParameters(body, new Set(addresses));
  body = withLocalCode(body);
  const parameters = templateParameters();
  return {
    template: {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: `lambda-static-ip ${facts.version}: the in-account controller for one pool of static egress IPs`,
      Metadata: {
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
            { Label: { default: 'Controller' }, Parameters: ['Spares', 'MaxIps', 'AlarmTopicArn'] },
          ],
        },
      },
      Parameters: parameters,
      Rules: {
        SizeOrAllocationIds: {
          Assertions: [
            {
              Assert: {
                'Fn::Or': [
                  { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Size' }, '0'] }] },
                  { 'Fn::Not': [{ 'Fn::EachMemberEquals': [{ Ref: 'AllocationIds' }, ''] }] },
                  { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'MaxIps' }, '0'] }] },
                ],
              },
              AssertDescription:
                'the pool would have no address: give Size (1-8) to allocate, AllocationIds to adopt, or MaxIps to let the controller allocate',
            },
          ],
        },
      },
      Conditions: { ...(template.Conditions as Record<string, Json> | undefined), ...conditions },
      ...Object.fromEntries(
        Object.entries(body as Record<string, Json>).filter(
          ([key]) => !['Parameters', 'Conditions', 'Rules', 'Metadata', 'Description'].includes(key),
        ),
      ),
    },
    assetNames,
    warnings,
  };
}

/** Tags the addresses of `AllocationIds` for the pool, only under the `Adopting` condition. */
function adoption(stack: Stack): void {
  tagForPool(stack, POOL_SENTINEL, Token.asList({ Ref: 'AllocationIds' }), ['*']);
}

function templateParameters(): Record<string, Json> {
  return {
    PoolName: {
      Type: 'String',
      Description: "The pool's name: the lambda-static-ip:pool tag of its addresses and of its functions",
      AllowedPattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
      ConstraintDescription: "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
    },
    Size: {
      Type: 'Number',
      Description: `How many Elastic IPs the stack allocates (retained when the stack goes or Size shrinks); 0 with AllocationIds`,
      Default: 0,
      AllowedValues: Array.from({ length: TEMPLATE_MAX_SIZE + 1 }, (_, n) => n),
    },
    AllocationIds: {
      Type: 'CommaDelimitedList',
      Description:
        'Elastic IPs you own to adopt (tagged for the pool, never released by the stack); empty: allocate Size',
      Default: '',
    },
    Spares: {
      Type: 'Number',
      Description: 'Free pool IPs the controller keeps ready for a new ENI',
      Default: 1,
      MinValue: 0,
      MaxValue: 1000,
    },
    MaxIps: {
      Type: 'Number',
      Description:
        'The controller allocates tagged Elastic IPs itself, up to this many in the pool; 0: never',
      Default: 0,
      MinValue: 0,
      MaxValue: 1000,
    },
    AlarmTopicArn: {
      Type: 'String',
      Description: 'SNS topic the alarms notify on ALARM and OK; empty: none',
      Default: '',
      AllowedPattern: '^(arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+)?$',
    },
  };
}

/** n of `PoolAddress<n><8 hex digits of hash>`, the logical id of the pool's n-th address. */
function addressIndex(logicalId: string): number {
  const match = /^PoolAddress(\d+)[0-9A-F]{8}$/.exec(logicalId);
  return match ? Number(match[1]) : 0;
}

function conditionOf(addressId: string): string {
  return `AllocateAddress${addressIndex(addressId)}`;
}

function orOf(conditions: Json[]): Json {
  return conditions.length === 1 ? conditions[0] : { 'Fn::Or': conditions };
}

/**
 * Replaces the placeholders by the parameters: strings holding the pool name become `Fn::Sub`, the
 * controller's numbers (`Spares`, `MaxIps`, `Allocate` and their `LSI_` variables) references, the
 * topic `AlarmTopicArn` under `HasAlarmTopic`; a reference to a conditional address is kept only
 * under its condition.
 */
function withParameters(node: Json, addresses: ReadonlySet<string>, key?: string): Json {
  if (typeof node === 'string') {
    if (node === TOPIC_SENTINEL) {
      return { 'Fn::If': ['HasAlarmTopic', { Ref: 'AlarmTopicArn' }, { Ref: 'AWS::NoValue' }] };
    }
    // An output's description takes no intrinsic function.
    if (key === 'Description' && node.includes(POOL_SENTINEL))
      return node.replaceAll(`"${POOL_SENTINEL}"`, 'PoolName');
    if (node.includes(POOL_SENTINEL)) {
      return { 'Fn::Sub': node.replaceAll('${', '${!').replaceAll(POOL_SENTINEL, '${PoolName}') };
    }
    if (key === 'Spares' || key === 'LSI_SPARES') return { Ref: 'Spares' };
    if (key === 'MaxIps' || key === 'LSI_MAX_IPS') return { Ref: 'MaxIps' };
    if (key === 'Allocate' || key === 'LSI_ALLOCATE')
      return { 'Fn::If': ['ControllerAllocates', 'true', 'false'] };
    return node;
  }
  if (Array.isArray(node)) return node.map((item) => withParameters(item, addresses));
  if (node === null || typeof node !== 'object') return node;
  const object = node as Record<string, Json>;
  const target = referencedAddress(object, addresses);
  if (target) return { 'Fn::If': [conditionOf(target), object, { Ref: 'AWS::NoValue' }] };
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, withParameters(v, addresses, k)]));
}

function referencedAddress(object: Record<string, Json>, addresses: ReadonlySet<string>): string | undefined {
  const ref = object.Ref;
  if (typeof ref === 'string' && addresses.has(ref)) return ref;
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && addresses.has(getAtt[0])) return getAtt[0];
  return undefined;
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
