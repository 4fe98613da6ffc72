import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { IpProtocol, Peer, Port, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Code, type FunctionProps, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { DualStackEgress, NatGatewayEgress, StaticIpPool } from '../../src/cdk/index.js';
import { expectCleanCfnLint, synthesize, testApp } from '../support/cfn-lint.js';
import { thrownBy } from '../support/thrown.js';

function vpc(stack: Stack, subnetType: SubnetType, ipProtocol = IpProtocol.DUAL_STACK): Vpc {
  return new Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    ipProtocol,
    subnetConfiguration: [
      { name: 'public', subnetType: SubnetType.PUBLIC },
      ...(subnetType === SubnetType.PUBLIC ? [] : [{ name: 'app', subnetType }]),
    ],
  });
}

function fn(stack: Stack, id: string, placedIn: Vpc | undefined, props: Partial<FunctionProps> = {}) {
  return new LambdaFunction(stack, id, {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => 1;'),
    ...(placedIn ? { vpc: placedIn, allowAllIpv6Outbound: true } : {}),
    ...props,
  });
}

/** The value of the construct's Ipv6Cidrs output. */
function cidrsOutput(template: ReturnType<typeof synthesize>['templates'][0]): unknown {
  const outputs = template.findOutputs('*', { Description: Match.stringLikeRegexp('IPv6 egress') });
  return (Object.values(outputs)[0] as { Value?: unknown } | undefined)?.Value;
}

const app = testApp();
// IPv6 next to NAT gateways: private subnets, whose ::/0 goes to the VPC's own egress-only gateway.
const privateStack = new Stack(app, 'Private');
const privateVpc = vpc(privateStack, SubnetType.PRIVATE_WITH_EGRESS);
const api = fn(privateStack, 'Api', privateVpc);
new NatGatewayEgress(privateStack, 'Nat', {
  vpc: privateVpc,
  pool: new StaticIpPool(privateStack, 'Pool', { poolName: 'dual', size: 2 }),
});
const privateEgress = new DualStackEgress(privateStack, 'Ipv6', { vpc: privateVpc, functions: [api] });
// Isolated subnets have no ::/0 route: the construct adds them, to the VPC's egress-only gateway.
const isolatedStack = new Stack(app, 'Isolated');
const isolatedVpc = vpc(isolatedStack, SubnetType.PRIVATE_ISOLATED);
const group = new SecurityGroup(isolatedStack, 'Group', { vpc: isolatedVpc, allowAllOutbound: false });
group.addEgressRule(Peer.ipv6('2001:db8::/32'), Port.tcp(443), 'the vendor only');
const worker = fn(isolatedStack, 'Worker', isolatedVpc, {
  securityGroups: [group],
  allowAllIpv6Outbound: undefined,
});
new DualStackEgress(isolatedStack, 'Ipv6', { vpc: isolatedVpc, functions: [worker.currentVersion] });

const {
  templates: [privateTemplate, isolatedTemplate],
  templatePaths,
} = synthesize([privateStack, isolatedStack]);

describe('DualStackEgress', () => {
  it('allows IPv6 on the function and outputs its subnets’ /64s, adding no route where CDK’s dual-stack VPC has one', () => {
    privateTemplate.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: Match.objectLike({ Ipv6AllowedForDualStack: true }),
    });
    // CDK's own: 2 public ::/0 to the internet gateway, 2 private ::/0 to its egress-only gateway.
    privateTemplate.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 1);
    expect(
      Object.keys(
        privateTemplate.findResources('AWS::EC2::Route', {
          Properties: { DestinationIpv6CidrBlock: '::/0' },
        }),
      ),
    ).toHaveLength(4);
    expect(privateEgress.egressOnlyInternetGatewayId).toBeUndefined();
    const privateSubnets = privateVpc.privateSubnets.map((subnet) =>
      privateStack.getLogicalId(subnet.node.defaultChild as never),
    );
    expect(cidrsOutput(privateTemplate)).toEqual({
      'Fn::Join': [
        ',',
        privateSubnets.map((id) => ({ 'Fn::Select': [0, { 'Fn::GetAtt': [id, 'Ipv6CidrBlocks'] }] })),
      ],
    });
    expect(privateEgress.ipv6Cidrs).toHaveLength(2);
  });

  it('routes isolated subnets’ ::/0 to the VPC’s egress-only gateway, once per route table, and accepts a narrow IPv6 rule', () => {
    isolatedTemplate.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 1);
    const gateway = Object.keys(isolatedTemplate.findResources('AWS::EC2::EgressOnlyInternetGateway'))[0];
    const routes = isolatedTemplate.findResources('AWS::EC2::Route', {
      Properties: { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: { Ref: gateway } },
    });
    const tables = isolatedVpc.isolatedSubnets.map((subnet) => subnet.routeTable.routeTableId);
    expect(
      Object.values(routes).map((route) => isolatedStack.resolve(route.Properties.RouteTableId)),
    ).toEqual(tables.map((table) => isolatedStack.resolve(table)));
    isolatedTemplate.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: Match.objectLike({ Ipv6AllowedForDualStack: true }),
    });
  });

  it('passes cfn-lint', () => {
    expectCleanCfnLint(templatePaths);
  });

  it('refuses an IPv4-only subnet, a function outside any VPC, and an empty list', () => {
    const stack = new Stack(new App(), 'Bad');
    const ipv4 = vpc(stack, SubnetType.PRIVATE_WITH_EGRESS, IpProtocol.IPV4_ONLY);
    const placed = fn(stack, 'Placed', ipv4, { allowAllIpv6Outbound: undefined });
    const notDual = thrownBy(() => new DualStackEgress(stack, 'A', { vpc: ipv4, functions: [placed] }));
    expect(notDual.code).toBe('SubnetNotDualStack');
    expect(notDual.message).toMatch(
      /^Bad\/A: subnet Bad\/Vpc\/appSubnet1 has no IPv6 block.*IpProtocol\.DUAL_STACK/,
    );
    const loose = fn(stack, 'Loose', undefined);
    expect(thrownBy(() => new DualStackEgress(stack, 'B', { vpc: ipv4, functions: [loose] })).code).toBe(
      'FunctionNotInVpc',
    );
    expect(thrownBy(() => new DualStackEgress(stack, 'C', { vpc: ipv4, functions: [] })).code).toBe(
      'NoFunctions',
    );
  });

  it('fails synth when a function’s security groups let no IPv6 out, naming them and the fix', () => {
    const stack = new Stack(new App(), 'Closed');
    const dual = vpc(stack, SubnetType.PRIVATE_WITH_EGRESS);
    const closed = fn(stack, 'Closed', dual, { allowAllIpv6Outbound: false });
    new DualStackEgress(stack, 'Ipv6', { vpc: dual, functions: [closed] });
    expect(() => (stack.node.root as App).synth()).toThrow(
      /Ipv6EgressBlocked: Closed\/Closed's security group\(s\) Closed\/Closed\/SecurityGroup allow no outbound IPv6.*allowAllIpv6Outbound: true/,
    );
  });
});
