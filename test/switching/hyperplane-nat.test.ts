import { DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { createVpcFixture, LambdaSimulator, type VpcFixture } from '../../testbed/index.js';
import { allocateAddress } from '../support/addresses.js';
import { type CliRun, runBinary } from '../support/cli.js';
import { useLocalAws } from '../support/local-aws.js';
import { createZonalNatGateways, deleteZonalNatGateways, describeGateway } from '../support/nat-gateways.js';

/**
 * The procedures of docs/switching.md, on the local AWS: the pool's IP set must be the same before and
 * after every switch, nothing is released, and the simulator's timeline measures the interruption.
 */

const localAws = useLocalAws({ eipQuota: 20 });
const POOL = 'shop';
/** Lambda: from creating a combination's ENI to traffic on it (the simulator's default). */
const LAMBDA_SWITCH_MS = 90_000;
/** AWS publishes no creation time; the EC2 waiter allows 10 minutes. The model: 3 minutes. */
const NAT_CREATION_MS = 180_000;
/** Likewise unpublished for deletion. The model: 1 minute. */
const NAT_DELETION_MS = 60_000;
/** Lambda deletes an ENI nothing uses up to 20 minutes later. */
const ENI_DELETION_MS = 20 * 60_000;

let clients: AwsClients;
let vpc: VpcFixture;
let sim: LambdaSimulator;

beforeEach(async () => {
  await localAws().reset();
  clients = localAws().clients();
  vpc = await createVpcFixture(clients.ec2, { securityGroups: 2, privateRouteTables: 'per-subnet' });
  sim = new LambdaSimulator({
    localAws: localAws(),
    timings: { eniSwitchMs: LAMBDA_SWITCH_MS, eniDeletionDelayMs: ENI_DELETION_MS },
  });
});

function cli(args: readonly string[]): Promise<CliRun> {
  return runBinary(args, { env: { AWS_ENDPOINT_URL: localAws().endpoint } });
}

const [SG1, SG2] = [0, 1];
/** checkout: both zones, sg-1; ledger: first zone, sg-2. Three Lambda ENIs, so three pool IPs bound. */
function placements(subnets: readonly string[]) {
  return {
    checkout: { subnetIds: [...subnets], securityGroupIds: [vpc.securityGroupIds[SG1] as string] },
    ledger: { subnetIds: [subnets[0] as string], securityGroupIds: [vpc.securityGroupIds[SG2] as string] },
  };
}
const FUNCTIONS = ['checkout', 'ledger'] as const;

/** A pool as StaticIpPool allocates it, functions in public subnets tagged for it, every ENI bound. */
async function hyperplanePool(size: number): Promise<string[]> {
  for (let index = 0; index < size; index++) await allocateAddress(clients.ec2, { [POOL_TAG_KEY]: POOL });
  const publicPlacement = placements(vpc.publicSubnetIds);
  for (const name of FUNCTIONS) {
    await sim.createFunction({ name, ...publicPlacement[name], tags: { [POOL_TAG_KEY]: POOL } });
  }
  await sim.advance(LAMBDA_SWITCH_MS);
  const applied = await cli(['apply', '--pool', POOL, '--yes', '--json']);
  expect(applied.code).toBe(0);
  await sim.sample();
  return poolIps();
}

/** The allow-list, as `ips` prints it. */
async function poolIps(): Promise<string[]> {
  const run = await cli(['ips', '--pool', POOL, '--json']);
  expect(run.code).toBe(0);
  return run.json<{ ips: string[] }>().ips;
}

async function pool() {
  const all = (await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  return all.filter((a) => a.Tags?.some((t) => t.Key === POOL_TAG_KEY && t.Value === POOL));
}
/** The pool's addresses by allocation id: the same set before and after a switch (none released or added). */
async function poolIds(): Promise<string[]> {
  return (await pool()).map((a) => a.AllocationId as string).sort();
}
async function freeAllocationIds(): Promise<string[]> {
  return (await pool()).filter((a) => !a.AssociationId).map((a) => a.AllocationId as string);
}

async function moveFunctions(subnets: readonly string[]): Promise<void> {
  const placement = placements(subnets);
  for (const name of FUNCTIONS) await sim.updateVpcConfig(name, placement[name]);
}

/** Takes the functions out of the pool (the HyperplaneEgress construct gone, or the tag removed). */
async function leavePool(): Promise<void> {
  for (const name of FUNCTIONS) {
    await clients.lambda.send(
      new UntagResourceCommand({ Resource: sim.describe(name).arn, TagKeys: [POOL_TAG_KEY] }),
    );
  }
}
async function joinPool(): Promise<void> {
  for (const name of FUNCTIONS) {
    await clients.lambda.send(
      new TagResourceCommand({ Resource: sim.describe(name).arn, Tags: { [POOL_TAG_KEY]: POOL } }),
    );
  }
}

function downtime(): Record<string, number> {
  return Object.fromEntries(FUNCTIONS.map((name) => [name, sim.timeline.downtimeMs(name, sim.clock.now())]));
}

/** Each function's outages so far, as [from, to] on the virtual clock. */
function outages(): Record<string, Array<[number, number]>> {
  return Object.fromEntries(
    FUNCTIONS.map((name) => [
      name,
      sim.timeline.outages(name, sim.clock.now()).map((outage): [number, number] => [outage.from, outage.to]),
    ]),
  );
}
/** The same outage window for every function. */
function forEvery(...windows: Array<[number, number]>): Record<string, Array<[number, number]>> {
  return Object.fromEntries(FUNCTIONS.map((name) => [name, windows]));
}

interface PlanDocument {
  actions: unknown[];
  problems: Array<{ code: string; severity: string; message: string }>;
  addresses: Array<{ allocationId: string; state: string }>;
}
async function planJson(): Promise<PlanDocument> {
  const run = await cli(['plan', '--pool', POOL, '--detailed-exitcode', '--json']);
  expect(run.code).toBe(0);
  return run.json<PlanDocument>();
}
function states(document: PlanDocument): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const address of document.addresses) counts[address.state] = (counts[address.state] ?? 0) + 1;
  return counts;
}

