import { CreateNatGatewayCommand, DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AwsClients, createIamClient } from '../../src/aws/clients.js';
import { LAST_SUBNET_TAG_KEY, POOL_TAG_KEY } from '../../src/core/pool.js';
import { createControllerHandler, type EventRunResponse } from '../../src/handlers/controller.js';
import { reconcile } from '../../src/reconcile/reconcile.js';
import {
  createNetworkLoadBalancer,
  createVpcFixture,
  LambdaSimulator,
  type VpcFixture,
} from '../../testbed/index.js';
import { allocateAddress } from '../support/addresses.js';
import { type CliRun, runBinary } from '../support/cli.js';
import { useLocalAws } from '../support/local-aws.js';
import { createZonalNatGateways, describeGateway } from '../support/nat-gateways.js';

/**
 * One pool serving NAT gateway egress, NLB ingress and Hyperplane binding at once: the reconciler and
 * `unbind` never touch the gateway's or the NLB's addresses, and `ips --direction` tells them apart.
 */

const localAws = useLocalAws({ eipQuota: 20 });
const POOL = 'shop';
let clients: AwsClients;
let vpc: VpcFixture;
let sim: LambdaSimulator;
let nat: { id: string; ip: string };
let nlb: { ids: string[]; ips: string[] };
let free: { id: string; ip: string }[];

beforeEach(async () => {
  await localAws().reset();
  clients = localAws().clients();
  vpc = await createVpcFixture(clients.ec2, {
    securityGroups: 1,
    privateSubnets: 1,
    privateRouteTables: 'per-subnet',
  });
  sim = new LambdaSimulator({ localAws: localAws() });
  const tag = { [POOL_TAG_KEY]: POOL };
  const addresses = [];
  for (let index = 0; index < 5; index++) addresses.push(await allocateAddress(clients.ec2, tag));
  const [forNat, forNlbA, forNlbB, ...rest] = addresses as [
    (typeof addresses)[0],
    (typeof addresses)[0],
    (typeof addresses)[0],
  ];
  // As NatGatewayEgress and NetworkLoadBalancerIngress would claim them from the same StaticIpPool.
  await createZonalNatGateways(clients.ec2, vpc, [forNat.id]);
  await createNetworkLoadBalancer(localAws(), {
    name: 'webhooks',
    subnetMappings: [
      { subnetId: vpc.publicSubnetIds[0] as string, allocationId: forNlbA.id },
      { subnetId: vpc.publicSubnetIds[1] as string, allocationId: forNlbB.id },
    ],
  });
  nat = forNat;
  nlb = { ids: [forNlbA.id, forNlbB.id], ips: [forNlbA.ip, forNlbB.ip] };
  free = rest;
  await sim.createFunction({
    name: 'checkout',
    subnetIds: vpc.publicSubnetIds,
    securityGroupIds: vpc.securityGroupIds,
    tags: tag,
  });
  await sim.advance(90_000);
});

function cli(args: readonly string[]): Promise<CliRun> {
  return runBinary(args, { env: { AWS_ENDPOINT_URL: localAws().endpoint } });
}

