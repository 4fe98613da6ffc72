import * as cdk from 'aws-cdk-lib';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import { Code, type FunctionProps, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

// Tiny inline handlers (CommonJS, as Code.fromInline writes index.js), on a pinned runtime.
const RUNTIME = Runtime.NODEJS_22_X;

/**
 * Records acknowledgements for cdk-nag 3 through aws-cdk-lib's `Validations` (2.257 and later). The example
 * app is also synthesised against 2.230, the oldest aws-cdk-lib the constructs support
 * (test/cdk/aws-cdk-lib-floor.test.ts), which has neither `Validations` nor a cdk-nag 3 to read them.
 */
function acknowledge(scope: Construct, ...rules: { readonly id: string; readonly reason: string }[]): void {
  if ('Validations' in cdk) cdk.Validations.of(scope).acknowledge(...rules);
}

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
      timeout: cdk.Duration.seconds(10),
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
