import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import { CfnPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct, IConstruct } from 'constructs';
import { subnetClassifier } from './function-placement.js';
import { acknowledgeNag, managedPolicyFinding, wildcardResourceFinding } from './nag-acknowledgements.js';
import { propsError } from './props-error.js';

/**
 * The VPCs whose ENIs the controller may bind (the `ec2:Vpc` condition of its role), or undefined for any:
 * `given` when the user names them, else those of the functions when the app knows every function's
 * subnets and each subnet's VPC. A known function outside `given` could never be bound: an error.
 */
export function controllerVpcIds(
  owner: Construct,
  given: readonly IVpc[] | undefined,
  placed: readonly { readonly path: string; readonly subnetIds: readonly string[] }[],
): string[] | undefined {
  if (given !== undefined && given.length === 0) {
    throw propsError(
      owner,
      'InvalidVpcs',
      "vpcs is empty, so the controller could bind no ENI at all; list the VPCs of the pool's functions, or leave vpcs out to use those of functions",
    );
  }
  const classify = subnetClassifier(owner.node.root);
  const fromFunctions = new Map<string, string>();
  let allKnown = placed.length > 0;
  for (const fn of placed) {
    if (fn.subnetIds.length === 0) allKnown = false; // imported: only the deployment knows its subnets
    for (const subnetId of fn.subnetIds) {
      const view = classify(subnetId);
      if (view.vpcId === undefined) allKnown = false;
      else if (!fromFunctions.has(view.vpcId))
        fromFunctions.set(view.vpcId, `${fn.path} (subnet ${view.label})`);
    }
  }
  if (given === undefined) return allKnown ? [...fromFunctions.keys()] : undefined;
  const ids = [...new Set(given.map((vpc) => vpc.vpcId))];
  for (const [vpcId, user] of fromFunctions) {
    if (!ids.includes(vpcId)) {
      throw propsError(
        owner,
        'FunctionOutsideVpcs',
        `function ${user} is in a VPC that vpcs leaves out, so the controller could never bind its ENI; add that VPC to vpcs, or leave vpcs out`,
      );
    }
  }
  return ids;
}

/**
 * After a function is added with `addFunction`: the controller's role, written at construction, must still
 * cover every VPC of the pool's functions. With `vpcs` given, the same check as at construction; without,
 * the role was narrowed to the VPCs of the functions known then, and a function in another VPC (or whose
 * VPC the app does not know) is an error naming the fix.
 */
export function vpcsStillCovered(
  owner: Construct,
  given: readonly IVpc[] | undefined,
  narrowedTo: readonly string[] | undefined,
  placed: readonly { readonly path: string; readonly subnetIds: readonly string[] }[],
): void {
  const now = controllerVpcIds(owner, given, placed);
  if (given !== undefined || narrowedTo === undefined) return;
  const added = placed.at(-1)?.path;
  if (now === undefined || now.some((vpcId) => !narrowedTo.includes(vpcId))) {
    throw propsError(
      owner,
      'FunctionOutsideVpcs',
      `function ${added}, added after construction, is in a VPC the controller's role does not cover (it was narrowed to the VPCs of the functions given then); pass it in functions, or name every VPC of the pool in vpcs`,
    );
  }
}

/** Why the controller's role has each wildcard resource, by statement id (see src/core/iam-policy.ts). */
const CONTROLLER_WILDCARDS: Readonly<Record<string, string>> = {
  DescribeNetworkAndAddresses:
    'Resource "*": EC2 Describe actions support no resource-level permissions (Service Authorization Reference); read-only',
  FindPoolFunctions:
    'Resource "*": lambda:ListFunctions and tag:GetResources support no resource-level permissions; read-only',
  ReadFunctionStateAndAliases:
    "function:* of the stack's account and Region, read-only: the pool also holds functions tagged for it outside this app, unknown at synth",
  BindOnlyPoolAddresses:
    'elastic-ip/*, but only addresses tagged for this pool (ec2:ResourceTag condition); their allocation ids are not all known at synth',
  RememberSubnetOnPoolAddresses:
    'elastic-ip/*, but only addresses tagged for this pool, and only the last-subnet tag key (ec2:ResourceTag, aws:TagKeys)',
  AllocateOnlyTaggedPoolAddresses:
    'elastic-ip/*: an address not yet allocated has no id; the request must tag it for this pool (aws:RequestTag, aws:TagKeys)',
  TagPoolAddressesAtAllocation:
    'elastic-ip/*: tags given at allocation only (ec2:CreateAction), for this pool (aws:RequestTag, aws:TagKeys)',
  BindToLambdaEnis:
    "network-interface/*: Lambda creates and replaces Hyperplane ENIs at any time, so no id can be named; narrowed to the functions' VPCs (ec2:Vpc) when the app knows them, and every bind also needs a pool-tagged address",
};

