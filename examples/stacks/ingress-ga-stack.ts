import { Stack, type StackProps } from 'aws-cdk-lib';
import { ListenerCertificate } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { GlobalAcceleratorIngress } from '../../src/cdk/index.js';
import { webhookFunction } from './demo-function.js';
import { ingressVpc } from './ingress-vpc.js';

/** Global Accelerator's two static IPs → an internal ALB → a function. */
export class IngressGaStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'lambda-static-ip example: static ingress through Global Accelerator',
      ...props,
    });
    // Pass `-c certificateArn=arn:aws:acm:…` (cdk CLI) to serve HTTPS on 443 instead of HTTP on 80.
    const certificateArn: unknown = this.node.tryGetContext('certificateArn');
    new GlobalAcceleratorIngress(this, 'Ingress', {
      vpc: ingressVpc(this),
      handler: webhookFunction(this),
      ...(typeof certificateArn === 'string'
        ? { certificate: ListenerCertificate.fromArn(certificateArn) }
        : {}),
    });
  }
}
