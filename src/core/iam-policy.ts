import { InputError } from './errors.js';
import { KEEPER_ROLE_PATH, keeperNamePrefix, keeperRoleName } from './keeper.js';
import { LAST_SUBNET_TAG_KEY, POOL_TAG_KEY } from './pool.js';

/**
 * The least-privilege IAM policy lambda-static-ip needs, as data: the single source of truth for the
 * `iam-policy` command and for the CDK construct that grants the in-account controller its role.
 *
 * What EC2 lets a policy scope (Service Authorization Reference, Amazon EC2; the extract the tests check
 * every statement against is test/fixtures/service-authorization/):
 * - Describe* and DescribeAccountAttributes support no resource-level permissions: `Resource: "*"`.
 * - AssociateAddress authorizes the `elastic-ip` (with `ec2:ResourceTag/...`) and the target
 *   `network-interface` (or `instance`); DisassociateAddress authorizes the `elastic-ip` and the
 *   `network-interface` only, also for an address on an instance (it is on the instance's interface).
 *   Each named resource must be allowed. The `network-interface` accepts `ec2:Vpc` (the VPC's ARN):
 *   Lambda's ENIs carry no tags, so their VPC is the one thing a policy can narrow them by.
 * - AllocateAddress authorizes the new `elastic-ip` with `aws:RequestTag/...` and `aws:TagKeys`; tags
 *   given at allocation are also authorized as `ec2:CreateTags` with `ec2:CreateAction=AllocateAddress`.
 * - ReleaseAddress and CreateTags on an existing address authorize the `elastic-ip` with its tags.
 * Lambda's ListFunctions and the tagging API's GetResources need `*`; GetFunctionConfiguration and
 * ListAliases take a function ARN.
 * Keepers (`prepare`, `prune`): Lambda, EventBridge and IAM authorize the function, rule and role by ARN,
 * so their names scope them. Creating one with tags is also authorized as the service's TagResource
 * (TagRole for IAM), and CreateFunction as iam:PassRole on its role, which `iam:PassedToService` narrows
 * to Lambda (IAM user guide, "Grant a user permissions to pass a role to an AWS service").
 */

export type PolicyEffect = 'Allow';

/** One statement, in IAM's own JSON shape (and `aws-iam`'s `PolicyStatement.fromJson`'s). */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: PolicyEffect;
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/**
 * Who runs with the policy, and what they may do:
 * - `cli-read`: plan, status, ips and audit (no change to anything);
 * - `cli-write`: what apply adds: bind, move, allocate and tag pool IPs;
 * - `cli-release`: what release adds: disassociate and release pool IPs;
 * - `cli-keepers`: what `prepare` and `prune` add: create and delete the pool's keepers, their schedule
 *   rules and their role (`prepare --wait` binds, which is `cli-write`);
 * - `controller`: the in-account controller: the reconcile's reads and apply's writes, never a release.
 */
export type PolicyKind = 'cli-read' | 'cli-write' | 'cli-release' | 'cli-keepers' | 'controller';

/** Narrows the ARNs; every field defaults to `*` (any), the partition to `aws`. */
export interface PolicyScope {
  /** Only addresses tagged for this pool. @default any pool: the tag must be present, any value */
  readonly pool?: string;
  readonly partition?: string;
  readonly region?: string;
  readonly account?: string;
  /**
   * Only network interfaces in these VPCs (ids, or tokens that resolve to ids): the `ec2:Vpc` condition on
   * the `network-interface` side of Associate/DisassociateAddress. Never empty.
   * @default any VPC: the interface side is not narrowed, and the pool tag on the address is the limit
   */
  readonly vpcs?: readonly string[];
}

