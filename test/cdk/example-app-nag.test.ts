import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildExampleApp } from '../../examples/example-app.js';

// Built once, in this process, not synthesised: cdk-nag reads the construct tree.
const app = new App();
buildExampleApp(app);
const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);

describe('the example app under cdk-nag (AwsSolutions)', () => {
  it('has no unacknowledged finding, error or warning, in any stack', () => {
    expect(stacks.length).toBe(6);
    const report = new AwsSolutionsChecks().validateScope(app);
    const open = report.violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`,
      ),
    );
    expect(open).toEqual([]);
  });

  it('acknowledges on the resources that cause a finding, never on a stack or the app, each with a reason', () => {
    // cdk-nag's rules only: the app also acknowledges a cfn-lint warning of its own elsewhere.
    const acknowledged = app.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) =>
            Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
              construct,
              id: id.replace(/^annotation::/i, ''),
              reason,
            })),
          ),
      )
      .filter(({ id }) => id.startsWith('AwsSolutions-'));
    expect(acknowledged.length).toBeGreaterThan(20);
    for (const { construct, id, reason } of acknowledged) {
      expect(construct instanceof Stack || construct === app, `${id} at ${construct.node.path}`).toBe(false);
      expect(reason.length, id).toBeGreaterThan(60);
    }
    const at = (path: string) =>
      acknowledged.filter(({ construct }) => construct.node.path === path).map(({ id }) => id);
    // The controller answers for each wildcard of its role by name, not for the rule as a whole.
    expect(at('LsiHyperplaneEgressStack/Egress/ControllerRole/Resource').sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:elastic-ip/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:*]',
    ]);
  });
});
