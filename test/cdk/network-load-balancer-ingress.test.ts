import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { type CfnEIP, type CfnSecurityGroup, type CfnSubnet, Peer, Port, Vpc } from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationLoadBalancer,
  type CfnLoadBalancer,
  ListenerCertificate,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { describe, expect, it } from 'vitest';
import { NetworkLoadBalancerIngress, StaticIpPool } from '../../src/cdk/index.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { expectCleanCfnLint, synthesize, testApp } from '../support/cfn-lint.js';
import { inboundRules, ingressFixture } from '../support/ingress-fixture.js';
import { expectScopedLambdaTarget } from '../support/lambda-target-assertions.js';
import { thrownBy } from '../support/thrown.js';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0e8f1c7a-1111-4222-8333-944445555666';

function parts(stack: Stack, poolSize = 2) {
  const pool = new StaticIpPool(stack, 'Pool', { poolName: 'webhooks', size: poolSize });
  return { ...ingressFixture(stack), pool };
}

const app = testApp();
const stack = new Stack(app, 'Nlb');
const { vpc, handler, pool } = parts(stack);
const ingress = new NetworkLoadBalancerIngress(stack, 'Ingress', {
  vpc,
  handler,
  pool,
  certificate: ListenerCertificate.fromArn(CERTIFICATE_ARN),
  http: true,
});
const peersStack = new Stack(app, 'NlbPeers');
const peersParts = parts(peersStack);
const peersIngress = new NetworkLoadBalancerIngress(peersStack, 'Ingress', {
  ...peersParts,
  httpPort: 8080,
  allowedPeers: [Peer.ipv4('203.0.113.0/24'), Peer.ipv4('198.51.100.7/32')],
});
const {
  templates: [template, peersTemplate],
  templatePaths,
} = synthesize([stack, peersStack]);

interface IngressRule {
  readonly IpProtocol: string;
  readonly FromPort: number;
  readonly ToPort: number;
  readonly CidrIp?: string;
  readonly CidrIpv6?: string;
  readonly SourcePrefixListId?: string;
  readonly SourceSecurityGroupId?: unknown;
}

/** Every ingress rule of a security group: inline, and the separate rules CDK writes for group sources. */
function ingressRules(of: Template, groupId: string): IngressRule[] {
  const group = of.findResources('AWS::EC2::SecurityGroup')[groupId] as {
    Properties: { SecurityGroupIngress?: IngressRule[] };
  };
  const separate = Object.values(of.findResources('AWS::EC2::SecurityGroupIngress'))
    .map((resource) => resource.Properties as IngressRule & { GroupId: unknown })
    .filter((rule) => JSON.stringify(rule.GroupId) === JSON.stringify({ 'Fn::GetAtt': [groupId, 'GroupId'] }))
    .map(({ GroupId: _, ...rule }) => rule);
  return [...(group.Properties.SecurityGroupIngress ?? []), ...separate];
}

function groupIds(of: Stack, ingressConstruct: NetworkLoadBalancerIngress) {
  const albGroup = ingressConstruct.loadBalancer.connections.securityGroups[0];
  return {
    alb: of.getLogicalId(albGroup?.node.defaultChild as CfnSecurityGroup),
    nlb: of.getLogicalId(ingressConstruct.securityGroup.node.defaultChild as CfnSecurityGroup),
  };
}

const eipIds = pool.addresses.map((_, index) =>
  stack.getLogicalId(pool.node.findChild(`Address${index + 1}`) as CfnEIP),
);
const albId = stack.getLogicalId(ingress.loadBalancer.node.defaultChild as CfnLoadBalancer);

