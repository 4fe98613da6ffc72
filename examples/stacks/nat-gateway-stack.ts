import { Stack, type StackProps } from 'aws-cdk-lib';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { NatGatewayEgress, type NatGatewayMode, StaticIpPool } from '../../src/cdk/index.js';
import { acknowledgeDemoVpc, egressCheckFunction } from './demo-function.js';

export interface NatGatewayStackProps extends StackProps {
  /** @default 'zonal' */
  readonly mode?: NatGatewayMode;
}

/** A function in private subnets whose egress leaves through NAT gateways holding the pool's IPs. */
export class NatGatewayStack extends Stack {
  constructor(scope: Construct, id: string, props: NatGatewayStackProps = {}) {
    super(scope, id, {
      description: 'lambda-static-ip example: static egress through NAT gateways',
      ...props,
    });
    // natGateways: 0 leaves the private subnets unrouted for NatGatewayEgress to route.
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
    });
    acknowledgeDemoVpc(vpc);
    // Retained on stack deletion (the default): release them yourself when done with the example.
    const pool = new StaticIpPool(this, 'Pool', { poolName: 'example-egress', size: 2 });
    const egress = new NatGatewayEgress(this, 'Egress', { vpc, pool, mode: props.mode ?? 'zonal' });
    egressCheckFunction(this, vpc).node.addDependency(egress.internetConnectivityEstablished);
  }
}