describe('Hyperplane → NAT gateways → Hyperplane, without spare IPs', () => {
  it('keeps the allow-list through both switches; the interruption is the gateways’ creation, then their deletion', async () => {
    const allowList = await hyperplanePool(3);
    expect(allowList).toHaveLength(3);
    const ids = await poolIds();

    // 1. Unbind on purpose: egress stops here.
    const unbind = await cli(['unbind', '--pool', POOL, '--yes', '--json']);
    expect(unbind.code).toBe(0);
    expect(
      unbind
        .json<{ unbound: Array<{ allocationId: string }> }>()
        .unbound.map((entry) => entry.allocationId)
        .sort(),
    ).toEqual(ids);
    expect(unbind.stderr).toMatch(/no in-account controller of pool "shop" was found/);
    await sim.sample();
    const cut = sim.clock.now();

    // 2. One deployment: gateways, routes, functions in private subnets. Lambda's update overlaps the
    //    gateways' creation (no dependency on internetConnectivityEstablished: egress is gone anyway).
    await moveFunctions(vpc.privateSubnetIds);
    await sim.advance(NAT_CREATION_MS);
    const gateways = await createZonalNatGateways(clients.ec2, vpc, (await freeAllocationIds()).slice(0, 2));
    await sim.sample();
    const natUp = sim.clock.now();
    await sim.advance(60_000);

    // Egress stops when the product unbinds (not before, not partly) and comes back through the gateways
    // the moment they are available: the outage is exactly that window, read off the clock at each event.
    expect(outages()).toEqual(forEvery([cut, natUp]));
    for (const name of FUNCTIONS) {
      const egress = await sim.invoke(name);
      expect(egress.ok && egress.egressIps.every((ip) => ip && allowList.includes(ip))).toBe(true);
    }
    expect(await poolIps()).toEqual(allowList);
    expect(await poolIds()).toEqual(ids);

    // The functions leave the pool: plan is clean, and shows the gateways' IPs as theirs.
    const stillTagged = await cli(['plan', '--pool', POOL, '--json']);
    expect(stillTagged.json<PlanDocument>().problems.map((p) => p.code)).toContain('SubnetNotPublic');
    expect(
      stillTagged.json<PlanDocument>().problems.find((p) => p.code === 'SubnetNotPublic')?.message,
    ).toMatch(/sends 0.0.0.0\/0 to NAT gateway nat-.*take them out of pool "shop"/);
    await leavePool();
    const onNat = await planJson();
    expect(onNat.actions).toEqual([]);
    expect(onNat.problems).toEqual([]);
    expect(states(onNat)).toEqual({ 'on-nat-gateway': 2, free: 1 });
    // apply has nothing to do either, and leaves the gateways' IPs where they are.
    expect((await cli(['apply', '--pool', POOL, '--yes'])).code).toBe(0);
    for (const id of gateways.ids) expect((await describeGateway(clients.ec2, id))?.State).toBe('available');

    // Some time on NAT gateways: Lambda deletes the old public ENIs (a combination is only reused while
    // its ENI lives; a quicker way back meets them, in the simulator as new ENIs of the same combination).
    await sim.advance(ENI_DELETION_MS);

    // Back: the functions move to public subnets and join the pool, then the gateways go (CloudFormation
    // deletes them after the functions' update), then apply (or the controller) binds the freed IPs.
    await joinPool();
    await moveFunctions(vpc.publicSubnetIds);
    await sim.advance(LAMBDA_SWITCH_MS);
    const switched = sim.clock.now();
    await deleteZonalNatGateways(clients.ec2, vpc, gateways);
    await sim.advance(NAT_DELETION_MS);
    const rebound = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(rebound.code).toBe(0);
    // The three addresses the gateways gave back, one on each new ENI.
    const reboundDocument = rebound.json<{
      applied: Array<{ allocationId: string; networkInterfaceId: string }>;
    }>();
    expect(reboundDocument.applied.map((entry) => entry.allocationId).sort()).toEqual(ids);
    expect(new Set(reboundDocument.applied.map((entry) => entry.networkInterfaceId))).toEqual(
      new Set(FUNCTIONS.flatMap((name) => sim.describe(name).servingEniIds)),
    );
    await sim.sample();
    const boundAt = sim.clock.now();
    await sim.advance(60_000);

    // The second outage runs from Lambda's switch to the new (unbound) ENIs until apply binds them all:
    // not a moment longer (apply binding some ENIs only, or the old ones, would stretch it).
    expect(outages()).toEqual(forEvery([cut, natUp], [switched, boundAt]));
    expect(await poolIps()).toEqual(allowList);
    expect(await poolIds()).toEqual(ids);
    const back = await planJson();
    expect(back.actions).toEqual([]);
    expect(states(back)).toEqual({ bound: 3 });
  });

  it('without the unbind, the gateway fails (Resource.AlreadyAssociated) and takes nothing', async () => {
    const allowList = await hyperplanePool(3);
    const bound = (await pool()).map((a) => a.AllocationId as string);
    await expect(createZonalNatGateways(clients.ec2, vpc, bound)).rejects.toThrow(
      /is failed: "Resource.AlreadyAssociated"/,
    );
    expect((await pool()).every((a) => a.NetworkInterfaceId && a.AssociationId)).toBe(true);
    expect(await poolIps()).toEqual(allowList);
  });
});

