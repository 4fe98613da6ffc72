import type { CheckedStatement } from './service-authorization.js';

/** A resource of a synthesised template, as far as its IAM statements go. */
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

interface StatementJson {
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/**
 * The IAM statements a template grants (identity policies, trust policies, Lambda invoke permissions),
 * each with its resources resolved to plain ARNs, named by where they are.
 */
export function templateStatements(
  stackName: string,
  resources: Record<string, CfnResourceJson>,
): { readonly where: string; readonly statement: CheckedStatement }[] {
  const resolve = resolver(resources);
  return Object.entries(resources).flatMap(([logicalId, resource]) =>
    statementsOf(resource).map((statement, index) => ({
      where: `${stackName}/${logicalId} statement ${index + 1}`,
      statement: {
        ...(statement.Action === undefined ? {} : { Action: statement.Action }),
        ...(statement.Resource === undefined
          ? {}
          : { Resource: [statement.Resource].flat().map((value) => resolve(value)) }),
        ...(statement.Condition === undefined ? {} : { Condition: statement.Condition }),
      },
    })),
  );
}

/** The IAM statements a resource grants: identity policies, trust policies, a Lambda invoke permission. */
function statementsOf(resource: CfnResourceJson): StatementJson[] {
  const properties = resource.Properties ?? {};
  const documents = (...values: unknown[]) =>
    values.flatMap((value) => (value as { Statement?: StatementJson[] } | undefined)?.Statement ?? []);
  switch (resource.Type) {
    case 'AWS::IAM::Role':
      return [
        ...documents(properties.AssumeRolePolicyDocument),
        ...documents(
          ...((properties.Policies ?? []) as { PolicyDocument: unknown }[]).map((p) => p.PolicyDocument),
        ),
      ].map(({ Action, Resource, Condition }) => ({
        ...(Action === undefined ? {} : { Action }),
        ...(Resource === undefined ? {} : { Resource }),
        ...(Condition === undefined ? {} : { Condition }),
      }));
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return documents(properties.PolicyDocument);
    case 'AWS::Lambda::Permission':
      return [{ Action: properties.Action as string }];
    default:
      return [];
  }
}

/**
 * Resolves the intrinsics IAM resources use into the ARN they stand for, in us-east-1 of account
 * 123456789012, by the resource type a reference points at. An intrinsic it does not know fails the test,
 * so that a new kind of grant is looked at rather than waved through.
 */
function resolver(resources: Record<string, CfnResourceJson>): (value: unknown) => string {
  const ARN: Record<string, (id: string) => string> = {
    'AWS::Lambda::Function': (id) => `arn:aws:lambda:us-east-1:123456789012:function:${id}`,
    'AWS::Logs::LogGroup': (id) => `arn:aws:logs:us-east-1:123456789012:log-group:${id}:*`,
    'AWS::StepFunctions::StateMachine': (id) => `arn:aws:states:us-east-1:123456789012:stateMachine:${id}`,
    'AWS::EC2::VPC': (id) => `vpc-${id}`,
  };
  const PSEUDO: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': 'us-east-1',
    'AWS::AccountId': '123456789012',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const arnOf = (id: string): string => {
    const type = resources[id]?.Type ?? '';
    const arn = ARN[type];
    if (arn === undefined) throw new Error(`no ARN known for ${id} (${type}): extend the test's resolver`);
    return arn(id);
  };
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(delimiter);
    }
    if (Array.isArray(node['Fn::GetAtt']) && (node['Fn::GetAtt'] as string[])[1] === 'Arn') {
      return arnOf((node['Fn::GetAtt'] as string[])[0] as string);
    }
    if (typeof node.Ref === 'string') return PSEUDO[node.Ref] ?? arnOf(node.Ref);
    throw new Error(`cannot resolve ${JSON.stringify(value)}: extend the test's resolver`);
  };
  return resolve;
}
