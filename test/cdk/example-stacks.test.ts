import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DualStackEgressStack } from '../../examples/stacks/dual-stack-egress-stack.js';
import { NatInstanceStack } from '../../examples/stacks/nat-instance-stack.js';

/** Template tests of the example stacks that combine constructs (cfn-lint runs on all of them in example-app.test.ts). */

const app = new App();
const dualStack = new DualStackEgressStack(app, 'Dual');
const natInstanceStack = new NatInstanceStack(app, 'NatInstances');
const dual = Template.fromStack(dualStack);
const natInstances = Template.fromStack(natInstanceStack);

type Resources = Record<string, { Properties: Record<string, unknown>; DeletionPolicy?: string }>;

describe('the dual-stack example', () => {
  it('gives one function both allow-lists: pool IPs through HyperplaneEgress, its subnets’ /64s through the internet gateway', () => {
    dual.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: Match.objectLike({ Ipv6AllowedForDualStack: true }),
    });
    dual.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIpv6: '::/0', IpProtocol: '-1' })]),
    });
    const igw = Object.keys(dual.findResources('AWS::EC2::InternetGateway'));
    const ipv6Routes = dual.findResources('AWS::EC2::Route', {
      Properties: { DestinationIpv6CidrBlock: '::/0', GatewayId: { Ref: igw[0] } },
    });
    expect(Object.keys(ipv6Routes)).toHaveLength(2);
    dual.resourceCountIs('AWS::EC2::EIP', 3);
    dual.hasOutput('*', { Description: Match.stringLikeRegexp('IPv6 egress'), Value: Match.anyValue() });
    dual.hasOutput('*', { Description: Match.stringLikeRegexp('the public IPs to allow-list') });
  });
});

describe('the NAT-instance example', () => {
  const eips = Object.keys(natInstances.findResources('AWS::EC2::EIP'));
  const templates = natInstances.findResources('AWS::EC2::LaunchTemplate') as Resources;

  it('runs one fck-nat instance per zone, each taking one of the pool’s addresses, retained on deletion', () => {
    natInstances.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 2);
    natInstances.allResourcesProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '1' });
    const taken = Object.values(templates).map(
      (template) =>
        JSON.stringify(template.Properties).match(
          /eip_id=","?\{"Fn::GetAtt":\["(\w+)","AllocationId"\]/,
        )?.[1],
    );
    expect(taken.sort()).toEqual([...eips].sort());
    for (const eip of eips) {
      expect((natInstances.toJSON().Resources as Resources)[eip]?.DeletionPolicy).toBe('Retain');
    }
    natInstances.hasParameter('FckNatAmiId', { Type: 'AWS::EC2::Image::Id' });
    natInstances.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ InstanceType: 't4g.nano', ImageId: { Ref: 'FckNatAmiId' } }),
    });
  });

  it('routes the private subnets to the instances’ ENIs and lets the VPC through their security group', () => {
    const enis = Object.keys(natInstances.findResources('AWS::EC2::NetworkInterface'));
    expect(enis).toHaveLength(2);
    const routes = natInstances.findResources('AWS::EC2::Route', {
      Properties: { DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: Match.anyValue() },
    }) as Resources;
    expect(
      Object.values(routes)
        .map((route) => (route.Properties.NetworkInterfaceId as { Ref: string }).Ref)
        .sort(),
    ).toEqual([...enis].sort());
    natInstances.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Security Group for NAT instances',
      SecurityGroupIngress: [
        Match.objectLike({ IpProtocol: '-1', CidrIp: { 'Fn::GetAtt': [Match.anyValue(), 'CidrBlock'] } }),
      ],
    });
  });

  it('denies the instances’ role every address but their own', () => {
    natInstances.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Deny',
            Action: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'],
            NotResource: [
              ...[...eips].sort().map((eip) => ({
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ec2:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':elastic-ip/',
                    { 'Fn::GetAtt': [eip, 'AllocationId'] },
                  ],
                ],
              })),
              Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':network-interface/*'])] }),
              Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':instance/*'])] }),
            ],
          },
        ]),
      },
    });
  });
});
