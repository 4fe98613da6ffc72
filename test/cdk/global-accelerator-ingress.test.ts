import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  CfnInternetGateway,
  CfnVPCGatewayAttachment,
  Peer,
  Port,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationLoadBalancer,
  type CfnLoadBalancer,
  type IListenerCertificate,
  ListenerCertificate,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { type CfnAccelerator, ClientAffinity } from 'aws-cdk-lib/aws-globalaccelerator';
import { describe, expect, it } from 'vitest';
import { GlobalAcceleratorIngress, type GlobalAcceleratorIngressProps } from '../../src/cdk/index.js';
import { expectCleanCfnLint, synthesize, testApp } from '../support/cfn-lint.js';
import { inboundRules, ingressFixture } from '../support/ingress-fixture.js';
import { expectScopedLambdaTarget } from '../support/lambda-target-assertions.js';
import { thrownBy } from '../support/thrown.js';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0e8f1c7a-1111-4222-8333-944445555666';

const app = testApp();
const basicStack = new Stack(app, 'Basic');
const basic = ingressFixture(basicStack);
const basicIngress = new GlobalAcceleratorIngress(basicStack, 'Ingress', basic);

const fullStack = new Stack(app, 'Full');
const full = ingressFixture(fullStack);
new GlobalAcceleratorIngress(fullStack, 'Ingress', {
  ...full,
  internetFacing: true,
  certificate: ListenerCertificate.fromArn(CERTIFICATE_ARN),
  http: true,
  httpPort: 8080,
  httpsPort: 8443,
  multiValueHeaders: true,
  healthCheck: { path: '/health' },
  allowedPeers: [Peer.ipv4('203.0.113.0/24')],
  clientAffinity: ClientAffinity.SOURCE_IP,
});

const byoStack = new Stack(app, 'BringYourOwnAlb');
const byo = ingressFixture(byoStack);
const ownAlb = new ApplicationLoadBalancer(byoStack, 'OwnAlb', { vpc: byo.vpc });
const byoIngress = new GlobalAcceleratorIngress(byoStack, 'Ingress', {
  handler: byo.handler,
  loadBalancer: ownAlb,
  clientIpPreservation: false,
});

const {
  templates: [basicTemplate, fullTemplate, byoTemplate],
  templatePaths,
} = synthesize([basicStack, fullStack, byoStack]);

describe('GlobalAcceleratorIngress connections', () => {
  it("is the ALB's security group, which filters callers: allowFrom admits more, as allowedPeers does", () => {
    const stack = new Stack();
    const ingress = new GlobalAcceleratorIngress(stack, 'Ingress', {
      ...ingressFixture(stack),
      allowedPeers: [Peer.ipv4('203.0.113.0/24')],
    });
    ingress.connections.allowFrom(Peer.ipv4('198.51.100.0/24'), Port.tcp(80), 'a second vendor');
    expect(ingress.connections.securityGroups).toEqual(ingress.loadBalancer.connections.securityGroups);
    expect(inboundRules(stack, ingress)).toEqual([
      expect.objectContaining({ cidrIp: '203.0.113.0/24', fromPort: 80, toPort: 80 }),
      expect.objectContaining({ cidrIp: '198.51.100.0/24', fromPort: 80, toPort: 80 }),
    ]);
    // With your own ALB, its security group.
    expect(byoIngress.connections).toBe(ownAlb.connections);
  });
});