describe('NetworkLoadBalancerIngress', () => {
  it('maps one pool Elastic IP to each public subnet of an internet-facing NLB', () => {
    const [subnet1, subnet2] = vpc.publicSubnets.map((subnet) =>
      stack.getLogicalId(subnet.node.defaultChild as CfnSubnet),
    );
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internet-facing',
      SubnetMappings: [
        { SubnetId: { Ref: subnet1 }, AllocationId: { 'Fn::GetAtt': [eipIds[0], 'AllocationId'] } },
        { SubnetId: { Ref: subnet2 }, AllocationId: { 'Fn::GetAtt': [eipIds[1], 'AllocationId'] } },
      ],
    });
    expect(pool.unclaimed).toBe(0);
  });

  it('keeps the IPs in the pool: tagged and retained beyond the NLB', () => {
    const eips = template.findResources('AWS::EC2::EIP');
    for (const id of eipIds) {
      expect(eips[id]).toMatchObject({
        Properties: { Domain: 'vpc', Tags: [{ Key: POOL_TAG_KEY, Value: 'webhooks' }] },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });

  it('forwards TCP on each port to an ALB-type target group holding the ALB listener', () => {
    for (const [port, healthProtocol] of [
      [80, 'HTTP'],
      [443, 'HTTPS'],
    ] as const) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        TargetType: 'alb',
        Protocol: 'TCP',
        Port: port,
        Targets: [{ Id: { Ref: albId }, Port: port }],
        HealthCheckProtocol: healthProtocol,
        HealthCheckPath: '/lambda-static-ip/health',
      });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        LoadBalancerArn: {
          Ref: stack.getLogicalId(ingress.networkLoadBalancer.node.defaultChild as CfnLoadBalancer),
        },
        Port: port,
        Protocol: 'TCP',
      });
    }
  });

  it('terminates TLS on the internal ALB with the certificate', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'application',
      Scheme: 'internal',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      LoadBalancerArn: { Ref: albId },
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
    });
  });

  it('registers the function with health checks off and a scoped invoke permission', () => {
    const group = expectScopedLambdaTarget(template, stack, handler);
    expect(group.HealthCheckEnabled).toBe(false);
  });

  it("answers the NLB's health checks on the ALB itself, so they cost no invocation", () => {
    template.resourcePropertiesCountIs(
      'AWS::ElasticLoadBalancingV2::ListenerRule',
      {
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/lambda-static-ip/health'] } }],
        Actions: [
          Match.objectLike({
            Type: 'fixed-response',
            FixedResponseConfig: Match.objectLike({ StatusCode: '200' }),
          }),
        ],
      },
      2,
    );
  });

  it('filters callers on the NLB: its group admits exactly the peers on the listener ports', () => {
    const nlbId = groupIds(stack, ingress).nlb;
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      SecurityGroups: [{ 'Fn::GetAtt': [nlbId, 'GroupId'] }],
    });
    const cidrs = (of: Template, id: string) =>
      ingressRules(of, id)
        .map((rule) => `${rule.CidrIp} tcp ${rule.FromPort}-${rule.ToPort}`)
        .sort();
    expect(cidrs(template, nlbId)).toEqual(['0.0.0.0/0 tcp 443-443', '0.0.0.0/0 tcp 80-80']);
    expect(cidrs(peersTemplate, groupIds(peersStack, peersIngress).nlb)).toEqual([
      '198.51.100.7/32 tcp 8080-8080',
      '203.0.113.0/24 tcp 8080-8080',
    ]);
  });

  it("admits only the NLB's group on the ALB, never an address range (not even the VPC's CIDR)", () => {
    for (const [of, ofStack, construct, ports] of [
      [template, stack, ingress, [80, 443]],
      [peersTemplate, peersStack, peersIngress, [8080]],
    ] as const) {
      const { alb, nlb } = groupIds(ofStack, construct);
      const rules = ingressRules(of, alb);
      expect(rules.map((rule) => rule.FromPort).sort()).toEqual([...ports].sort());
      for (const rule of rules) {
        expect(rule).toMatchObject({
          IpProtocol: 'tcp',
          SourceSecurityGroupId: { 'Fn::GetAtt': [nlb, 'GroupId'] },
        });
        expect(rule.CidrIp ?? rule.CidrIpv6 ?? rule.SourcePrefixListId).toBeUndefined();
      }
    }
  });

  it("lets the NLB's group send only to the ALB's, on the listener ports (traffic and health checks)", () => {
    const { alb, nlb } = groupIds(stack, ingress);
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
      .map(
        (resource) =>
          resource.Properties as { GroupId: unknown; DestinationSecurityGroupId: unknown; FromPort: number },
      )
      .filter((rule) => JSON.stringify(rule.GroupId) === JSON.stringify({ 'Fn::GetAtt': [nlb, 'GroupId'] }));
    expect(egress.map((rule) => rule.FromPort).sort()).toEqual([443, 80]);
    for (const rule of egress)
      expect(rule.DestinationSecurityGroupId).toEqual({ 'Fn::GetAtt': [alb, 'GroupId'] });
    // No inline allow-all rule: allowAllOutbound is off, and CloudFormation drops EC2's default rule once the
    // group has an egress rule of its own (why aws-cdk-lib removes its placeholder then, aws/aws-cdk#998).
    const inline = template.findResources('AWS::EC2::SecurityGroup')[nlb] as {
      Properties: { SecurityGroupEgress?: unknown[] };
    };
    expect(inline.Properties.SecurityGroupEgress ?? []).toEqual([]);
  });

  it("outputs the NLB's static IPs", () => {
    template.hasOutput('*', {
      Value: { 'Fn::Join': [',', eipIds.map((id) => ({ 'Fn::GetAtt': [id, 'PublicIp'] }))] },
      Description: Match.stringLikeRegexp('^NLB static IPs'),
    });
  });
});

