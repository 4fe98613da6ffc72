import type { Address } from '@aws-sdk/client-ec2';
import type { RecordedCall } from '../../src/aws/call-recorder.js';
import type { PolicyDocument } from '../../src/core/iam-policy.js';

/** One authorization IAM makes for a call: an action on a resource, with the condition keys it sees. */
export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * A small IAM evaluator for Allow statements: exact or wildcard actions and resources, and the condition
 * operators this project's policy uses (StringEquals, StringLike, ArnLike, ForAllValues:StringEquals). Enough to
 * check that the printed policy allows what the tool does, and denies what it must not do.
 */
export function isAllowed(policy: PolicyDocument, request: AuthorizationRequest): boolean {
  return policy.Statement.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      statement.Action.some((action) => glob(action, request.action)) &&
      (typeof statement.Resource === 'string' ? [statement.Resource] : statement.Resource).some((resource) =>
        glob(resource, request.resource),
      ) &&
      Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
        Object.entries(keys).every(([key, expected]) => test(operator, request.context[key], expected)),
      ),
  );
}

function test(
  operator: string,
  actual: string | readonly string[] | undefined,
  expected: string | readonly string[],
): boolean {
  const wanted = typeof expected === 'string' ? [expected] : expected;
  switch (operator) {
    case 'StringEquals':
      return typeof actual === 'string' && wanted.includes(actual);
    case 'StringLike':
    case 'ArnLike':
      return typeof actual === 'string' && wanted.some((pattern) => glob(pattern, actual));
    case 'ForAllValues:StringEquals':
      return (typeof actual === 'string' ? [actual] : (actual ?? [])).every((value) =>
        wanted.includes(value),
      );
    default:
      throw new Error(`the test evaluator does not know the condition operator ${operator}`);
  }
}

function glob(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

/** What the account held before a command ran: addresses with their tags and associations, ENIs' VPCs. */
export interface WorldSnapshot {
  readonly region: string;
  readonly account: string;
  readonly addresses: readonly Address[];
  /** The VPC of each network interface, by id: IAM sees it as `ec2:Vpc` on the interface. */
  readonly vpcOfInterface: Readonly<Record<string, string>>;
  /** The IAM path of each role, by name: a role's ARN carries it. @default every role at `/` */
  readonly rolePaths?: Readonly<Record<string, string>>;
}

/** The authorizations IAM makes for one SDK call, given the addresses as they were before it. */
export function authorizationsFor(call: RecordedCall, world: WorldSnapshot): AuthorizationRequest[] {
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${world.region}:${world.account}:${resource}`;
  const input = (call.input ?? {}) as Record<string, unknown>;
  const prefix =
    { EC2: 'ec2', EventBridge: 'events', Lambda: 'lambda', ResourceGroupsTaggingAPI: 'tag', IAM: 'iam' }[
      call.service
    ] ?? call.service;
  const action = `${prefix}:${call.operation}`;
  const byAllocation = (id: unknown) => world.addresses.find((address) => address.AllocationId === id);
  const resourceTags = (address: Address | undefined) =>
    Object.fromEntries((address?.Tags ?? []).map((tag) => [`ec2:ResourceTag/${tag.Key}`, tag.Value ?? '']));
  const requestTags = (tags: readonly { Key?: string; Value?: string }[]) => ({
    ...Object.fromEntries(tags.map((tag) => [`aws:RequestTag/${tag.Key}`, tag.Value ?? ''])),
    'aws:TagKeys': tags.map((tag) => tag.Key ?? ''),
  });
  const elasticIp = (address: Address | undefined, id: unknown) =>
    ({ action, resource: arn('ec2', `elastic-ip/${String(id)}`), context: resourceTags(address) }) as const;
  // The interface side of Associate/DisassociateAddress, with the interface's VPC as IAM sees it.
  const networkInterface = (id: unknown): AuthorizationRequest => {
    const vpcId = world.vpcOfInterface[String(id)];
    return {
      action,
      resource: arn('ec2', `network-interface/${String(id)}`),
      context: vpcId === undefined ? {} : { 'ec2:Vpc': arn('ec2', `vpc/${vpcId}`) },
    };
  };
  // DisassociateAddress names the interface, also for an address on an instance (its primary interface):
  // the Service Authorization Reference lists no instance resource for it.
  const target = (address: Address | undefined): AuthorizationRequest[] =>
    address?.NetworkInterfaceId ? [networkInterface(address.NetworkInterfaceId)] : [];

  switch (call.operation) {
    case 'AssociateAddress':
      return [
        elasticIp(byAllocation(input.AllocationId), input.AllocationId),
        networkInterface(input.NetworkInterfaceId),
      ];
    case 'DisassociateAddress': {
      const address = world.addresses.find((candidate) => candidate.AssociationId === input.AssociationId);
      return [elasticIp(address, address?.AllocationId), ...target(address)];
    }
    case 'ReleaseAddress':
      return [elasticIp(byAllocation(input.AllocationId), input.AllocationId)];
    case 'AllocateAddress': {
      const tags = (
        (input.TagSpecifications ?? []) as { Tags?: { Key?: string; Value?: string }[] }[]
      ).flatMap((spec) => spec.Tags ?? []);
      const created = { action, resource: arn('ec2', 'elastic-ip/*'), context: requestTags(tags) };
      if (tags.length === 0) return [created];
      return [
        created,
        {
          action: 'ec2:CreateTags',
          resource: created.resource,
          context: { ...requestTags(tags), 'ec2:CreateAction': 'AllocateAddress' },
        },
      ];
    }
    case 'CreateTags':
      return ((input.Resources ?? []) as string[]).map((id) => ({
        action,
        resource: arn('ec2', `elastic-ip/${id}`),
        context: {
          ...resourceTags(byAllocation(id)),
          ...requestTags((input.Tags ?? []) as { Key?: string }[]),
        },
      }));
    case 'GetFunctionConfiguration':
    case 'ListAliases':
    case 'AddPermission':
    case 'DeleteFunction':
      return [{ action, resource: arn('lambda', `function:${String(input.FunctionName)}`), context: {} }];
    case 'CreateFunction': {
      const resource = arn('lambda', `function:${String(input.FunctionName)}`);
      return [
        { action, resource, context: {} },
        ...(input.Tags ? [{ action: 'lambda:TagResource', resource, context: {} }] : []),
        {
          action: 'iam:PassRole',
          resource: String(input.Role),
          context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
        },
      ];
    }
    case 'PutRule': {
      const resource = arn('events', `rule/${String(input.Name)}`);
      return [
        { action, resource, context: {} },
        ...(input.Tags ? [{ action: 'events:TagResource', resource, context: {} }] : []),
      ];
    }
    case 'DeleteRule':
      return [{ action, resource: arn('events', `rule/${String(input.Name)}`), context: {} }];
    case 'PutTargets':
    case 'RemoveTargets':
      return [{ action, resource: arn('events', `rule/${String(input.Rule)}`), context: {} }];
    case 'CreateRole':
    case 'GetRole':
    case 'PutRolePolicy':
    case 'DeleteRolePolicy':
    case 'DeleteRole': {
      const name = String(input.RoleName);
      const resource = `arn:aws:iam::${world.account}:role${world.rolePaths?.[name] ?? '/'}${name}`;
      return [
        { action, resource, context: {} },
        ...(call.operation === 'CreateRole' && input.Tags
          ? [{ action: 'iam:TagRole', resource, context: {} }]
          : []),
      ];
    }
    default:
      return [{ action, resource: '*', context: {} }];
  }
}