describe('GlobalAcceleratorIngress by default', () => {
  it('creates an accelerator with a TCP listener on port 80', () => {
    basicTemplate.resourceCountIs('AWS::GlobalAccelerator::Accelerator', 1);
    basicTemplate.hasResourceProperties('AWS::GlobalAccelerator::Accelerator', { Enabled: true });
    basicTemplate.hasResourceProperties('AWS::GlobalAccelerator::Listener', {
      Protocol: 'TCP',
      PortRanges: [{ FromPort: 80, ToPort: 80 }],
      ClientAffinity: 'NONE',
    });
  });

  it("points an endpoint group in the stack's Region at the ALB, preserving client IPs", () => {
    const albId = basicStack.getLogicalId(basicIngress.loadBalancer.node.defaultChild as CfnLoadBalancer);
    basicTemplate.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
      EndpointGroupRegion: { Ref: 'AWS::Region' },
      EndpointConfigurations: [{ EndpointId: { Ref: albId }, ClientIPPreservationEnabled: true }],
    });
  });

  it('creates an internal ALB with an HTTP listener forwarding to the Lambda target group', () => {
    basicTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'application',
      Scheme: 'internal',
    });
    basicTemplate.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    basicTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('LambdaTargets') } }],
    });
  });

  it('registers the function with health checks off and the invoke permission scoped to the target group', () => {
    const group = expectScopedLambdaTarget(basicTemplate, basicStack, basic.handler);
    expect(group.HealthCheckEnabled).toBe(false);
    expect(group.TargetGroupAttributes).toBeUndefined();
  });

  it('opens the listener port to any IPv4 client, since client IPs are preserved', () => {
    basicTemplate.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 })],
    });
  });

  it('outputs the static IPs and the DNS name', () => {
    const acceleratorId = basicStack.getLogicalId(
      basicIngress.accelerator.node.defaultChild as CfnAccelerator,
    );
    basicTemplate.hasOutput('*', {
      Value: { 'Fn::Join': [',', { 'Fn::GetAtt': [acceleratorId, 'Ipv4Addresses'] }] },
    });
    basicTemplate.hasOutput('*', { Value: { 'Fn::GetAtt': [acceleratorId, 'DnsName'] } });
    expect(basicIngress.staticIps).toBeDefined();
  });
});

describe('GlobalAcceleratorIngress with every option', () => {
  it('listens on both configured ports at the edge', () => {
    fullTemplate.hasResourceProperties('AWS::GlobalAccelerator::Listener', {
      PortRanges: [
        { FromPort: 8080, ToPort: 8080 },
        { FromPort: 8443, ToPort: 8443 },
      ],
      ClientAffinity: 'SOURCE_IP',
    });
  });

  it('serves HTTPS with the certificate, terminating TLS on an internet-facing ALB', () => {
    fullTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
    });
    fullTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      SslPolicy: Match.stringLikeRegexp('^ELBSecurityPolicy-TLS13'),
    });
    fullTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8080,
      Protocol: 'HTTP',
    });
  });

  it('turns on health checks and multi-value headers when asked', () => {
    const group = expectScopedLambdaTarget(fullTemplate, fullStack, full.handler);
    expect(group).toMatchObject({
      HealthCheckEnabled: true,
      HealthCheckPath: '/health',
      TargetGroupAttributes: [{ Key: 'lambda.multi_value_headers.enabled', Value: 'true' }],
    });
  });

  it('admits only the allowed peers, on both ports', () => {
    fullTemplate.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '203.0.113.0/24', FromPort: 8080 }),
        Match.objectLike({ CidrIp: '203.0.113.0/24', FromPort: 8443 }),
      ],
    });
  });
});

describe('GlobalAcceleratorIngress with your own ALB', () => {
  it('adds its listener to that ALB and creates none', () => {
    byoTemplate.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    const albId = byoStack.getLogicalId(ownAlb.node.defaultChild as CfnLoadBalancer);
    byoTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      LoadBalancerArn: { Ref: albId },
      Port: 80,
    });
    byoTemplate.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
      EndpointConfigurations: [{ EndpointId: { Ref: albId }, ClientIPPreservationEnabled: false }],
    });
    expectScopedLambdaTarget(byoTemplate, byoStack, byo.handler);
  });
});

