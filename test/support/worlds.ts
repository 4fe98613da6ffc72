import fc from 'fast-check';
import { combinationKey } from '../../src/core/combination.js';
import type {
  DesiredPool,
  Observation,
  ObservedAddress,
  ObservedEni,
  ObservedFunction,
  ObservedSubnet,
} from '../../src/core/model.js';
import type { Plan } from '../../src/core/plan.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';

/** The pool every generated world is planned for. */
export const POOL = 'payments';

const SUBNETS = ['subnet-a', 'subnet-b', 'subnet-c', 'subnet-d'];
const GROUPS = ['sg-1', 'sg-2', 'sg-3'];

/**
 * A well-formed world: consistent associations, one IP per ENI, ENIs only where a combination exists or
 * existed; some addresses (free or bound, the pool's or not) reserved for another consumer of the pool.
 */
export const worldArbitrary: fc.Arbitrary<{ observation: Observation; desired: DesiredPool }> = fc
  .record({
    publicSubnets: fc.subarray(SUBNETS, { minLength: 1 }),
    functions: fc.array(
      fc.record({
        subnets: fc.subarray(SUBNETS, { minLength: 1, maxLength: 3 }),
        groups: fc.subarray(GROUPS, { minLength: 1 }),
        inPool: fc.boolean(),
        versions: fc.integer({ min: 0, max: 2 }),
      }),
      { maxLength: 6 },
    ),
    retiredCombos: fc.array(
      fc.record({ subnet: fc.constantFrom(...SUBNETS), groups: fc.subarray(GROUPS, { minLength: 1 }) }),
      {
        maxLength: 3,
      },
    ),
    extraEnis: fc.array(fc.boolean(), { maxLength: 8 }),
    addresses: fc.array(
      fc.record({
        owner: fc.constantFrom('pool', 'pool', 'pool', 'other-pool', 'untagged'),
        // A subnet it served, or the ENI it was allocated for and not bound to yet (allocatedForTag).
        lastSubnet: fc.option(
          fc.constantFrom(
            ...SUBNETS,
            ...['000', '001', '002', '003'].map((eni) => `allocated-for:eni-${eni}`),
          ),
          { nil: undefined },
        ),
        bindTo: fc.nat(20),
        bound: fc.constantFrom('eni', 'free', 'free', 'instance'),
        foreignBorderGroup: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      }),
      { maxLength: 10 },
    ),
    /** Which addresses (by index) another consumer of the pool holds or is about to take. */
    reserve: fc.array(fc.constantFrom(false, false, true), { maxLength: 10 }),
    updatesInProgress: fc.constantFrom<Observation['updatesInProgress']>('none', 'none', 'some', 'unknown'),
    allocate: fc.boolean(),
    maxIps: fc.integer({ min: 0, max: 12 }),
    spares: fc.integer({ min: 0, max: 3 }),
  })
  .map((spec) => {
    const functions: ObservedFunction[] = [];
    spec.functions.forEach((fn, index) => {
      for (let version = 0; version <= fn.versions; version++) {
        functions.push({
          name: `fn-${index}`,
          version: version === 0 ? '$LATEST' : String(version),
          arn: `arn:aws:lambda:us-east-1:123456789012:function:fn-${index}${version === 0 ? '' : `:${version}`}`,
          subnetIds: [...fn.subnets].sort(),
          securityGroupIds: [...fn.groups].sort(),
          inPool: fn.inPool,
        });
      }
    });
    const combos = new Map<string, { subnet: string; groups: string[] }>();
    for (const fn of functions) {
      for (const subnet of fn.subnetIds)
        combos.set(combinationKey(subnet, fn.securityGroupIds), { subnet, groups: [...fn.securityGroupIds] });
    }
    for (const retired of spec.retiredCombos) {
      combos.set(combinationKey(retired.subnet, retired.groups), {
        subnet: retired.subnet,
        groups: [...retired.groups].sort(),
      });
    }
    const enis: Array<ObservedEni & { association?: ObservedEni['association'] }> = [];
    let eniIndex = 0;
    [...combos.values()].forEach((combo, comboIndex) => {
      const count = spec.extraEnis[comboIndex] ? 2 : 1;
      for (let n = 0; n < count; n++) {
        enis.push({
          id: `eni-${String(eniIndex++).padStart(3, '0')}`,
          subnetId: combo.subnet,
          vpcId: 'vpc-1',
          availabilityZone: `us-east-1${combo.subnet.slice(-1)}`,
          securityGroupIds: combo.groups,
          description: 'AWS Lambda VPC ENI-x',
        });
      }
    });
    const taken = new Set<string>();
    const addresses: ObservedAddress[] = spec.addresses.map((address, index) => {
      const allocationId = `eipalloc-${String(index).padStart(4, '0')}`;
      const publicIp = `198.51.100.${index + 1}`;
      const tags: Record<string, string> = {};
      if (address.owner === 'pool') tags[POOL_TAG_KEY] = POOL;
      if (address.owner === 'other-pool') tags[POOL_TAG_KEY] = 'other';
      if (address.lastSubnet) tags['lambda-static-ip:last-subnet'] = address.lastSubnet;
      const base = {
        allocationId,
        publicIp,
        tags,
        ...(address.foreignBorderGroup ? { networkBorderGroup: 'us-west-2-lax-1' } : {}),
      };
      if (address.bound === 'instance')
        return { ...base, associationId: `eipassoc-${index}`, instanceId: `i-${index}` };
      const target = enis.length > 0 ? enis[address.bindTo % enis.length] : undefined;
      if (address.bound === 'eni' && target && !taken.has(target.id)) {
        taken.add(target.id);
        const associationId = `eipassoc-${index}`;
        target.association = { publicIp, allocationId, associationId };
        return { ...base, associationId, networkInterfaceId: target.id };
      }
      return base;
    });
    const subnets: ObservedSubnet[] = SUBNETS.map((id) => ({
      id,
      vpcId: 'vpc-1',
      availabilityZone: `us-east-1${id.slice(-1)}`,
      routesToInternetGateway: spec.publicSubnets.includes(id),
    }));
    const observation: Observation = {
      region: 'us-east-1',
      addresses,
      enis,
      functions,
      subnets,
      functionsWithoutVpc: [],
      updatesInProgress: spec.updatesInProgress,
    };
    const reserved = addresses
      .filter((_, index) => spec.reserve[index])
      .map((address) => address.allocationId);
    const desired: DesiredPool = {
      pool: POOL,
      allocate: spec.allocate,
      maxIps: spec.maxIps,
      spares: spec.spares,
      ...(reserved.length > 0 ? { reserved } : {}),
    };
    return { observation, desired };
  });

