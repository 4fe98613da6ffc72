import { Stack } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { controllerStatements } from '../core/iam-policy.js';

/** What the controller's role is scoped to. */
export interface ControllerRoleOptions {
  readonly poolName: string;
  /** Whether the controller may allocate: without it, the role cannot call ec2:AllocateAddress. */
  readonly allocate: boolean;
  /** The controller's own log group, the only one it may write. */
  readonly logGroup: ILogGroup;
  /** The VPCs whose ENIs it may bind (`ec2:Vpc`); undefined for any VPC. */
  readonly vpcs?: readonly string[] | undefined;
}

/**
 * One role for both controller functions (`ControllerRole`): the shared least-privilege statements of
 * `src/core/iam-policy.ts`, in the stack's partition, Region and account, and its own logs.
 */
export function controllerRole(scope: Construct, options: ControllerRoleOptions): Role {
  const stack = Stack.of(scope);
  const statements = controllerStatements(
    {
      pool: options.poolName,
      partition: stack.partition,
      region: stack.region,
      account: stack.account,
      ...(options.vpcs === undefined ? {} : { vpcs: options.vpcs }),
    },
    // Least privilege: without `allocate` the controller never allocates, so it may not.
    { allocate: options.allocate },
  ).map((statement) => PolicyStatement.fromJson(statement));
  return new Role(scope, 'ControllerRole', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `lambda-static-ip controller of pool "${options.poolName}"`,
    inlinePolicies: {
      Controller: new PolicyDocument({
        statements: [
          ...statements,
          new PolicyStatement({
            sid: 'WriteOwnLogs',
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [options.logGroup.logGroupArn],
          }),
        ],
      }),
    },
  });
}