describe('Hyperplane → NAT gateways → Hyperplane, with spare IPs', () => {
  it('keeps the allow-list through both switches with no interruption at all', async () => {
    const allowList = await hyperplanePool(5);
    expect(allowList).toHaveLength(5);
    const ids = await poolIds();

    const check = await cli(['switch-check', '--pool', POOL, '--to', 'nat', '--json']);
    expect(check.code).toBe(0);
    const readiness = check.json<{ path: string; needed: number; take: Array<{ allocationId: string }> }>();
    expect(readiness).toMatchObject({ path: 'spares', needed: 2 });

    // 1. Gateways on the spares: nothing changes for the functions.
    const gateways = await createZonalNatGateways(
      clients.ec2,
      vpc,
      readiness.take.map((a) => a.allocationId),
    );
    await sim.sample();
    // 2. The functions move (and leave the pool); Lambda keeps traffic on the bound ENIs until it switches.
    await moveFunctions(vpc.privateSubnetIds);
    await leavePool();
    await sim.advance(LAMBDA_SWITCH_MS + 60_000);

    expect(downtime()).toEqual({ checkout: 0, ledger: 0 });
    expect(sim.timeline.egressIps('checkout').every((ip) => allowList.includes(ip))).toBe(true);
    const viaNat = sim.timeline.entries('checkout').at(-1)?.serving ?? [];
    expect(viaNat.map((eni) => eni.via)).toEqual(['nat-gateway', 'nat-gateway']);
    expect(await poolIps()).toEqual(allowList);

    // 3. Lambda deletes the old ENIs later: their IPs come back free, as spares.
    const during = await planJson();
    expect(during.actions).toEqual([]);
    expect(states(during)).toEqual({ 'on-nat-gateway': 2, elsewhere: 3 });
    await sim.advance(ENI_DELETION_MS);
    const settled = await planJson();
    expect(settled.problems).toEqual([]);
    expect(states(settled)).toEqual({ 'on-nat-gateway': 2, free: 3 });
    expect(await poolIds()).toEqual(ids);

    // Back, again on spares: the functions join the pool and move; apply binds their new ENIs while the
    // update is in progress, before Lambda switches; then the gateways go and their IPs are spares again.
    await joinPool();
    const back = await cli([
      'switch-check',
      '--pool',
      POOL,
      '--to',
      'hyperplane',
      '--function',
      'checkout',
      '--json',
    ]);
    expect(back.json<{ path: string; needed: number }>()).toMatchObject({ path: 'spares', needed: 3 });
    await moveFunctions(vpc.publicSubnetIds);
    const bind = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(bind.code).toBe(0);
    expect(bind.json<{ applied: unknown[] }>().applied).toHaveLength(3);
    await sim.sample();
    await sim.advance(LAMBDA_SWITCH_MS);
    await deleteZonalNatGateways(clients.ec2, vpc, gateways);
    await sim.sample();
    await sim.advance(60_000);

    expect(downtime()).toEqual({ checkout: 0, ledger: 0 });
    expect(await poolIps()).toEqual(allowList);
    const after = await planJson();
    expect(after.actions).toEqual([]);
    expect(states(after)).toEqual({ bound: 3, free: 2 });
  });
});
