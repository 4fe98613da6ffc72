import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { expect } from 'vitest';

interface Resource {
  readonly Properties: Record<string, unknown> & { readonly Name?: string };
  readonly DependsOn?: readonly string[];
}

/**
 * Asserts the ALB → Lambda half of static ingress: one Lambda target group registering the function, and
 * the invoke permission scoped to that group (`SourceArn` on its name), created before it. Returns the
 * target group's properties for further checks.
 */
export function expectScopedLambdaTarget(
  template: Template,
  stack: Stack,
  fn: IFunction,
): Record<string, unknown> {
  const functionId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
  const groups = Object.entries(
    template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Properties: { TargetType: 'lambda' },
    }),
  ) as [string, Resource][];
  expect(groups).toHaveLength(1);
  const [, group] = groups[0] as [string, Resource];
  expect(group.Properties.Targets).toEqual([{ Id: { 'Fn::GetAtt': [functionId, 'Arn'] } }]);
  const name = group.Properties.Name;
  expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]$/);

  const permissions = Object.entries(template.findResources('AWS::Lambda::Permission')) as [
    string,
    Resource,
  ][];
  // Exactly one permission for the load balancer, and it is scoped: CDK's LambdaTarget would add an unscoped one.
  const forElb = permissions.filter(
    ([, p]) => p.Properties.Principal === 'elasticloadbalancing.amazonaws.com',
  );
  expect(forElb).toHaveLength(1);
  const [permissionId, permission] = forElb[0] as [string, Resource];
  expect(permission.Properties).toEqual({
    Action: 'lambda:InvokeFunction',
    FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
    Principal: 'elasticloadbalancing.amazonaws.com',
    SourceArn: {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':elasticloadbalancing:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:targetgroup/${name}/*`,
        ],
      ],
    },
  });
  // ELB checks the permission when it registers the function, so it must exist first.
  expect(group.DependsOn).toContain(permissionId);
  return group.Properties;
}
