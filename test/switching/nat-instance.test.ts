import {
  AssociateAddressCommand,
  DescribeAddressesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { createVpcFixture, LambdaSimulator, type VpcFixture } from '../../testbed/index.js';
import { allocateAddress } from '../support/addresses.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import type { ApplyDocument } from '../support/egress-world.js';
import { useLocalAws } from '../support/local-aws.js';

/**
 * A pool whose addresses serve a NAT instance (fck-nat, docs/nat-instance.md) and Lambda ENIs at once. The
 * instance is modelled as fck-nat boots: its primary ENI gets the address with AllowReassociation=true, and
 * its source/destination check is turned off.
 */

const localAws = useLocalAws({ eipQuota: 20 });
const POOL = 'shop';
const tag = { [POOL_TAG_KEY]: POOL };
let clients: AwsClients;
let vpc: VpcFixture;
let sim: LambdaSimulator;

beforeEach(async () => {
  await localAws().reset();
  clients = localAws().clients();
  vpc = await createVpcFixture(clients.ec2, { securityGroups: 1, privateSubnets: 0 });
  sim = new LambdaSimulator({ localAws: localAws() });
  await sim.createFunction({
    name: 'checkout',
    subnetIds: vpc.publicSubnetIds,
    securityGroupIds: vpc.securityGroupIds,
    tags: tag,
  });
  await sim.advance(90_000);
});

function cli(args: readonly string[]) {
  return runCliInProcess(args, { clientOptions: localAws().clientOptions() });
}

/** An instance in the first public subnet whose primary ENI takes `allocationId` as fck-nat's boot script does. */
async function natInstance(allocationId: string, sourceDestCheck = false): Promise<string> {
  const run = await clients.ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: vpc.publicSubnetIds[0],
    }),
  );
  const eni = run.Instances?.[0]?.NetworkInterfaces?.[0]?.NetworkInterfaceId as string;
  await clients.ec2.send(
    new AssociateAddressCommand({
      AllocationId: allocationId,
      NetworkInterfaceId: eni,
      AllowReassociation: true,
    }),
  );
  await clients.ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({
      NetworkInterfaceId: eni,
      SourceDestCheck: { Value: sourceDestCheck },
    }),
  );
  return eni;
}

async function holderOf(allocationId: string): Promise<string | undefined> {
  const described = await clients.ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }));
  return described.Addresses?.[0]?.NetworkInterfaceId;
}

describe('a NAT instance on pool IPs', () => {
  it('is another strategy of the pool: on-nat-instance, never touched, egress in ips, freeable in switch-check', async () => {
    const [forNat, a, b] = [
      await allocateAddress(clients.ec2, tag),
      await allocateAddress(clients.ec2, tag),
      await allocateAddress(clients.ec2, tag),
    ];
    const natEni = await natInstance(forNat.id);

    const applied = await cli(['apply', '--pool', POOL, '--reserve', forNat.id, '--yes', '--json']);
    expect(applied.code).toBe(0);
    const document = applied.json<ApplyDocument & { addresses: { allocationId: string; state: string }[] }>();
    expect(document.applied.map((action) => action.allocationId).sort()).toEqual([a.id, b.id].sort());
    expect(document.problems).toEqual([]); // no PoolAddressElsewhere: the instance holds it by design
    expect(await holderOf(forNat.id)).toBe(natEni);

    const status = await cli(['status', '--pool', POOL, '--json']);
    const states = status.json<{ addresses: { allocationId: string; state: string }[] }>().addresses;
    expect(Object.fromEntries(states.map((entry) => [entry.allocationId, entry.state]))).toEqual({
      [forNat.id]: 'on-nat-instance',
      [a.id]: 'bound',
      [b.id]: 'bound',
    });
    const ips = await cli(['ips', '--pool', POOL, '--direction', 'egress', '--json']);
    const entry = ips
      .json<{ addresses: { allocationId: string; boundTo: string }[] }>()
      .addresses.find((address) => address.allocationId === forNat.id);
    expect(entry?.boundTo).toBe('nat-instance');

    // One more ENI to bind after a move back to Hyperplane: no IP is free, the NAT instance's comes back when it goes.
    const check = await cli(['switch-check', '--pool', POOL, '--to', 'hyperplane', '--enis', '1', '--json']);
    expect(check.json<{ path: string; onNatInstances: number; freeable: number }>()).toMatchObject({
      path: 'free-first',
      onNatInstances: 1,
      freeable: 1,
    });

    // An instance that forwards nothing (source/destination check on) is not a NAT device: reported.
    const other = await allocateAddress(clients.ec2, tag);
    await natInstance(other.id, true);
    const plan = await cli(['plan', '--pool', POOL, '--reserve', forNat.id, '--json']);
    expect(plan.json<ApplyDocument>().problems.map((problem) => problem.code)).toEqual([
      'PoolAddressElsewhere',
    ]);
  });

  it('takes an unreserved pool IP off a Lambda ENI at boot (AllowReassociation); apply then rebinds the ENI', async () => {
    const [a, , spare] = [
      await allocateAddress(clients.ec2, tag),
      await allocateAddress(clients.ec2, tag),
      await allocateAddress(clients.ec2, tag),
    ];
    await cli(['apply', '--pool', POOL, '--reserve', spare.id, '--yes']);
    const lambdaEni = await holderOf(a.id);
    expect(lambdaEni).toBeDefined();

    // What the docs warn of: fck-nat given an address a Lambda ENI holds takes it, without failing.
    const natEni = await natInstance(a.id);
    expect(await holderOf(a.id)).toBe(natEni);

    const applied = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(applied.code).toBe(0);
    expect(applied.json<ApplyDocument>().applied).toMatchObject([
      { allocationId: spare.id, networkInterfaceId: lambdaEni },
    ]);
    expect(await holderOf(a.id)).toBe(natEni); // and apply never takes it back from the instance
  });
});