/** The world after a plan's actions took effect, as AWS would apply them (a model for property tests). */
export function applyToWorld(observation: Observation, planned: Plan): Observation {
  let addresses = observation.addresses.map((address) => ({ ...address }));
  const enis = observation.enis.map((eni) => ({ ...eni }));
  let created = 0;
  const bind = (allocationId: string, eniId: string) => {
    const address = addresses.find((a) => a.allocationId === allocationId);
    const eni = enis.find((e) => e.id === eniId);
    if (!address || !eni) throw new Error(`bind of unknown ${allocationId} / ${eniId}`);
    if (address.associationId)
      throw new Error(`${allocationId} is still associated: AllowReassociation=false would fail`);
    const associationId = `eipassoc-new-${created++}`;
    Object.assign(address, { associationId, networkInterfaceId: eniId });
    eni.association = { publicIp: address.publicIp, allocationId, associationId };
  };
  for (const action of planned.actions) {
    if (action.kind === 'associate') bind(action.allocationId, action.networkInterfaceId);
    if (action.kind === 'move') {
      const from = enis.find((e) => e.id === action.fromNetworkInterfaceId);
      const address = addresses.find((a) => a.allocationId === action.allocationId);
      if (!from || !address || address.associationId !== action.fromAssociationId)
        throw new Error('stale move');
      delete from.association;
      addresses = addresses.map((a) =>
        a.allocationId === action.allocationId
          ? { allocationId: a.allocationId, publicIp: a.publicIp, tags: a.tags }
          : a,
      );
      bind(action.allocationId, action.networkInterfaceId);
    }
    if (action.kind === 'allocate') {
      const allocationId = `eipalloc-new-${created++}`;
      addresses.push({
        allocationId,
        publicIp: `203.0.113.${created}`,
        tags: { [POOL_TAG_KEY]: planned.pool },
      });
      if (action.networkInterfaceId) bind(allocationId, action.networkInterfaceId);
    }
  }
  return { ...observation, addresses, enis };
}

/** A copy of the observation with every list in another order. */
export function shuffled(observation: Observation, seed: number): Observation {
  const random = fc.sample(fc.integer(), { seed, numRuns: 1 })[0] ?? 0;
  const rotate = <T>(items: readonly T[]) => {
    if (items.length === 0) return [...items];
    const by = Math.abs(random) % items.length;
    return [...items.slice(by), ...items.slice(0, by)].reverse();
  };
  return {
    ...observation,
    addresses: rotate(observation.addresses),
    enis: rotate(observation.enis),
    functions: rotate(observation.functions),
    subnets: rotate(observation.subnets),
  };
}