describe('NetworkLoadBalancerIngress connections', () => {
  it('is the security group that admits allowedPeers: allowFrom admits more callers the same way', () => {
    const other = new Stack();
    const ingress = new NetworkLoadBalancerIngress(other, 'Ingress', {
      ...parts(other),
      allowedPeers: [Peer.ipv4('203.0.113.0/24')],
    });
    ingress.connections.allowFrom(Peer.ipv4('198.51.100.0/24'), Port.tcp(80), 'a second vendor');
    expect(inboundRules(other, ingress)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ cidrIp: '203.0.113.0/24', fromPort: 80, toPort: 80 }),
        expect.objectContaining({ cidrIp: '198.51.100.0/24', fromPort: 80, toPort: 80 }),
      ]),
    );
  });
});

describe('NetworkLoadBalancerIngress props validation', () => {
  it('refuses a pool with fewer addresses than NLB subnets', () => {
    const small = new Stack();
    const error = thrownBy(() => new NetworkLoadBalancerIngress(small, 'Ingress', parts(small, 1)));
    expect(error.code).toBe('PoolTooSmall');
    expect(error.message).toContain('Default/Ingress: needs 2 address(es) (one per NLB subnet)');
    expect(error.message).toContain('raise size to 2');
  });

  it('refuses a pool imported by name, whose allocation ids it cannot know', () => {
    const other = new Stack();
    const byName = StaticIpPool.fromPoolName(other, 'Imported', 'webhooks');
    const error = thrownBy(
      () => new NetworkLoadBalancerIngress(other, 'Ingress', { ...parts(other), pool: byName }),
    );
    expect(error.code).toBe('PoolAddressesUnknown');
    expect(error.message).toMatch(
      /^Default\/Ingress: needs the allocation ids of 2 address\(es\) \(one per NLB subnet\)/,
    );
  });

  it('refuses an ALB from another VPC', () => {
    const other = new Stack();
    const own = parts(other);
    const elsewhere = new Vpc(other, 'Elsewhere', { maxAzs: 2, natGateways: 0 });
    const loadBalancer = new ApplicationLoadBalancer(other, 'Alb', { vpc: elsewhere });
    const error = thrownBy(() => new NetworkLoadBalancerIngress(other, 'Ingress', { ...own, loadBalancer }));
    expect(error.code).toBe('ContradictoryIngressProps');
    expect(error.message).toContain('an NLB can only target an ALB in its own VPC');
  });

  it('refuses a health check path that is not a path', () => {
    const other = new Stack();
    const error = thrownBy(
      () => new NetworkLoadBalancerIngress(other, 'Ingress', { ...parts(other), healthCheckPath: 'health' }),
    );
    expect(error.code).toBe('InvalidHealthCheckPath');
    expect(error.message).toMatch(/^Default\/Ingress: healthCheckPath health must start with '\/'/);
  });
});

describe('NetworkLoadBalancerIngress templates', () => {
  it('pass cfn-lint', () => {
    expectCleanCfnLint(templatePaths);
  });
});
