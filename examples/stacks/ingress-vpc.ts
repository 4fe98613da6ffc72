import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { acknowledgeDemoVpc } from './demo-function.js';

/**
 * Two zones, public subnets (for the NLB) and isolated ones (for the internal ALB), no NAT: a function
 * behind an ALB is invoked by the ALB, so it needs no VPC access of its own.
 */
export function ingressVpc(scope: Construct): Vpc {
  const vpc = new Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'internal', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  acknowledgeDemoVpc(vpc);
  return vpc;
}
