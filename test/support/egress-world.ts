import { type Address, DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { beforeEach } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { createVpcFixture, LambdaSimulator, type LocalAws, type VpcFixture } from '../../testbed/index.js';
import { type CliRun, runBinary } from './cli.js';
import { useLocalAws } from './local-aws.js';

/** The pool of the egress CLI tests. */
export const POOL = 'shop';

/** The JSON document of `plan --json` and `apply --json`, as far as the tests read it. */
export interface ApplyDocument {
  actions: Array<{
    kind: string;
    allocationId: string | null;
    publicIp: string | null;
    networkInterfaceId: string;
    subnetId: string;
  }>;
  applied: Array<{ kind: string; allocationId: string; publicIp: string; networkInterfaceId: string }>;
  unchanged: Array<{ networkInterfaceId: string; publicIp: string; functions: string[] }>;
  problems: Array<{ code: string; severity: string; message: string; functions?: string[] }>;
  converged: boolean;
}

export interface EgressWorld {
  readonly localAws: () => LocalAws;
  readonly clients: () => AwsClients;
  readonly vpc: () => VpcFixture;
  readonly sim: () => LambdaSimulator;
  /** The real binary, pointed at the local AWS. */
  cli(args: readonly string[]): Promise<CliRun>;
  /** Every Elastic IP of the Region, straight from the local AWS. */
  addresses(): Promise<Address[]>;
  /**
   * checkout (tagged for the pool) and payments share a security group in both public subnets;
   * reports has its own in one subnet. All three Active.
   */
  createPoolFunctions(): Promise<void>;
}

/** A fresh local AWS state per test: a VPC with public and private subnets and a Lambda simulator. */
export function useEgressWorld(): EgressWorld {
  const localAws = useLocalAws({ eipQuota: 20 });
  let clients: AwsClients;
  let vpc: VpcFixture;
  let sim: LambdaSimulator;
  beforeEach(async () => {
    await localAws().reset();
    clients = localAws().clients();
    vpc = await createVpcFixture(clients.ec2, { securityGroups: 3 });
    sim = new LambdaSimulator({ localAws: localAws() });
  });
  return {
    localAws,
    clients: () => clients,
    vpc: () => vpc,
    sim: () => sim,
    cli: (args) => runBinary(args, { env: { AWS_ENDPOINT_URL: localAws().endpoint } }),
    addresses: async () => (await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [],
    createPoolFunctions: async () => {
      const [sg1, sg2] = vpc.securityGroupIds as [string, string];
      const tags = { [POOL_TAG_KEY]: POOL };
      await sim.createFunction({
        name: 'checkout',
        subnetIds: vpc.publicSubnetIds,
        securityGroupIds: [sg1],
        tags,
      });
      await sim.createFunction({ name: 'payments', subnetIds: vpc.publicSubnetIds, securityGroupIds: [sg1] });
      await sim.createFunction({
        name: 'reports',
        subnetIds: [vpc.publicSubnetIds[0] as string],
        securityGroupIds: [sg2],
      });
      await sim.advance(90_000);
    },
  };
}