/** Association id (or none) of every pool address, by allocation id. */
async function associations(): Promise<Record<string, string | undefined>> {
  const all = (await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  return Object.fromEntries(all.map((a) => [a.AllocationId as string, a.AssociationId]));
}

interface ApplyDocument {
  applied: Array<{ allocationId: string }>;
  problems: Array<{ code: string }>;
  addresses: Array<{ allocationId: string; state: string }>;
}

describe('a pool shared by NAT gateway egress, NLB ingress and Hyperplane binding', () => {
  it('apply binds only free IPs and never touches the gateway’s or the NLB’s, even when exhausted', async () => {
    const before = await associations();
    const applied = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(applied.code).toBe(0);
    expect(
      applied
        .json<ApplyDocument>()
        .applied.map((a) => a.allocationId)
        .sort(),
    ).toEqual(free.map((a) => a.id).sort());

    const plan = await cli(['plan', '--pool', POOL, '--detailed-exitcode', '--json']);
    expect(plan.code).toBe(0);
    const document = plan.json<ApplyDocument>();
    expect(document.problems).toEqual([]);
    const stateOf = Object.fromEntries(document.addresses.map((a) => [a.allocationId, a.state]));
    expect(stateOf).toEqual({
      [nat.id]: 'on-nat-gateway',
      [nlb.ids[0] as string]: 'on-load-balancer',
      [nlb.ids[1] as string]: 'on-load-balancer',
      [free[0]?.id as string]: 'bound',
      [free[1]?.id as string]: 'bound',
    });

    // A scale-out ENI with no free IP left: PoolExhausted, and the gateway and the NLB keep theirs.
    await sim.scaleOut('checkout', vpc.publicSubnetIds[0]);
    const exhausted = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(exhausted.code).toBe(1);
    expect(exhausted.json<ApplyDocument>().problems.map((p) => p.code)).toEqual(['PoolExhausted']);
    const after = await associations();
    for (const id of [nat.id, ...nlb.ids]) expect(after[id]).toBe(before[id]);

    // unbind takes the pool's IPs off the functions' ENIs only.
    const unbind = await cli(['unbind', '--pool', POOL, '--yes', '--json']);
    expect(unbind.code).toBe(0);
    expect(
      unbind
        .json<{ unbound: Array<{ allocationId: string }> }>()
        .unbound.map((u) => u.allocationId)
        .sort(),
    ).toEqual(free.map((a) => a.id).sort());
    const unbound = await associations();
    for (const id of [nat.id, ...nlb.ids]) expect(unbound[id]).toBe(before[id]);
    for (const { id } of free) expect(unbound[id]).toBeUndefined();
  });

  it('ips --direction: NLB addresses are ingress; NAT gateway, Lambda ENI and free ones are egress', async () => {
    await cli(['apply', '--pool', POOL, '--yes']);
    // And a spare: free, so egress.
    const spare = await allocateAddress(clients.ec2, { [POOL_TAG_KEY]: POOL });
    const numeric = (ip: string) => ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
    const sorted = (ips: string[]) => [...ips].sort((a, b) => numeric(a) - numeric(b));

    const all = await cli(['ips', '--pool', POOL]);
    expect(all.stdout.trim().split('\n')).toEqual(
      sorted([nat.ip, ...nlb.ips, ...free.map((a) => a.ip), spare.ip]),
    );
    const ingress = await cli(['ips', '--pool', POOL, '--direction', 'ingress', '--format', 'cidr']);
    expect(ingress.stdout.trim().split('\n')).toEqual(sorted(nlb.ips).map((ip) => `${ip}/32`));
    const egress = await cli(['ips', '--pool', POOL, '--direction', 'egress', '--json']);
    const document = egress.json<{
      direction: string;
      ips: string[];
      addresses: Array<{ publicIp: string; direction: string; boundTo: string }>;
    }>();
    expect(document.direction).toBe('egress');
    expect(document.ips).toEqual(sorted([nat.ip, ...free.map((a) => a.ip), spare.ip]));
    const boundTo = Object.fromEntries(document.addresses.map((a) => [a.publicIp, a.boundTo]));
    expect(boundTo).toEqual({
      [nat.ip]: 'nat-gateway',
      [free[0]?.ip as string]: 'lambda',
      [free[1]?.ip as string]: 'lambda',
      [spare.ip]: 'none',
    });
    expect(document.addresses.every((a) => a.direction === 'egress')).toBe(true);

    const allJson = await cli(['ips', '--pool', POOL, '--json']);
    expect(
      allJson
        .json<{ addresses: Array<{ publicIp: string; direction: string }> }>()
        .addresses.filter((a) => a.direction === 'ingress')
        .map((a) => a.publicIp),
    ).toEqual(sorted(nlb.ips));
  });
});

describe('an address reserved for a NAT gateway about to take it', () => {
  it('is never bound: new ENIs get other free IPs, or PoolExhausted; then the gateway takes it', async () => {
    // The spare the next NAT gateway takes: free, and it even served a function subnet last.
    const forGateway = await allocateAddress(clients.ec2, {
      [POOL_TAG_KEY]: POOL,
      [LAST_SUBNET_TAG_KEY]: vpc.publicSubnetIds[0] as string,
    });
    const controller = createControllerHandler({
      clients,
      environment: {
        LSI_POOL: POOL,
        LSI_RESERVED: JSON.stringify([forGateway.id]),
        LSI_UPDATE_WATCH_SECONDS: '0',
      },
      runtime: { now: () => sim.clock.now(), sleep: (ms) => sim.advance(ms) },
      log: () => {},
    });
    const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {}, resources: [] };
    const run = () => controller(scheduled, undefined) as Promise<EventRunResponse>;

    // checkout's two ENIs take the two unreserved free IPs.
    expect(await run()).toMatchObject({ applied: 2, converged: true });
    const bound = await associations();
    for (const { id } of free) expect(bound[id]).toMatch(/^eipassoc-/);
    // On checkout's ENIs (one per subnet), one each.
    const holders = (await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
    const checkoutEnis = vpc.publicSubnetIds.flatMap((subnetId) =>
      sim.enisOf(subnetId, vpc.securityGroupIds).map((eni) => eni.id),
    );
    expect(
      new Set(
        holders.filter((a) => free.some((f) => f.id === a.AllocationId)).map((a) => a.NetworkInterfaceId),
      ),
    ).toEqual(new Set(checkoutEnis));
    expect(bound[forGateway.id]).toBeUndefined();

    // A scale-out ENI: the reserved address is the only free one, and it stays free.
    await sim.scaleOut('checkout', vpc.publicSubnetIds[0]);
    expect(await run()).toMatchObject({ applied: 0, converged: true });
    const request = { pool: POOL, reserved: [forGateway.id] };
    const exhausted = (await reconcile(clients, request, { dryRun: true })).finalPlan;
    expect(exhausted.problems.map((problem) => problem.code)).toEqual(['PoolExhausted']);
    expect(exhausted.problems[0]?.message).toMatch(/none free \(1 more reserved for another consumer/);
    expect(exhausted.addresses.find((a) => a.allocationId === forGateway.id)?.state).toBe('reserved');
    expect((await associations())[forGateway.id]).toBeUndefined();

    // With --reserve, plan agrees; allocating, apply adds an address rather than take the reserved one
    // (its second look at the pool does not count the reserved address as free either).
    const plan = await cli(['plan', '--pool', POOL, '--reserve', forGateway.id, '--json']);
    expect(plan.json<ApplyDocument>().problems.map((p) => p.code)).toEqual(['PoolExhausted']);
    const applied = await cli([
      'apply',
      '--pool',
      POOL,
      '--reserve',
      forGateway.id,
      '--allocate',
      '--yes',
      '--json',
    ]);
    expect(applied.code).toBe(0);
    const document = applied.json<ApplyDocument & { failed: unknown[] }>();
    expect(document.failed).toEqual([]);
    expect(document.applied).toHaveLength(1);
    expect(document.applied[0]?.allocationId).not.toBe(forGateway.id);
    expect((await associations())[forGateway.id]).toBeUndefined();

    // The gateway the reservation was for takes it.
    const gateway = await clients.ec2.send(
      new CreateNatGatewayCommand({ SubnetId: vpc.publicSubnetIds[1], AllocationId: forGateway.id }),
    );
    expect((await describeGateway(clients.ec2, gateway.NatGateway?.NatGatewayId as string))?.State).toBe(
      'available',
    );
    expect(await run()).toMatchObject({ applied: 0, converged: true });
  });

  it('plan --reserve refuses what is not an allocation id (exit 2, naming it)', async () => {
    const run = await cli(['plan', '--pool', POOL, '--reserve', 'eni-0a1b2c3d']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--reserve.*allocation id "eni-0a1b2c3d" is invalid: expected eipalloc-/);
    expect(run.stdout).toBe('');
  });
});

describe('unbind and switch-check', () => {
  it('unbind refuses without --yes (exit 2, nothing changed) and names a deployed controller', async () => {
    await cli(['apply', '--pool', POOL, '--yes']);
    const before = await associations();
    const refused = await cli(['unbind', '--pool', POOL]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/nothing was changed.*pass --yes/);
    expect(refused.stdout).toBe('');
    expect(await associations()).toEqual(before);

    const role = await createIamClient(localAws().clientOptions()).send(
      new CreateRoleCommand({ RoleName: 'controller', AssumeRolePolicyDocument: '{}' }),
    );
    for (const [name, variables] of [
      ['shop-controller', { LSI_POOL: POOL }],
      ['shop-probe', { LSI_POOL: POOL, LSI_ALLOW_LIST: nat.ip }],
    ] as const) {
      await clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs22.x',
          Role: role.Role?.Arn,
          Handler: 'index.handler',
          Code: { ZipFile: Buffer.from('x') },
          Environment: { Variables: { ...variables } },
        }),
      );
    }
    const run = await cli(['unbind', '--pool', POOL, '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(run.json<{ controllers: string[] }>().controllers).toEqual(['shop-controller']);
    expect(run.stderr).toMatch(
      /controller of pool "shop" is deployed \(shop-controller\): it binds the freed IPs .* again within a minute; remove the HyperplaneEgress construct/,
    );

    const text = await cli(['unbind', '--pool', POOL, '--yes']);
    expect(text.stdout).toMatch(/nothing to unbind/);
  });

  it('unbind exits 2 for a function that does not exist', async () => {
    const run = await cli(['unbind', '--pool', POOL, '--function', 'nope', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/function nope was not found/);
  });

  it('switch-check exits 1 when the pool cannot serve the target even with every IP freed', async () => {
    await cli(['apply', '--pool', POOL, '--yes']);
    const run = await cli(['switch-check', '--pool', POOL, '--to', 'nat', '--gateways', '4']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/not possible: 4 IP\(s\) needed, at most 2 can be freed/);
    expect(run.stdout).toMatch(/Add 2 IP\(s\) to pool "shop"/);

    const freeFirst = await cli(['switch-check', '--pool', POOL, '--to', 'nat', '--gateways', '2', '--json']);
    expect(freeFirst.code).toBe(0);
    expect(freeFirst.json<{ path: string; onNatGateways: number; onLoadBalancers: number }>()).toMatchObject({
      path: 'free-first',
      onNatGateways: 1,
      onLoadBalancers: 2,
    });
    expect(freeFirst.stderr).toMatch(/no in-account controller/);

    const contradictory = await cli(['switch-check', '--pool', POOL, '--to', 'nat', '--enis', '2']);
    expect(contradictory.code).toBe(2);
    expect(contradictory.stderr).toMatch(/--enis counts Lambda ENIs for --to hyperplane/);
  });
});
