import type { App } from 'aws-cdk-lib';
import { DualStackEgressStack } from './stacks/dual-stack-egress-stack.js';
import { HyperplaneEgressStack } from './stacks/hyperplane-egress-stack.js';
import { IngressGaStack } from './stacks/ingress-ga-stack.js';
import { IngressNlbStack } from './stacks/ingress-nlb-stack.js';
import { NatGatewayStack } from './stacks/nat-gateway-stack.js';
import { NatInstanceStack } from './stacks/nat-instance-stack.js';

/**
 * Every example stack, one line each; env-agnostic (no account or Region), so synthesis runs offline.
 * Add a stack here and `npm run synth` and the example-app test (cfn-lint on every template) pick it up.
 */
export function buildExampleApp(app: App): void {
  new IngressGaStack(app, 'LsiIngressGaStack');
  new IngressNlbStack(app, 'LsiIngressNlbStack');
  new NatGatewayStack(app, 'LsiNatGatewayStack');
  new HyperplaneEgressStack(app, 'LsiHyperplaneEgressStack');
  new DualStackEgressStack(app, 'LsiDualStackEgressStack');
  new NatInstanceStack(app, 'LsiNatInstanceStack');
}