describe('GlobalAcceleratorIngress props validation', () => {
  const certificate: IListenerCertificate = ListenerCertificate.fromArn(CERTIFICATE_ARN);
  const cases: [string, Partial<GlobalAcceleratorIngressProps>, string, string][] = [
    [
      'allowedPeers without client IP preservation',
      { clientIpPreservation: false, allowedPeers: [Peer.ipv4('198.51.100.0/24')] },
      'ContradictoryIngressProps',
      'turn clientIpPreservation on or drop allowedPeers',
    ],
    ['no listener at all', { http: false }, 'NoListener', 'pass certificate for HTTPS, or leave http on'],
    ['httpsPort without a certificate', { httpsPort: 8443 }, 'ContradictoryIngressProps', 'httpsPort 8443'],
    [
      'httpPort with HTTP off',
      { certificate, httpPort: 8080 },
      'ContradictoryIngressProps',
      'httpPort 8080 was given but http is off (the default with a certificate)',
    ],
    [
      'one port for both protocols',
      { certificate, http: true, httpPort: 443 },
      'ContradictoryIngressProps',
      'httpPort and httpsPort are both 443',
    ],
    ['an out-of-range port', { httpPort: 70000 }, 'InvalidPort', 'httpPort 70000 is invalid'],
    ['neither vpc nor loadBalancer', { vpc: undefined }, 'MissingVpc', 'pass vpc to have an ALB created'],
  ];

  it.each(cases)('rejects %s at synth time, naming the construct path', (_, overrides, code, text) => {
    const stack = new Stack();
    const error = thrownBy(
      () => new GlobalAcceleratorIngress(stack, 'Ingress', { ...ingressFixture(stack), ...overrides }),
    );
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^Default\/Ingress: /);
    expect(error.message).toContain(text);
  });

  it('rejects ALB placement props next to your own ALB', () => {
    const stack = new Stack();
    const { vpc, handler } = ingressFixture(stack);
    const loadBalancer = new ApplicationLoadBalancer(stack, 'Own', { vpc });
    const error = thrownBy(
      () => new GlobalAcceleratorIngress(stack, 'Ingress', { handler, loadBalancer, internetFacing: true }),
    );
    expect(error.code).toBe('ContradictoryIngressProps');
    expect(error.message).toContain('internetFacing describes the ALB this construct creates');
  });
});

describe('GlobalAcceleratorIngress and the internet gateway it needs', () => {
  const imported = (stack: Stack) =>
    Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    });
  // Read from the construct's own metadata, where Annotations puts them: no synthesis needed.
  const warnings = (construct: GlobalAcceleratorIngress) =>
    construct.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:warning')
      .map((entry) => `${construct.node.path} ${String(entry.data)}`);

  it('refuses a VPC the app builds without one (NoInternetGateway), naming the VPC and the fix', () => {
    const stack = new Stack();
    const vpc = new Vpc(stack, 'Isolated', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'internal', subnetType: SubnetType.PRIVATE_ISOLATED }],
    });
    const error = thrownBy(
      () => new GlobalAcceleratorIngress(stack, 'Ingress', { ...ingressFixture(stack), vpc }),
    );
    expect(error.code).toBe('NoInternetGateway');
    expect(error.message).toMatch(/^Default\/Ingress: VPC Default\/Isolated has no internet gateway/);
    expect(error.message).toContain('give the VPC a public subnet');
  });

  it('warns, with an id, when the VPC is imported and so cannot be checked', () => {
    const stack = new Stack();
    const ingress = new GlobalAcceleratorIngress(stack, 'Ingress', {
      handler: ingressFixture(stack).handler,
      vpc: imported(stack),
    });
    expect(warnings(ingress)).toEqual([
      expect.stringMatching(
        /^Default\/Ingress VPC Default\/Imported is imported, so it cannot tell whether an internet gateway is attached.*\[ack: lambda-static-ip:internetGatewayUnknown\]$/,
      ),
    ]);
  });

  it('warns when an imported load balancer hides its VPC', () => {
    const stack = new Stack();
    const loadBalancer = ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Theirs', {
      loadBalancerArn:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/theirs/0123456789abcdef',
      securityGroupId: 'sg-0123456789abcdef0',
    });
    const ingress = new GlobalAcceleratorIngress(stack, 'Ingress', {
      handler: ingressFixture(stack).handler,
      loadBalancer,
    });
    expect(warnings(ingress)).toEqual([
      expect.stringContaining('the VPC of the imported load balancer is unknown'),
    ]);
  });

  it('is satisfied by a gateway the app attaches to an imported VPC, and by a built VPC with one', () => {
    const stack = new Stack();
    const vpc = imported(stack);
    const gateway = new CfnInternetGateway(stack, 'Gateway');
    new CfnVPCGatewayAttachment(stack, 'Attachment', { vpcId: vpc.vpcId, internetGatewayId: gateway.ref });
    const ingress = new GlobalAcceleratorIngress(stack, 'Ingress', {
      handler: ingressFixture(stack).handler,
      vpc,
    });
    expect(warnings(ingress)).toEqual([]);
    expect(warnings(basicIngress)).toEqual([]);
  });
});

describe('GlobalAcceleratorIngress templates', () => {
  it('pass cfn-lint', () => {
    expectCleanCfnLint(templatePaths);
  });
});
