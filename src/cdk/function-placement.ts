import { Annotations, Token } from 'aws-cdk-lib';
import { PublicSubnet } from 'aws-cdk-lib/aws-ec2';
import { Alias, CfnFunction, type IFunction, Version } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { combinationKey, normaliseGroups } from '../core/combination.js';
import { propsError } from './props-error.js';

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
  /** The id (usually a token) of the VPC that lists the subnet, when one of the app does. */
  readonly vpcId?: string;
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
    vpcId?: string,
  ) => {
    for (const subnet of subnets) {
      const view = known.get(subnet.subnetId);
      if (view === undefined) {
        known.set(subnet.subnetId, {
          kind,
          label: subnet.node.path,
          ...(vpcId === undefined ? {} : { vpcId }),
        });
      } else if (view.vpcId === undefined && vpcId !== undefined) {
        known.set(subnet.subnetId, { ...view, vpcId });
      }
    }
  };
  for (const construct of root.node.findAll()) {
    if (construct instanceof PublicSubnet) record([construct], 'public');
    if (isVpcLike(construct)) {
      record(construct.publicSubnets, 'public', construct.vpcId);
      record(construct.privateSubnets, 'private', construct.vpcId);
      record(construct.isolatedSubnets, 'isolated', construct.vpcId);
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
  vpcId: string;
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

/** A pool function, unqualified, with its placement: empty lists when only the deployment can tell. */
export interface PlacedFunction {
  readonly fn: IFunction;
  readonly path: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

/**
 * Reads a pool function's placement for `scope` (a `HyperplaneEgress`): an error without a VPC, a warning
 * when only the deployment can tell (an imported function).
 *
 * @throws InputError `FunctionNotInVpc`, naming the function and the fix
 */
export function placeFunction(scope: IConstruct, given: IFunction): PlacedFunction {
  const fn = unqualified(given);
  const path = fn.node.path;
  const placement = placementOf(fn);
  if (placement.kind === 'none') {
    throw propsError(
      scope,
      'FunctionNotInVpc',
      `function ${path} is not attached to a VPC, so it has no Hyperplane ENI to hold a pool IP; give it vpc, vpcSubnets: { subnetType: SubnetType.PUBLIC } and allowPublicSubnet: true`,
    );
  }
  if (placement.kind === 'unknown') {
    Annotations.of(scope).addWarningV2(
      'lambda-static-ip:functionPlacementUnknown',
      `the VPC placement of function ${path} is not known to the app (imported): the deployment fails with FunctionNotInVpc or SubnetNotPublic if it is wrong, and it gets no egress probe`,
    );
    return { fn, path, subnetIds: [], securityGroupIds: [] };
  }
  return { fn, path, subnetIds: placement.subnetIds, securityGroupIds: placement.securityGroupIds };
}

/**
 * Warns on `scope` about each subnet of the combinations that does not look public: an Elastic IP there
 * gives the function no internet access.
 *
 * @param reported subnets already warned about (and those warned about now are added): one warning each
 */
export function warnAboutSubnets(
  scope: IConstruct,
  combinations: readonly Combination[],
  reported: Set<string> = new Set(),
): void {
  const classify = subnetClassifier(scope.node.root);
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
    Annotations.of(scope).addWarningV2(
      'lambda-static-ip:subnetNotPublic',
      `subnet ${view.label} (of ${[...new Set(users)].join(', ')}) ${what}: a pool IP gives an ENI internet access only in a subnet that routes 0.0.0.0/0 to an internet gateway; the deployment fails with SubnetNotPublic if it does not`,
    );
  }
}

/** Whether the app defines the function (an `AWS::Lambda::Function` of some stack), rather than imports it. */
export function definedInApp(fn: IFunction): boolean {
  return unqualified(fn).node.defaultChild instanceof CfnFunction;
}
