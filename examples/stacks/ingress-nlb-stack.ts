import { Stack, type StackProps } from 'aws-cdk-lib';
import { ListenerCertificate } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { NetworkLoadBalancerIngress, StaticIpPool } from '../../src/cdk/index.js';
import { webhookFunction } from './demo-function.js';
import { ingressVpc } from './ingress-vpc.js';

/** An NLB holding two pool Elastic IPs (one per zone) → an internal ALB → a function. */
export class IngressNlbStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'lambda-static-ip example: static ingress through an NLB with pool IPs',
      ...props,
    });
    // Retained on stack deletion (the default): release them yourself when done with the example.
    const pool = new StaticIpPool(this, 'Pool', { poolName: 'example-ingress', size: 2 });
    const certificateArn: unknown = this.node.tryGetContext('certificateArn');
    new NetworkLoadBalancerIngress(this, 'Ingress', {
      vpc: ingressVpc(this),
      pool,
      handler: webhookFunction(this),
      ...(typeof certificateArn === 'string'
        ? { certificate: ListenerCertificate.fromArn(certificateArn) }
        : {}),
    });
  }
}
