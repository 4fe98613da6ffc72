import type { Stack } from 'aws-cdk-lib';
import { type CfnSecurityGroup, type IConnectable, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';

/** What an ingress construct needs around it: a two-zone VPC (public and isolated subnets) and a function. */
export function ingressFixture(stack: Stack): { vpc: Vpc; handler: LambdaFunction } {
  const vpc = new Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'public', subnetType: SubnetType.PUBLIC },
      { name: 'internal', subnetType: SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const handler = new LambdaFunction(stack, 'Handler', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({ statusCode: 204 });'),
  });
  return { vpc, handler };
}

/** One inbound rule of a security group, as CloudFormation gets it (camelCase before rendering). */
export interface InboundRule {
  readonly cidrIp?: unknown;
  readonly fromPort?: number;
  readonly toPort?: number;
}

/** Every inbound rule written inline on the security groups of `connectable`, resolved, without a synth. */
export function inboundRules(stack: Stack, connectable: IConnectable): InboundRule[] {
  return connectable.connections.securityGroups.flatMap(
    (group) =>
      (stack.resolve((group.node.defaultChild as CfnSecurityGroup).securityGroupIngress) ??
        []) as InboundRule[],
  );
}
