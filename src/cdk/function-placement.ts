import { Token } from 'aws-cdk-lib';
import { PublicSubnet } from 'aws-cdk-lib/aws-ec2';
import { Alias, CfnFunction, type IFunction, Version } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { combinationKey, normaliseGroups } from '../core/combination.js';

/**
 * Where a function's Hyperplane ENIs are, as far as the CDK app knows: one ENI per (subnet, security-group
 * set) combination. Read from the function's own `AWS::Lambda::Function` VpcConfig, so the subnet and
 * security-group ids are the very values (usually tokens) the function deploys with.
 */
export type FunctionPlacement =
  | {
      readonly kind: 'vpc';
      readonly subnetIds: readonly string[];
      readonly securityGroupIds: readonly string[];
    }
  /** Defined in the app, with no VpcConfig: it has no ENI to bind. */
  | { readonly kind: 'none' }
  /** Imported (or its VpcConfig is a token): only the deployment can tell. */
  | { readonly kind: 'unknown' };

/** A version or an alias stands for its function: the ENIs belong to the function's combinations. */
export function unqualified(fn: IFunction): IFunction {
  return fn instanceof Alias || fn instanceof Version ? fn.lambda : fn;
}

export function placementOf(fn: IFunction): FunctionPlacement {
  const resource = fn.node.defaultChild;
  if (!(resource instanceof CfnFunction)) return { kind: 'unknown' };
  const config = resource.vpcConfig;
  if (config === undefined) return { kind: 'none' };
  if (Token.isUnresolved(config)) return { kind: 'unknown' };
  const { subnetIds = [], securityGroupIds = [] } = config as CfnFunction.VpcConfigProperty;
  if (Token.isUnresolved(subnetIds) || Token.isUnresolved(securityGroupIds)) return { kind: 'unknown' };
  return subnetIds.length === 0 ? { kind: 'none' } : { kind: 'vpc', subnetIds, securityGroupIds };
}

/** One (subnet, security-group set) of the pool's functions: one Hyperplane ENI, one pool IP. */
export interface Combination {
  readonly subnetId: string;
  /** Sorted, so that the same set in another order is the same combination. */
  readonly securityGroupIds: readonly string[];
  /** Construct paths of the functions that use it, for messages. */
  readonly functions: readonly string[];
}

/** The distinct combinations of the functions, in the order they first appear. */
export function combinationsOf(
  placed: readonly {
    readonly path: string;
    readonly subnetIds: readonly string[];
    readonly securityGroupIds: readonly string[];
  }[],
): Combination[] {
  const byKey = new Map<string, { subnetId: string; securityGroupIds: string[]; functions: string[] }>();
  for (const fn of placed) {
    const securityGroupIds = normaliseGroups(fn.securityGroupIds);
    for (const subnetId of new Set(fn.subnetIds)) {
      const key = combinationKey(subnetId, securityGroupIds);
      const entry = byKey.get(key) ?? { subnetId, securityGroupIds, functions: [] };
      if (!entry.functions.includes(fn.path)) entry.functions.push(fn.path);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()];
}

/** What the app knows of a subnet: whether a VPC in it lists the subnet as public (routed to an internet gateway). */
export interface SubnetView {
  readonly kind: 'public' | 'private' | 'isolated' | 'unknown';
  /** The subnet's construct path when the app defines or imports it; else its id. */
  readonly label: string;
}

/**
 * Classifies subnet ids by the VPCs of the whole app (built, `fromLookup`, `fromVpcAttributes`): a subnet a
 * VPC lists in `publicSubnets` looks public. For a CDK `Vpc` that is `SubnetType.PUBLIC`, which routes
 * 0.0.0.0/0 to the internet gateway; for `fromLookup`, what the lookup read from the route tables; for
 * `fromVpcAttributes`, what you declared. A subnet no VPC of the app lists is unknown.
 */
export function subnetClassifier(root: IConstruct): (subnetId: string) => SubnetView {
  const known = new Map<string, SubnetView>();
  const record = (
    subnets: readonly { subnetId: string; node: IConstruct['node'] }[],
    kind: SubnetView['kind'],
  ) => {
    for (const subnet of subnets) {
      if (!known.has(subnet.subnetId)) known.set(subnet.subnetId, { kind, label: subnet.node.path });
    }
  };
  for (const construct of root.node.findAll()) {
    if (construct instanceof PublicSubnet) record([construct], 'public');
    if (isVpcLike(construct)) {
      record(construct.publicSubnets, 'public');
      record(construct.privateSubnets, 'private');
      record(construct.isolatedSubnets, 'isolated');
    }
  }
  return (subnetId) =>
    known.get(subnetId) ?? {
      kind: 'unknown',
      label: Token.isUnresolved(subnetId) ? 'a subnet from outside the app' : subnetId,
    };
}

type SubnetList = readonly { subnetId: string; node: IConstruct['node'] }[];

function isVpcLike(construct: IConstruct): construct is IConstruct & {
  publicSubnets: SubnetList;
  privateSubnets: SubnetList;
  isolatedSubnets: SubnetList;
} {
  const candidate = construct as unknown as Record<string, unknown>;
  return (
    typeof candidate.vpcId === 'string' &&
    Array.isArray(candidate.publicSubnets) &&
    Array.isArray(candidate.privateSubnets) &&
    Array.isArray(candidate.isolatedSubnets)
  );
}
