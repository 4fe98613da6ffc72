import {
  type Address,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import { combinationKey } from '../../src/core/combination.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { reconcile } from '../../src/reconcile/reconcile.js';
import {
  type AssociationEvent,
  auditAssociations,
  createVpcFixture,
  LambdaSimulator,
  type LocalAws,
} from '../../testbed/index.js';
import { allocateAddress } from './addresses.js';

export const POOL = 'safety';

/**
 * What the account holds, read directly from the local AWS (never through a fault proxy, never stale),
 * and every association change the local AWS made so far.
 */
export interface EndState {
  readonly addresses: readonly Address[];
  readonly poolAddresses: readonly Address[];
  readonly enis: readonly NetworkInterface[];
  /** ENI id -> the pool IPs (allocation ids) it holds. */
  readonly poolIpsByEni: ReadonlyMap<string, readonly string[]>;
  /** The association log up to now (since the last reset). */
  readonly events: readonly AssociationEvent[];
}

export async function readState(localAws: LocalAws): Promise<EndState> {
  const { ec2 } = localAws.serviceClients();
  const addresses = (await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  const enis =
    (
      await ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'interface-type', Values: ['lambda'] }] }),
      )
    ).NetworkInterfaces ?? [];
  const poolAddresses = addresses.filter((address) =>
    address.Tags?.some((tag) => tag.Key === POOL_TAG_KEY && tag.Value === POOL),
  );
  const poolIpsByEni = new Map<string, string[]>();
  for (const address of poolAddresses) {
    if (!address.NetworkInterfaceId) continue;
    poolIpsByEni.set(address.NetworkInterfaceId, [
      ...(poolIpsByEni.get(address.NetworkInterfaceId) ?? []),
      address.AllocationId ?? '',
    ]);
  }
  const { events } = await localAws.associations();
  return { addresses, poolAddresses, enis, poolIpsByEni, events };
}

export interface SafetyWorld {
  readonly sim: LambdaSimulator;
  /** ENIs that carried traffic with a pool IP before the run under test, and the IP each held. */
  readonly serving: ReadonlyMap<string, string>;
  /** ENIs of the pool's (subnet, security groups) combinations, in public subnets. */
  readonly poolEnis: () => readonly string[];
  /** The ENI of a function outside the pool, which must never get a pool IP. */
  readonly outsideEni: string;
  readonly before: EndState;
}

export interface SafetyWorldOptions {
  /** Also leave a pool IP on a retired ENI (a move) and a free pool IP (an associate). @default true */
  readonly moveAndFree?: boolean;
  /** Extra pool functions each adding ENIs that need an IP. @default 1 */
  readonly newFunctions?: number;
}

/**
 * A pool already serving through two ENIs, then changed so that the next apply has every kind of work:
 * a VPC change leaves a pool IP on a retired ENI (move) and creates ENIs without IPs, a new function
 * adds more, one free pool IP waits (associate), and the rest needs --allocate. A function outside the
 * pool has its own ENI next to them.
 */
