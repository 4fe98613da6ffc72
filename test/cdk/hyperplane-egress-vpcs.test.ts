import { Stack } from 'aws-cdk-lib';
import { SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { HyperplaneEgress, type HyperplaneEgressProps, StaticIpPool } from '../../src/cdk/index.js';
import { thrownBy } from '../support/thrown.js';

/** A function in the public subnets of a VPC of its own, and a pool big enough for it. */
function world() {
  const stack = new Stack();
  const vpc = new Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC }],
  });
  const other = new Vpc(stack, 'Other', { maxAzs: 1, natGateways: 0 });
  const fn = new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({});'),
    vpc,
    vpcSubnets: { subnetType: SubnetType.PUBLIC },
    securityGroups: [new SecurityGroup(stack, 'Group', { vpc })],
    allowPublicSubnet: true,
  });
  const pool = new StaticIpPool(stack, 'Pool', { poolName: 'p', size: 6 });
  return { stack, vpc, other, fn, pool };
}

/** The ec2:Vpc values of the controller's ENI statement, resolved; undefined when it has none. */
function enisInVpcs(egress: HyperplaneEgress): unknown {
  const role = egress.node.findChild('ControllerRole').node.defaultChild as CfnRole;
  const policies = Stack.of(role).resolve(role.policies) as { policyDocument: unknown }[];
  const statements = policies.flatMap(
    (policy) =>
      (Stack.of(role).resolve(policy.policyDocument) as { Statement: { Sid: string; Condition?: unknown }[] })
        .Statement,
  );
  const enis = statements.find((statement) => statement.Sid === 'BindToLambdaEnis');
  expect(enis).toBeDefined();
  return (enis?.Condition as { ArnLike?: Record<string, unknown> } | undefined)?.ArnLike?.['ec2:Vpc'];
}

const vpcArn = (logicalId: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ec2:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':vpc/',
      { Ref: logicalId },
    ],
  ],
});

describe("HyperplaneEgress narrows the controller's ENI grant to the functions' VPCs", () => {
  it('by default, to the VPCs of its functions when the app knows them', () => {
    const { stack, vpc, fn, pool } = world();
    const egress = new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn] });
    expect(enisInVpcs(egress)).toEqual([vpcArn(stack.getLogicalId(vpc.node.defaultChild as never))]);
  });

  it('to the VPCs named in vpcs, which may add others', () => {
    const { stack, vpc, other, fn, pool } = world();
    const egress = new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn], vpcs: [vpc, other] });
    expect(enisInVpcs(egress)).toEqual(
      [vpc, other].map((each) => vpcArn(stack.getLogicalId(each.node.defaultChild as never))),
    );
  });

  it('not at all when a function is imported: any VPC, the pool tag on the address being the limit', () => {
    const { stack, fn, pool } = world();
    const imported = LambdaFunction.fromFunctionArn(
      stack,
      'Imported',
      'arn:aws:lambda:us-east-1:123456789012:function:elsewhere',
    );
    const egress = new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn, imported] });
    expect(enisInVpcs(egress)).toBeUndefined();
  });

  it('refuses addFunction of a function outside the VPCs the role was narrowed to, and accepts one inside', () => {
    const { stack, vpc, other, fn, pool } = world();
    const egress = new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn] });
    const inVpc = (id: string, where: Vpc) =>
      new LambdaFunction(stack, id, {
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: Code.fromInline('exports.handler = async () => ({});'),
        vpc: where,
        vpcSubnets: { subnetType: SubnetType.PUBLIC },
        securityGroups: [new SecurityGroup(stack, `${id}Group`, { vpc: where })],
        allowPublicSubnet: true,
      });
    egress.addFunction(inVpc('Same', vpc));
    expect(enisInVpcs(egress)).toEqual([vpcArn(stack.getLogicalId(vpc.node.defaultChild as never))]);
    const error = thrownBy(() => egress.addFunction(inVpc('Elsewhere', other)));
    expect(error.code).toBe('FunctionOutsideVpcs');
    expect(error.message).toMatch(/^Default\/Egress: function Default\/Elsewhere, added after construction/);
  });

  it.each<[string, (w: ReturnType<typeof world>) => Partial<HyperplaneEgressProps>, string, RegExp]>([
    [
      'an empty vpcs',
      () => ({ vpcs: [] }),
      'InvalidVpcs',
      /vpcs is empty, so the controller could bind no ENI at all/,
    ],
    [
      'vpcs that leave out a function',
      ({ other }) => ({ vpcs: [other] }),
      'FunctionOutsideVpcs',
      /function Default\/Fn \(subnet Default\/Vpc\/publicSubnet1\) is in a VPC that vpcs leaves out.*add that VPC to vpcs/,
    ],
  ])('refuses %s at synth, naming the construct path', (_, props, code, message) => {
    const w = world();
    const error = thrownBy(
      () => new HyperplaneEgress(w.stack, 'Egress', { pool: w.pool, functions: [w.fn], ...props(w) }),
    );
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^Default\/Egress: /);
    expect(error.message).toMatch(message);
  });
});
