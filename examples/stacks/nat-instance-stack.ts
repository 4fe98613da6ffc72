import { ArnFormat, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import {
  type IMachineImage,
  InstanceClass,
  InstanceSize,
  InstanceType,
  OperatingSystemType,
  Peer,
  Port,
  SubnetType,
  UserData,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FckNatInstanceProvider } from 'cdk-fck-nat';
import { Construct } from 'constructs';
import { StaticIpPool } from '../../src/cdk/index.js';
import { acknowledgeDemoVpc, egressCheckFunction } from './demo-function.js';
import { acknowledge } from './nag-acknowledge.js';

/**
 * A function in private subnets whose egress leaves through NAT instances (fck-nat, one per zone, each in an
 * Auto Scaling group of one) holding the pool's IPs: the cheapest NAT, at the price of minutes without egress in
 * a zone when its instance is replaced (docs/nat-instance.md).
 */
export class NatInstanceStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'lambda-static-ip example: static egress through NAT instances (fck-nat) on pool IPs',
      ...props,
    });
    // Retained on stack deletion (the default): release them yourself when done with the example.
    const pool = new StaticIpPool(this, 'Pool', { poolName: 'example-nat-instance', size: 2 });
    // Claimed like a NAT gateway's, so that a HyperplaneEgress on the same pool reserves them for the instances.
    const addresses = pool.claim(new Construct(this, 'NatInstanceAddresses'), 2, 'one per NAT instance');

    // The AMI is looked up by the provider when the stack has an account and Region; this env-agnostic example
    // takes it as a parameter instead: the newest `fck-nat-al2023-*-arm64-ebs` of owner 568608671756.
    const ami = new CfnParameter(this, 'FckNatAmiId', {
      type: 'AWS::EC2::Image::Id',
      description:
        'fck-nat arm64 AMI of this Region: aws ec2 describe-images --owners 568608671756 --filters Name=name,Values=fck-nat-al2023-*-arm64-ebs',
    });
    const machineImage: IMachineImage = {
      getImage: () => ({
        imageId: ami.valueAsString,
        osType: OperatingSystemType.LINUX,
        userData: UserData.forLinux(),
      }),
    };
    const natGatewayProvider = new FckNatInstanceProvider({
      instanceType: InstanceType.of(InstanceClass.T4G, InstanceSize.NANO),
      machineImage,
      // Popped from the end: the last id goes to the first zone. The allow-list is the same either way.
      eipPool: addresses.map((address) => address.allocationId),
    });
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 2,
      natGatewayProvider,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
    });
    acknowledgeDemoVpc(vpc);
    // The instances forward what the VPC sends them (fck-nat's own advice).
    natGatewayProvider.securityGroup.addIngressRule(Peer.ipv4(vpc.vpcCidrBlock), Port.allTraffic());
    // fck-nat's boot script takes its address with AllowReassociation, and its role may associate any address:
    // keep it to the two it was given, so that a mistake cannot take another pool's (or anyone's) IP.
    natGatewayProvider.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'],
        notResources: [
          ...addresses.map((address) => this.ec2Arn('elastic-ip', address.allocationId)),
          this.ec2Arn('network-interface', '*'),
          this.ec2Arn('instance', '*'),
        ],
      }),
    );
    acknowledgeFckNat(natGatewayProvider);
    egressCheckFunction(this, vpc);
  }

  private ec2Arn(resource: string, resourceName: string): string {
    return this.formatArn({
      service: 'ec2',
      resource,
      resourceName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }
}

/**
 * cdk-nag's findings on what cdk-fck-nat builds, answered where it builds them (the example adds the deny above
 * and the ingress rule; the rest is the library's design).
 */
function acknowledgeFckNat(provider: FckNatInstanceProvider): void {
  for (const group of provider.autoScalingGroups) {
    acknowledge(
      group,
      {
        id: 'AwsSolutions-AS3',
        reason:
          'a group of one NAT instance that replaces a failed instance by itself; its group metrics are on (cdk-fck-nat sets GroupMetrics.all), alarm on them to hear of a replacement',
      },
      {
        id: 'AwsSolutions-EC26',
        reason:
          'the fck-nat root volume holds the AMI and no data (a NAT instance forwards packets and keeps no state on disk); turn on EBS encryption by default in the account to encrypt it anyway',
      },
    );
  }
  acknowledge(provider.securityGroup, {
    id: 'AwsSolutions-EC23',
    reason:
      "inbound only from the VPC's own CIDR block (a reference cdk-nag cannot read): the NAT instances forward what the VPC's subnets send them, as fck-nat requires",
  });
  acknowledge(
    provider.role,
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedEC2InstanceDefaultPolicy]',
      reason:
        "cdk-fck-nat attaches AWS's policy for Session Manager so that the instances can be reached and patched without SSH; enableSsm: false drops it",
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'fck-nat attaches its own ENI and turns its source/destination check off at boot, on interfaces whose ids only exist at run time; cdk-fck-nat grants those two actions on every ENI',
    },
  );
  const policy = provider.role.node.tryFindChild('DefaultPolicy');
  if (policy !== undefined) {
    acknowledge(policy, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "cdk-fck-nat grants AssociateAddress and DisassociateAddress on every address; the deny statement of the same policy narrows them to the instances' own two pool addresses",
    });
  }
}
