import { Stack, type StackProps } from 'aws-cdk-lib';
import { SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { HyperplaneEgress, StaticIpPool } from '../../src/cdk/index.js';
import { acknowledgeDemoVpc, egressCheckFunction } from './demo-function.js';
import { acknowledge } from './nag-acknowledge.js';

/**
 * Two functions in public subnets (no NAT gateway) whose egress leaves from pool IPs bound to their Lambda
 * Hyperplane ENIs by the in-account controller, with an egress probe beside them, a dashboard, and a role
 * for operators that may read the pool (status, audit) but not change it.
 */
export class HyperplaneEgressStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'lambda-static-ip example: static egress by Elastic IPs on Lambda Hyperplane ENIs',
      ...props,
    });
    // Public subnets only: an internet gateway and no NAT. A function here reaches the internet only
    // through the pool IP on its ENI.
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
    });
    acknowledgeDemoVpc(vpc);
    // One security group for both functions: they share one ENI per subnet, so two ENIs in all.
    const securityGroup = new SecurityGroup(this, 'FunctionsSecurityGroup', {
      vpc,
      description: 'lambda-static-ip example: the pool functions (egress only)',
    });
    const placement = {
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [securityGroup],
      allowPublicSubnet: true,
    };
    // Two ENIs (two subnets, one security-group set) and the default one spare: three addresses. Retained on
    // stack deletion (the default): release them yourself when done with the example.
    const spares = HyperplaneEgress.DEFAULT_SPARES;
    const pool = new StaticIpPool(this, 'Pool', { poolName: 'example-hyperplane', size: 2 + spares });
    const egress = new HyperplaneEgress(this, 'Egress', {
      pool,
      functions: [egressCheckFunction(this, vpc, 'EgressCheckA', placement)],
      spares,
      probe: true,
      dashboard: true,
    });
    // A function made later joins the pool the same way.
    egress.addFunction(egressCheckFunction(this, vpc, 'EgressCheckB', placement));

    // Operators run `lambda-static-ip status` and `audit` against the pool; they cannot bind or release.
    const operators = new Role(this, 'PoolOperators', {
      assumedBy: new AccountRootPrincipal(),
      description: 'lambda-static-ip example: reads the pool (status, ips, audit), changes nothing',
    });
    pool.grantRead(operators);
    // The reads the CLI makes take no resource-level permission, or span the account's functions.
    acknowledge(
      operators,
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'EC2 Describe actions, lambda:ListFunctions and tag:GetResources support no resource-level permissions; read-only',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:*]',
        reason:
          "read-only function configuration: the pool's functions include those tagged for it outside this app",
      },
    );
  }
}
