import { Stack, type StackProps } from 'aws-cdk-lib';
import { IpProtocol, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { DualStackEgress, HyperplaneEgress, StaticIpPool } from '../../src/cdk/index.js';
import { acknowledgeDemoVpc, egressCheckFunction } from './demo-function.js';

/**
 * A function with both allow-lists: IPv4 from a pool IP bound to its Hyperplane ENIs, IPv6 from its
 * subnets' /64s through the internet gateway, at no extra cost.
 */
export class DualStackEgressStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description:
        'lambda-static-ip example: IPv4 from pool IPs on Hyperplane ENIs, IPv6 from dual-stack subnets',
      ...props,
    });
    // Dual-stack public subnets: each has a /64 and routes 0.0.0.0/0 and ::/0 to the internet gateway.
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      ipProtocol: IpProtocol.DUAL_STACK,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
    });
    acknowledgeDemoVpc(vpc);
    // CDK's security groups let no IPv6 out unless told to.
    const securityGroup = new SecurityGroup(this, 'FunctionsSecurityGroup', {
      vpc,
      description: 'lambda-static-ip example: the pool functions (egress only, IPv4 and IPv6)',
      allowAllIpv6Outbound: true,
    });
    const fn = egressCheckFunction(this, vpc, 'EgressCheck', {
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [securityGroup],
      allowPublicSubnet: true,
    });
    // Two ENIs and one spare. Retained on stack deletion (the default): release them yourself when done.
    const spares = HyperplaneEgress.DEFAULT_SPARES;
    const pool = new StaticIpPool(this, 'Pool', { poolName: 'example-dual-stack', size: 2 + spares });
    new HyperplaneEgress(this, 'Ipv4Egress', { pool, functions: [fn], spares });
    new DualStackEgress(this, 'Ipv6Egress', { vpc, functions: [fn] });
  }
}
