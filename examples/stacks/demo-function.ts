import { Duration } from 'aws-cdk-lib';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import { Code, type FunctionProps, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

// Tiny inline handlers (CommonJS, as Code.fromInline writes index.js), on a pinned runtime.
const RUNTIME = Runtime.NODEJS_22_X;

/** Answers an ALB request with what it received: a stand-in for a vendor's webhook receiver. */
export function webhookFunction(scope: Construct): LambdaFunction {
  return new LambdaFunction(scope, 'Webhook', {
    runtime: RUNTIME,
    handler: 'index.handler',
    code: Code.fromInline(`exports.handler = async (event) => ({
  statusCode: 200,
  statusDescription: '200 OK',
  isBase64Encoded: false,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ received: event.httpMethod + ' ' + event.path, from: (event.headers || {})['x-forwarded-for'] }),
});`),
  });
}

/** Where an egress-check function sits: the VPC's private subnets unless told otherwise. */
export type EgressCheckPlacement = Pick<FunctionProps, 'vpcSubnets' | 'securityGroups' | 'allowPublicSubnet'>;

/** Runs in the VPC (its private subnets by default) and reports the public IP its requests leave from. */
export function egressCheckFunction(
  scope: Construct,
  vpc: IVpc,
  id = 'EgressCheck',
  placement: EgressCheckPlacement = {},
): LambdaFunction {
  return new LambdaFunction(scope, id, {
    runtime: RUNTIME,
    handler: 'index.handler',
    timeout: Duration.seconds(10),
    vpc,
    ...placement,
    code: Code.fromInline(`exports.handler = async () => {
  const response = await fetch('https://checkip.amazonaws.com');
  return { egressIp: (await response.text()).trim() };
};`),
  });
}