/** Why the keepers' role has each wildcard resource, by statement id (see keeperExecutionStatements). */
const KEEPER_WILDCARDS: Readonly<Record<string, string>> = {
  DescribeForLambdaEnis:
    'Resource "*": EC2 Describe actions support no resource-level permissions; Lambda reads the ENIs and subnets of the keeper, read-only',
  ManageOwnLambdaEnis:
    "EC2 resources of the stack's account and Region: Lambda creates and deletes the keeper's Hyperplane ENIs with this role, and its guide asks for every resource id on DeleteNetworkInterface; the keeper's code makes no AWS call",
  WriteOwnLogs: "the keepers' own log group and its streams",
};

/** Acknowledges the wildcard findings of a role's inline policies, each by its statement's reason. */
function acknowledgeInlineWildcards(construct: IConstruct, reasons: Readonly<Record<string, string>>): void {
  const role = construct.node.defaultChild;
  if (!(role instanceof CfnRole)) return;
  const stack = role.stack;
  // CfnRole keeps its inline policies in the L1's own (camelCase) shape.
  const policies = (stack.resolve(role.policies) ?? []) as { policyDocument: unknown }[];
  acknowledgeNag(
    role,
    ...wildcardFindings(
      role,
      policies.flatMap((policy) => (stack.resolve(policy.policyDocument) as PolicyJson).Statement),
      (statement) => reasons[statement.Sid ?? ''],
    ),
  );
}

/**
 * Acknowledges the cdk-nag findings the construct answers for, on its own resources only: each reason says
 * why the finding is no weakness here. Anything else it creates is left for cdk-nag to report.
 */
export function acknowledgeHyperplaneEgressNag(parts: {
  readonly controllerRole: IConstruct;
  readonly provider: IConstruct;
  readonly functions: readonly IConstruct[];
}): void {
  for (const fn of parts.functions) acknowledgeRuntime(fn);
  acknowledgeInlineWildcards(parts.controllerRole, CONTROLLER_WILDCARDS);
  // aws-cdk-lib's custom-resource Provider framework: its functions, roles and waiter state machine.
  for (const construct of parts.provider.node.findAll()) {
    if (construct instanceof CfnRole) {
      acknowledgeManagedPolicies(
        construct,
        'aws-cdk-lib custom-resource Provider framework: AWSLambdaBasicExecutionRole lets its functions write their own CloudWatch logs, nothing else',
      );
    }
    if (construct instanceof CfnPolicy) {
      const document = construct.stack.resolve(construct.policyDocument) as PolicyJson;
      acknowledgeNag(
        construct,
        ...wildcardFindings(
          construct,
          document.Statement,
          () =>
            "aws-cdk-lib custom-resource Provider framework: invokes only this construct's own functions, ':*' being their versions and aliases",
        ),
      );
    }
    if (construct instanceof CfnStateMachine) {
      const why =
        "aws-cdk-lib custom-resource Provider framework: the state machine only waits between isComplete calls during a deployment and handles no data; each execution is in Step Functions' history, the handler's work in its own logs";
      acknowledgeNag(
        construct,
        { id: 'AwsSolutions-SF1', reason: why },
        { id: 'AwsSolutions-SF2', reason: why },
      );
    }
  }
}

/** A keeper's findings: its runtime, and (with `role`, once: the keepers share it) its role's wildcards. */
export function acknowledgeKeeperNag(keeper: IFunction, role?: IConstruct): void {
  acknowledgeRuntime(keeper);
  if (role) acknowledgeInlineWildcards(role, KEEPER_WILDCARDS);
}

function acknowledgeRuntime(fn: IConstruct): void {
  acknowledgeNag(fn.node.defaultChild ?? fn, {
    id: 'AwsSolutions-L1',
    reason:
      'pinned to nodejs22.x, a supported runtime and the one its pre-built handler bundle is built and tested for; moving to a newer runtime is a release of lambda-static-ip, not a synth-time default',
  });
}

interface StatementJson {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Resource?: unknown;
}
interface PolicyJson {
  readonly Statement: readonly StatementJson[];
}

function wildcardFindings(
  scope: IConstruct,
  statements: readonly StatementJson[],
  reasonFor: (statement: StatementJson) => string | undefined,
): { id: string; reason: string }[] {
  const found = new Map<string, string>();
  for (const statement of statements) {
    const reason = reasonFor(statement);
    if (statement.Effect !== 'Allow' || reason === undefined) continue;
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const resource of resources) {
      const id = wildcardResourceFinding(scope, resource);
      if (id.includes('*') && !found.has(id)) found.set(id, reason);
    }
  }
  return [...found].map(([id, reason]) => ({ id, reason }));
}

function acknowledgeManagedPolicies(role: CfnRole, reason: string): void {
  const arns = (role.stack.resolve(role.managedPolicyArns) ?? []) as unknown[];
  acknowledgeNag(role, ...arns.map((arn) => ({ id: managedPolicyFinding(role, arn), reason })));
}
