import { Duration } from 'aws-cdk-lib';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import { Code, type FunctionProps, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { acknowledge } from './nag-acknowledge.js';

// Tiny inline handlers (CommonJS, as Code.fromInline writes index.js), on a pinned runtime.
const RUNTIME = Runtime.NODEJS_22_X;

/**
 * The example's stand-ins for your own functions answer for their cdk-nag findings here, as your functions
 * would in your app; lambda-static-ip's constructs need none of this for what they create.
 */
function acknowledgeDemoFunction(fn: LambdaFunction): LambdaFunction {
  acknowledge(
    fn,
    {
      id: 'AwsSolutions-L1',
      reason:
        'the example pins nodejs22.x, as the example-app test checks, so that its templates stay stable',
    },
    ...['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole'].map((policy) => ({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
      reason: `a demo function's role: AWS's ${policy} (logs, and in a VPC the ENIs Lambda needs), nothing else`,
    })),
  );
  return fn;
}

/** Answers an ALB request with what it received: a stand-in for a vendor's webhook receiver. */
export function webhookFunction(scope: Construct): LambdaFunction {
  return acknowledgeDemoFunction(
    new LambdaFunction(scope, 'Webhook', {
      runtime: RUNTIME,
      handler: 'index.handler',
      code: Code.fromInline(`exports.handler = async (event) => ({
  statusCode: 200,
  statusDescription: '200 OK',
  isBase64Encoded: false,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ received: event.httpMethod + ' ' + event.path, from: (event.headers || {})['x-forwarded-for'] }),
});`),
    }),
  );
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
  return acknowledgeDemoFunction(
    new LambdaFunction(scope, id, {
      runtime: RUNTIME,
      handler: 'index.handler',
      timeout: Duration.seconds(10),
      vpc,
      ...placement,
      code: Code.fromInline(`exports.handler = async () => {
  const response = await fetch('https://checkip.amazonaws.com');
  return { egressIp: (await response.text()).trim() };
};`),
    }),
  );
}

/**
 * The example's VPCs stand in for your own: flow logs are the VPC owner's choice (and cost), outside what
 * the example shows.
 */
export function acknowledgeDemoVpc(vpc: Construct): void {
  acknowledge(vpc, {
    id: 'AwsSolutions-VPC7',
    reason:
      "the example's VPC stands in for yours: flow logs, their destination and their cost are the VPC owner's choice",
  });
}