/** The statements one kind of caller needs (a kind that writes includes the reads it depends on). */
function iamPolicyStatements(kind: PolicyKind, scope: PolicyScope = {}): PolicyStatement[] {
  const s = statements(scope);
  switch (kind) {
    case 'cli-read':
      return [s.describe, s.findFunctions, s.readFunctions, s.auditReads];
    case 'cli-write':
      return [s.bindPoolAddresses, s.bindToEnis, s.allocate, s.tagOnAllocate, s.rememberSubnet];
    case 'cli-release':
      return [s.releasePoolAddresses, s.disassociateBeforeRelease];
    case 'cli-keepers':
      return [s.manageKeepers, s.scheduleKeepers, s.manageKeeperRole, s.passKeeperRole];
    case 'controller':
      return controllerStatements(scope);
  }
}

/**
 * What the in-account controller's role needs: the reconcile's reads, binding, moving, allocating and
 * tagging pool IPs. Never ReleaseAddress: the controller can grow the pool, never shrink it.
 *
 * @param options.allocate whether it may allocate (AllocateAddress, and tagging at allocation); a
 *   controller that never allocates gets neither. @default true
 */
export function controllerStatements(
  scope: PolicyScope = {},
  options: { readonly allocate?: boolean } = {},
): PolicyStatement[] {
  const s = statements(scope);
  return [
    s.describe,
    s.findFunctions,
    { ...s.readFunctions, Action: ['lambda:GetFunctionConfiguration'] },
    s.bindPoolAddresses,
    s.bindToEnis,
    ...(options.allocate === false ? [] : [s.allocate, s.tagOnAllocate]),
    s.rememberSubnet,
  ];
}

/**
 * What a keeper's execution role needs, and nothing more: Lambda uses it to create, describe and delete
 * the function's Hyperplane ENIs (the actions of the AWS managed policy AWSLambdaVPCAccessExecutionRole,
 * scoped to EC2 resources of the account and Region where EC2 allows it), and the function writes its
 * own logs. A keeper itself makes no AWS call.
 *
 * @param logGroupArn the keeper's log group; `logs:CreateLogGroup` is granted only when it is a pattern
 *   (the CLI's keepers log to the group Lambda creates, `/aws/lambda/<name>`)
 */
export function keeperExecutionStatements(
  scope: Pick<PolicyScope, 'partition' | 'region' | 'account'>,
  logGroupArn: string,
): PolicyStatement[] {
  const partition = scope.partition ?? 'aws';
  const region = scope.region ?? '*';
  const account = scope.account ?? '*';
  return [
    {
      Sid: 'DescribeForLambdaEnis',
      Effect: 'Allow',
      Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      Resource: '*',
    },
    {
      Sid: 'ManageOwnLambdaEnis',
      Effect: 'Allow',
      Action: [
        'ec2:AssignPrivateIpAddresses',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:UnassignPrivateIpAddresses',
      ],
      // Lambda's guide: DeleteNetworkInterface needs every resource id of the account, not one ENI.
      Resource: `arn:${partition}:ec2:${region}:${account}:*`,
    },
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: [
        ...(logGroupArn.includes('*') ? ['logs:CreateLogGroup'] : []),
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ],
      Resource: logGroupArn,
    },
  ];
}

/** A policy document for one or more kinds, statements in order and without repeats. */
export function iamPolicy(
  kinds: PolicyKind | readonly PolicyKind[],
  scope: PolicyScope = {},
): PolicyDocument {
  const seen = new Set<string>();
  const statement: PolicyStatement[] = [];
  for (const kind of typeof kinds === 'string' ? [kinds] : kinds) {
    for (const candidate of iamPolicyStatements(kind, scope)) {
      const key = JSON.stringify(candidate);
      if (!seen.has(key)) {
        seen.add(key);
        statement.push(candidate);
      }
    }
  }
  return { Version: '2012-10-17', Statement: statement };
}