export async function buildSafetyWorld(
  localAws: LocalAws,
  options: SafetyWorldOptions = {},
): Promise<SafetyWorld> {
  await localAws.reset();
  const clients = localAws.clients();
  const vpc = await createVpcFixture(clients.ec2, { securityGroups: 4 });
  const sim = new LambdaSimulator({ localAws, timings: { eniDeletionDelayMs: 3_600_000 } });
  const [sg1, sg2, sg3, sg4] = vpc.securityGroupIds as [string, string, string, string];
  const [pub1, pub2] = vpc.publicSubnetIds as [string, string];
  const tags = { [POOL_TAG_KEY]: POOL };
  await sim.createFunction({ name: 'checkout', subnetIds: [pub1, pub2], securityGroupIds: [sg1], tags });
  await sim.createFunction({ name: 'reports', subnetIds: [pub1], securityGroupIds: [sg2], tags });
  await sim.createFunction({ name: 'outside', subnetIds: [pub1], securityGroupIds: [sg4] });
  await sim.advance(90_000);
  const first = await reconcile(clients, { pool: POOL, allocate: true });
  if (!first.converged) throw new Error('the safety world did not bind its first pool');

  const serving = new Map<string, string>();
  for (const binding of first.finalPlan.unchanged) {
    if (binding.functions.includes('checkout')) serving.set(binding.networkInterfaceId, binding.allocationId);
  }
  if (options.moveAndFree ?? true) {
    await sim.updateVpcConfig('reports', { subnetIds: [pub1, pub2], securityGroupIds: [sg3] });
    await allocateAddress(clients.ec2, tags);
  }
  for (let index = 0; index < (options.newFunctions ?? 1); index++) {
    await sim.createFunction({
      name: `batch-${index}`,
      subnetIds: [index % 2 === 0 ? pub2 : pub1],
      securityGroupIds: [sg2, ...vpc.securityGroupIds.slice(0, index + 1)].filter(
        (g, i, all) => all.indexOf(g) === i,
      ),
      tags,
    });
  }
  await sim.advance(90_000);

  const poolCombinations = () => {
    const keys = new Set<string>();
    for (const name of sim.functionNames()) {
      if (name === 'outside') continue;
      const view = sim.describe(name);
      for (const config of [view.config, ...view.versions.values()]) {
        for (const subnet of config.subnetIds) keys.add(combinationKey(subnet, config.securityGroupIds));
      }
    }
    return keys;
  };
  const poolEnis = () => {
    const keys = poolCombinations();
    return sim
      .enis()
      .filter((eni) => keys.has(combinationKey(eni.subnetId, eni.securityGroupIds)))
      .map((eni) => eni.id)
      .sort();
  };
  const outsideEni = sim.enisOf(pub1, [sg4])[0]?.id as string;
  return { sim, serving, poolEnis, outsideEni, before: await readState(localAws) };
}

/**
 * The guarantees that hold whatever happened: nothing released, no pool IP outside the pool's ENIs,
 * no serving ENI lost its IP, no ENI with two pool IPs, and — from the association log, since EC2 never
 * leaves two addresses on one ENI but silently displaces the first — no pool ENI ever had its pool IP
 * displaced, taken off or changed for another. Returns the violations (empty when safe).
 */
export function violations(world: SafetyWorld, after: EndState): string[] {
  const problems: string[] = [];
  const kept = new Set(after.addresses.map((address) => address.AllocationId));
  for (const address of world.before.addresses) {
    if (!kept.has(address.AllocationId)) problems.push(`released ${address.AllocationId}`);
  }
  const lambdaEnis = new Set(after.enis.map((eni) => eni.NetworkInterfaceId));
  const retiredOrPool = new Set([...world.poolEnis(), ...world.before.poolIpsByEni.keys()]);
  for (const address of after.poolAddresses) {
    const eni = address.NetworkInterfaceId;
    if (eni && (!lambdaEnis.has(eni) || !retiredOrPool.has(eni)))
      problems.push(`pool IP ${address.AllocationId} on ${eni}, not an ENI of the pool`);
  }
  if (after.poolIpsByEni.has(world.outsideEni))
    problems.push('a pool IP on the ENI of a function outside the pool');
  for (const [eni, allocationId] of world.serving) {
    const now = after.poolIpsByEni.get(eni) ?? [];
    if (now.length !== 1 || now[0] !== allocationId)
      problems.push(`serving ENI ${eni} lost ${allocationId}: now ${now}`);
  }
  const mark = (world.before.events.at(-1)?.seq ?? -1) + 1;
  const poolIds = new Set(
    [...world.before.poolAddresses, ...after.poolAddresses].map((address) => address.AllocationId ?? ''),
  );
  const initial = new Map([...world.before.poolIpsByEni].map(([eni, ips]) => [eni, ips[0] ?? '']));
  const audit = auditAssociations(
    after.events.filter((event) => event.seq >= mark),
    new Set(world.poolEnis()),
    poolIds,
    initial,
  );
  for (const event of audit.takenOff) {
    problems.push(
      `pool IP ${event.allocationId} ${event.event === 'associated' ? `moved off ${event.movedFrom}` : `${event.event} from ${event.networkInterfaceId}`}${event.by ? ` by ${event.by}` : ''}`,
    );
  }
  for (const [eni, sequence] of audit.changed) problems.push(`ENI ${eni} held ${sequence.join(' then ')}`);
  for (const event of audit.released) problems.push(`released ${event.allocationId} (event)`);
  return problems;
}