function statements(scope: PolicyScope) {
  const partition = scope.partition ?? 'aws';
  const region = scope.region ?? '*';
  const account = scope.account ?? '*';
  const ec2 = (resource: string) => `arn:${partition}:ec2:${region}:${account}:${resource}`;
  const elasticIps = ec2('elastic-ip/*');
  // Pool names are letters, digits, '.', '_' and '-': no IAM wildcard can hide in one.
  const poolIs = (key: string): Record<string, Record<string, string>> =>
    scope.pool === undefined ? { StringLike: { [key]: '*' } } : { StringEquals: { [key]: scope.pool } };
  const poolTags = [POOL_TAG_KEY, LAST_SUBNET_TAG_KEY];
  if (scope.vpcs !== undefined && scope.vpcs.length === 0) {
    throw new InputError(
      'NoVpcs',
      "the list of VPCs is empty, which would allow no interface at all; name the pool's VPCs or leave the list out",
    );
  }
  const keepers = scope.pool === undefined ? 'lsi-keeper-*' : `${keeperNamePrefix(scope.pool)}*`;
  const keeperRole = `arn:${partition}:iam::${account}:role${KEEPER_ROLE_PATH}${
    scope.pool === undefined ? 'lsi-keeper-*' : keeperRoleName(scope.pool)
  }`;
  // ec2:Vpc is an ARN; ArnLike matches it whether region and account are known or `*`.
  const inPoolVpcs =
    scope.vpcs === undefined
      ? {}
      : { Condition: { ArnLike: { 'ec2:Vpc': scope.vpcs.map((id) => ec2(`vpc/${id}`)) } } };

  return {
    describe: {
      Sid: 'DescribeNetworkAndAddresses',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAddresses',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeRouteTables',
        'ec2:DescribeSubnets',
      ],
      Resource: '*',
    },
    findFunctions: {
      Sid: 'FindPoolFunctions',
      Effect: 'Allow',
      Action: ['lambda:ListFunctions', 'tag:GetResources'],
      Resource: '*',
    },
    readFunctions: {
      Sid: 'ReadFunctionStateAndAliases',
      Effect: 'Allow',
      Action: ['lambda:GetFunctionConfiguration', 'lambda:ListAliases'],
      Resource: `arn:${partition}:lambda:${region}:${account}:function:*`,
    },
    auditReads: {
      Sid: 'AuditSecurityGroupsAndQuota',
      Effect: 'Allow',
      Action: ['ec2:DescribeAccountAttributes', 'ec2:DescribeSecurityGroups'],
      Resource: '*',
    },
    bindPoolAddresses: {
      Sid: 'BindOnlyPoolAddresses',
      Effect: 'Allow',
      Action: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'],
      Resource: elasticIps,
      Condition: poolIs(`ec2:ResourceTag/${POOL_TAG_KEY}`),
    },
    // Lambda's Hyperplane ENIs carry no tags (and Lambda adds none), so no tag condition can narrow
    // the ENI side of an association: the address side above keeps it to the pool, and `vpcs` (when
    // known) to the pool's VPCs.
    bindToEnis: {
      Sid: 'BindToLambdaEnis',
      Effect: 'Allow',
      Action: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'],
      Resource: ec2('network-interface/*'),
      ...inPoolVpcs,
    },
    allocate: {
      Sid: 'AllocateOnlyTaggedPoolAddresses',
      Effect: 'Allow',
      Action: ['ec2:AllocateAddress'],
      Resource: elasticIps,
      Condition: {
        ...poolIs(`aws:RequestTag/${POOL_TAG_KEY}`),
        'ForAllValues:StringEquals': { 'aws:TagKeys': poolTags },
      },
    },
    tagOnAllocate: {
      Sid: 'TagPoolAddressesAtAllocation',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: elasticIps,
      Condition: {
        StringEquals: {
          'ec2:CreateAction': 'AllocateAddress',
          ...(scope.pool === undefined ? {} : { [`aws:RequestTag/${POOL_TAG_KEY}`]: scope.pool }),
        },
        ...(scope.pool === undefined ? { StringLike: { [`aws:RequestTag/${POOL_TAG_KEY}`]: '*' } } : {}),
        'ForAllValues:StringEquals': { 'aws:TagKeys': poolTags },
      },
    },
    // Existing pool addresses may only get the last-subnet tag: never a pool tag, so the tool cannot
    // pull an address into a pool or move it between pools.
    rememberSubnet: {
      Sid: 'RememberSubnetOnPoolAddresses',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: elasticIps,
      Condition: {
        ...poolIs(`ec2:ResourceTag/${POOL_TAG_KEY}`),
        'ForAllValues:StringEquals': { 'aws:TagKeys': [LAST_SUBNET_TAG_KEY] },
      },
    },
    releasePoolAddresses: {
      Sid: 'ReleaseOnlyPoolAddresses',
      Effect: 'Allow',
      Action: ['ec2:DisassociateAddress', 'ec2:ReleaseAddress'],
      Resource: elasticIps,
      Condition: poolIs(`ec2:ResourceTag/${POOL_TAG_KEY}`),
    },
    // release takes a pool IP off whatever holds it first. DisassociateAddress names the network
    // interface even for an address on an instance (the Service Authorization Reference lists no
    // `instance` resource for it), so no instance ARN is needed.
    disassociateBeforeRelease: {
      Sid: 'DisassociateBeforeRelease',
      Effect: 'Allow',
      Action: ['ec2:DisassociateAddress'],
      Resource: ec2('network-interface/*'),
      ...inPoolVpcs,
    },
    manageKeepers: {
      Sid: 'CreateAndDeleteKeepers',
      Effect: 'Allow',
      Action: [
        'lambda:AddPermission',
        'lambda:CreateFunction',
        'lambda:DeleteFunction',
        'lambda:TagResource',
      ],
      Resource: `arn:${partition}:lambda:${region}:${account}:function:${keepers}`,
    },
    scheduleKeepers: {
      Sid: 'ScheduleKeepers',
      Effect: 'Allow',
      Action: [
        'events:DeleteRule',
        'events:PutRule',
        'events:PutTargets',
        'events:RemoveTargets',
        'events:TagResource',
      ],
      Resource: `arn:${partition}:events:${region}:${account}:rule/${keepers}`,
    },
    manageKeeperRole: {
      Sid: 'CreateAndDeleteKeeperRole',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:DeleteRolePolicy',
        'iam:GetRole',
        'iam:PutRolePolicy',
        'iam:TagRole',
      ],
      Resource: keeperRole,
    },
    passKeeperRole: {
      Sid: 'PassKeeperRoleToLambda',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: keeperRole,
      Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    },
  } satisfies Record<string, PolicyStatement>;
}

/** An SDK call as `recordCalls` reports it. */
export interface SdkCall {
  readonly service: string;
  readonly operation: string;
  readonly input?: unknown;
}

const IAM_PREFIX: Readonly<Record<string, string>> = {
  EC2: 'ec2',
  EventBridge: 'events',
  Lambda: 'lambda',
  ResourceGroupsTaggingAPI: 'tag',
};

/**
 * The IAM actions one SDK call is authorized as. Mostly `prefix:Operation`; a call that tags what it
 * creates is also authorized as tagging it (an AllocateAddress with tags as ec2:CreateTags with
 * ec2:CreateAction=AllocateAddress, CreateFunction as lambda:TagResource, PutRule as events:TagResource,
 * CreateRole as iam:TagRole), and a CreateFunction as iam:PassRole on its role.
 */
export function iamActionsFor(call: SdkCall): string[] {
  const prefix = IAM_PREFIX[call.service] ?? call.service.toLowerCase();
  const actions = [`${prefix}:${call.operation}`];
  const input = (call.input ?? {}) as { TagSpecifications?: readonly unknown[]; Tags?: unknown };
  const tagged = Array.isArray(input.Tags) ? input.Tags.length > 0 : input.Tags !== undefined;
  if (call.operation === 'AllocateAddress' && (input.TagSpecifications?.length ?? 0) > 0) {
    actions.push('ec2:CreateTags');
  }
  if (call.operation === 'CreateFunction') actions.push('iam:PassRole');
  if (tagged && ['CreateFunction', 'PutRule'].includes(call.operation)) actions.push(`${prefix}:TagResource`);
  if (tagged && call.operation === 'CreateRole') actions.push('iam:TagRole');
  return actions;
}
