import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combinationKey } from '../../src/core/combination.js';
import type {
  DesiredPool,
  Observation,
  ObservedAddress,
  ObservedEni,
  ObservedFunction,
} from '../../src/core/model.js';
import { plan } from '../../src/core/plan.js';
import { allocatedForTag, LAST_SUBNET_TAG_KEY, POOL_TAG_KEY } from '../../src/core/pool.js';
import { applyToWorld, POOL, shuffled, worldArbitrary } from '../support/worlds.js';

const RUNS = { numRuns: 400, seed: 20261126 };

describe('plan: properties', () => {
  it('never throws on a well-formed world', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        plan(observation, desired);
      }),
      RUNS,
    );
  });

  it('converges in one apply: the world after the plan plans nothing more', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        const first = plan(observation, desired);
        const after = applyToWorld(observation, first);
        const second = plan(after, desired);
        expect(second.actions).toEqual([]);
      }),
      RUNS,
    );
  });

  it('plans nothing for a converged world (idempotent)', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        const converged = applyToWorld(observation, plan(observation, desired));
        const again = plan(converged, desired);
        expect(plan(applyToWorld(converged, again), desired)).toEqual(again);
      }),
      RUNS,
    );
  });

  it('never touches an address without this pool tag, and never takes an IP off an ENI anything uses', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        const owned = new Set(
          observation.addresses.filter((a) => a.tags[POOL_TAG_KEY] === POOL).map((a) => a.allocationId),
        );
        const used = new Set(
          observation.functions.flatMap((fn) =>
            fn.subnetIds.map((s) => combinationKey(s, fn.securityGroupIds)),
          ),
        );
        for (const action of plan(observation, desired).actions) {
          if (action.kind === 'allocate') continue;
          expect(owned.has(action.allocationId)).toBe(true);
          if (action.kind === 'move') {
            const from = observation.enis.find(
              (eni) => eni.id === action.fromNetworkInterfaceId,
            ) as ObservedEni;
            expect(used.has(combinationKey(from.subnetId, from.securityGroupIds))).toBe(false);
            expect(observation.updatesInProgress).toBe('none');
          }
        }
      }),
      RUNS,
    );
  });

  it('uses each address at most once and gives each ENI at most one IP', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        const actions = plan(observation, desired).actions;
        const addresses = actions.flatMap((a) => (a.kind === 'allocate' ? [] : [a.allocationId]));
        const enis = actions.flatMap((a) => (a.networkInterfaceId ? [a.networkInterfaceId] : []));
        expect(new Set(addresses).size).toBe(addresses.length);
        expect(new Set(enis).size).toBe(enis.length);
      }),
      RUNS,
    );
  });

  it('does not depend on the order of its inputs', () => {
    fc.assert(
      fc.property(worldArbitrary, fc.integer(), ({ observation, desired }, seed) => {
        const reordered = desired.reserved
          ? { ...desired, reserved: [...desired.reserved].reverse() }
          : desired;
        expect(plan(shuffled(observation, seed), reordered)).toEqual(plan(observation, desired));
      }),
      RUNS,
    );
  });

  it('never touches a reserved address: never bound, moved, counted as a spare or shown free', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        const reserved = new Set(desired.reserved ?? []);
        const first = plan(observation, desired);
        for (const action of first.actions) {
          if (action.kind !== 'allocate') expect(reserved.has(action.allocationId)).toBe(false);
        }
        for (const view of first.addresses) {
          if (reserved.has(view.allocationId)) expect(['free', 'on-retired-eni']).not.toContain(view.state);
        }
        // Spares: only unreserved free IPs, IPs on retired ENIs and planned allocations count.
        const ready = first.addresses.filter((a) => a.state === 'free' || a.state === 'on-retired-eni');
        const spareAllocations = first.actions.filter((a) => a.kind === 'allocate' && a.purpose === 'spare');
        expect(first.spares.available).toBeLessThanOrEqual(ready.length + spareAllocations.length);
        // And after the plan is applied, every reserved address is exactly where it was.
        const after = applyToWorld(observation, first);
        const where = (world: Observation) =>
          world.addresses
            .filter((a) => reserved.has(a.allocationId))
            .map((a) => [a.allocationId, a.associationId, a.networkInterfaceId]);
        expect(where(after)).toEqual(where(observation));
      }),
      RUNS,
    );
  });

  it('leaves every pool ENI in a public subnet with a pool IP, or explains why not', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        const first = plan(observation, desired);
        const after = plan(applyToWorld(observation, first), desired);
        const poolCombos = new Set(
          observation.functions
            .filter((fn) => fn.inPool)
            .flatMap((fn) => fn.subnetIds.map((s) => combinationKey(s, fn.securityGroupIds))),
        );
        const publicSubnets = new Set(
          observation.subnets.filter((s) => s.routesToInternetGateway).map((s) => s.id),
        );
        for (const eni of observation.enis) {
          if (
            !poolCombos.has(combinationKey(eni.subnetId, eni.securityGroupIds)) ||
            !publicSubnets.has(eni.subnetId)
          )
            continue;
          const bound = after.unchanged.some((u) => u.networkInterfaceId === eni.id);
          const explained = after.problems.some(
            (p) =>
              p.networkInterfaceId === eni.id && (p.code === 'PoolExhausted' || p.code === 'ForeignAddress'),
          );
          expect(bound || explained).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('keeps the spares asked for after one apply, or reports SparesShort with the reason', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        const after = applyToWorld(observation, plan(observation, desired));
        const second = plan(after, desired);
        const short = second.problems.find((p) => p.code === 'SparesShort');
        if (!short) {
          expect(second.spares.available).toBeGreaterThanOrEqual(desired.spares);
          return;
        }
        const poolSize = after.addresses.filter((a) => a.tags[POOL_TAG_KEY] === POOL).length;
        if (desired.allocate) expect(poolSize).toBeGreaterThanOrEqual(desired.maxIps);
        expect(short.message).toMatch(desired.allocate ? /--max-ips/ : /--allocate/);
      }),
      RUNS,
    );
  });

  it('moves an IP off a retired ENI only to bind an ENI that has none', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        for (const action of plan(observation, desired).actions) {
          if (action.kind !== 'move') continue;
          const target = observation.enis.find((eni) => eni.id === action.networkInterfaceId);
          expect(target?.association).toBeUndefined();
        }
      }),
      RUNS,
    );
  });

  it("from a cached observation, plans exactly the full plan's bindings of free addresses, and nothing else", () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        const cached = plan({ ...observation, cached: true }, desired);
        expect(cached.actions.every((action) => action.kind === 'associate')).toBe(true);
        // Free addresses go where the full plan would put them when it does not need a move or an
        // allocation; where it does, the cached plan binds no more than the free addresses allow.
        const full = plan(observation, desired);
        const fullAssociations = full.actions.filter((action) => action.kind === 'associate');
        if (full.actions.length === fullAssociations.length) expect(cached.actions).toEqual(full.actions);
        // Retired ENIs still count as ready, though they give nothing up here.
        expect(cached.spares.available).toBeGreaterThanOrEqual(
          full.spares.available - full.actions.filter((action) => action.kind === 'allocate').length,
        );
      }),
      RUNS,
    );
  });

  it('chooses the same address for an ENI whatever bindings other runs already made (views differing by them)', () => {
    fc.assert(
      fc.property(worldArbitrary, fc.array(fc.boolean()), ({ observation, desired }, pick) => {
        const first = plan(observation, desired);
        // Another run already applied some of the bindings this plan makes: this run's view includes them.
        const done = first.actions.filter(
          (action, index) => action.kind !== 'allocate' && (pick[index % Math.max(1, pick.length)] ?? false),
        );
        const seen = applyToWorld(observation, { ...first, actions: done });
        // Every binding still to make is the one the first plan chose: the same address for the same ENI.
        expect(plan(seen, desired).actions).toEqual(first.actions.filter((action) => !done.includes(action)));
      }),
      RUNS,
    );
  });

  it('plans from a view in which either read misses some associations only what is safe in truth', () => {
    fc.assert(
      fc.property(worldArbitrary, fc.array(fc.constantFrom('both', 'eni', 'address')), (generated, sides) => {
        const { desired } = generated;
        // The truth, with this plan's bindings made; then a view in which, per association, the ENI read
        // or the address read is behind (as two separate, eventually consistent describes can be).
        const truth = applyToWorld(generated.observation, plan(generated.observation, desired));
        const stale = forgetOneSide(truth, sides);
        const takenInTruth = new Set(
          truth.addresses.filter((a) => a.associationId).map((a) => a.allocationId),
        );
        for (const action of plan(stale, desired).actions) {
          if (!action.networkInterfaceId) continue;
          const target = truth.enis.find((candidate) => candidate.id === action.networkInterfaceId);
          // Never a second address on an ENI that holds one: EC2 would displace the first.
          expect(target?.association).toBeUndefined();
          if (action.kind === 'associate') expect(takenInTruth.has(action.allocationId)).toBe(false);
          if (action.kind === 'move') {
            const from = truth.enis.find((candidate) => candidate.id === action.fromNetworkInterfaceId);
            expect(from?.association?.associationId).toBe(action.fromAssociationId);
          }
        }
      }),
      RUNS,
    );
  });

  it('never grows the pool beyond --max-ips, and allocates only with --allocate', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ observation, desired }) => {
        const allocations = plan(observation, desired).actions.filter((a) => a.kind === 'allocate').length;
        if (!desired.allocate) expect(allocations).toBe(0);
        const poolSize = observation.addresses.filter((a) => a.tags[POOL_TAG_KEY] === POOL).length;
        if (allocations > 0) expect(poolSize + allocations).toBeLessThanOrEqual(desired.maxIps);
      }),
      RUNS,
    );
  });
});

// --- Examples -------------------------------------------------------------------------------------

const desired: DesiredPool = { pool: POOL, allocate: false, maxIps: 16, spares: 0 };

function fn(
  name: string,
  subnets: string[],
  groups: string[],
  inPool = true,
  version = '$LATEST',
): ObservedFunction {
  return {
    name,
    version,
    arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    subnetIds: subnets,
    securityGroupIds: groups,
    inPool,
  };
}
function eni(
  id: string,
  subnetId: string,
  groups: string[],
  association?: ObservedEni['association'],
): ObservedEni {
  return {
    id,
    subnetId,
    vpcId: 'vpc-1',
    availabilityZone: 'us-east-1a',
    securityGroupIds: groups,
    description: '',
    ...(association ? { association } : {}),
  };
}
function address(
  id: string,
  tags: Record<string, string> = { [POOL_TAG_KEY]: POOL },
  on?: string,
): ObservedAddress {
  return {
    allocationId: id,
    publicIp: `198.51.100.${id.slice(-1)}`,
    tags,
    ...(on ? { associationId: `eipassoc-${id.slice(-1)}`, networkInterfaceId: on } : {}),
  };
}
function bound(a: ObservedAddress) {
  return { publicIp: a.publicIp, allocationId: a.allocationId, associationId: a.associationId as string };
}
/**
 * The view two separate, eventually consistent reads could give of `truth`: per association, in turn,
 * both reads show it, or the ENI read misses it, or the address read misses it.
 */
function forgetOneSide(truth: Observation, sides: ReadonlyArray<'both' | 'eni' | 'address'>): Observation {
  const side = (index: number) => sides[index % Math.max(1, sides.length)] ?? 'both';
  const forgotten = new Map<string, 'eni' | 'address'>();
  let index = 0;
  for (const candidate of truth.addresses) {
    if (!candidate.networkInterfaceId) continue;
    const which = side(index++);
    if (which !== 'both') forgotten.set(candidate.allocationId, which);
  }
  return {
    ...truth,
    addresses: truth.addresses.map((candidate) =>
      forgotten.get(candidate.allocationId) === 'address'
        ? { allocationId: candidate.allocationId, publicIp: candidate.publicIp, tags: candidate.tags }
        : candidate,
    ),
    enis: truth.enis.map((candidate) => {
      const held = candidate.association?.allocationId;
      if (!held || forgotten.get(held) !== 'eni') return candidate;
      const { association: _, ...rest } = candidate;
      return rest;
    }),
  };
}

function world(partial: Partial<Observation>): Observation {
  return {
    region: 'us-east-1',
    addresses: [],
    enis: [],
    functions: [],
    subnets: ['subnet-a', 'subnet-b'].map((id) => ({
      id,
      vpcId: 'vpc-1',
      availabilityZone: 'us-east-1a',
      routesToInternetGateway: true,
    })),
    functionsWithoutVpc: [],
    updatesInProgress: 'none',
    ...partial,
  };
}

describe('plan: examples', () => {
  it('gives a replacement ENI the IP that last served its subnet', () => {
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a', 'subnet-b'], ['sg-1'])],
        enis: [eni('eni-a', 'subnet-a', ['sg-1']), eni('eni-b', 'subnet-b', ['sg-1'])],
        addresses: [
          address('eipalloc-1', { [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: 'subnet-b' }),
          address('eipalloc-2', { [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: 'subnet-a' }),
        ],
      }),
      desired,
    );
    expect(result.actions).toEqual([
      expect.objectContaining({
        kind: 'associate',
        allocationId: 'eipalloc-2',
        networkInterfaceId: 'eni-a',
        reason: 'last-subnet',
      }),
      expect.objectContaining({
        kind: 'associate',
        allocationId: 'eipalloc-1',
        networkInterfaceId: 'eni-b',
        reason: 'last-subnet',
      }),
    ]);
    expect(result.rememberSubnet).toEqual({});
  });

  it('gives an address allocated for an ENI and not bound yet to that ENI first, and to none of its neighbours before others', () => {
    // Another run allocated eipalloc-1 for eni-a and is about to bind it: a run whose view of eni-a is
    // stale must bind the same address there (idempotent), and never take it for eni-b.
    const forA = address('eipalloc-1', {
      [POOL_TAG_KEY]: POOL,
      [LAST_SUBNET_TAG_KEY]: allocatedForTag('eni-a'),
    });
    const lastServedA = address('eipalloc-2', { [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: 'subnet-a' });
    const neverServed = address('eipalloc-3');
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a'], ['sg-1']), fn('web', ['subnet-a'], ['sg-2'])],
        enis: [eni('eni-a', 'subnet-a', ['sg-1']), eni('eni-b', 'subnet-a', ['sg-2'])],
        addresses: [forA, lastServedA, neverServed],
      }),
      desired,
    );
    expect(result.actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'associate',
          allocationId: 'eipalloc-1',
          networkInterfaceId: 'eni-a',
        }),
        expect.objectContaining({
          kind: 'associate',
          allocationId: 'eipalloc-2',
          networkInterfaceId: 'eni-b',
        }),
      ]),
    );
    expect(result.actions).toHaveLength(2);
    // Bound, it serves subnet-a from then on; until then it shows no last subnet.
    expect(result.rememberSubnet).toEqual({ 'eipalloc-1': 'subnet-a' });
    expect(result.addresses.find((view) => view.allocationId === 'eipalloc-1')?.lastSubnetId).toBeUndefined();
  });

  it('reports PoolExhausted for the ENIs left over while binding the others', () => {
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a', 'subnet-b'], ['sg-1'])],
        enis: [eni('eni-a', 'subnet-a', ['sg-1']), eni('eni-b', 'subnet-b', ['sg-1'])],
        addresses: [address('eipalloc-1')],
      }),
      desired,
    );
    expect(result.actions).toHaveLength(1);
    expect(result.problems.map((p) => [p.code, p.networkInterfaceId])).toEqual([['PoolExhausted', 'eni-b']]);
    expect(result.problems[0]?.message).toMatch(/pass --allocate/);
  });

  it('allocates with --allocate, up to --max-ips', () => {
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a', 'subnet-b'], ['sg-1'])],
        enis: [eni('eni-a', 'subnet-a', ['sg-1']), eni('eni-b', 'subnet-b', ['sg-1'])],
      }),
      { ...desired, allocate: true, maxIps: 1 },
    );
    expect(result.actions).toEqual([
      { kind: 'allocate', purpose: 'bind', networkInterfaceId: 'eni-a', subnetId: 'subnet-a' },
    ]);
    expect(result.problems[0]?.message).toMatch(/--max-ips 1/);
  });

  it('never uses foreign or other-pool IPs, and reports an ENI holding one without changing it', () => {
    const foreign = address('eipalloc-7', {}, 'eni-a');
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a', 'subnet-b'], ['sg-1'])],
        enis: [eni('eni-a', 'subnet-a', ['sg-1'], bound(foreign)), eni('eni-b', 'subnet-b', ['sg-1'])],
        addresses: [foreign, address('eipalloc-8', { [POOL_TAG_KEY]: 'other' }), address('eipalloc-9', {})],
      }),
      desired,
    );
    expect(result.actions).toEqual([]);
    expect(result.problems.map((p) => p.code).sort()).toEqual(['ForeignAddress', 'PoolExhausted']);
  });

  it('names functions outside the pool that share a bound ENI', () => {
    const ip = address('eipalloc-1', undefined, 'eni-a');
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a'], ['sg-1']), fn('reports', ['subnet-a'], ['sg-1'], false)],
        enis: [eni('eni-a', 'subnet-a', ['sg-1'], bound(ip))],
        addresses: [ip],
      }),
      desired,
    );
    expect(result.unchanged).toEqual([
      expect.objectContaining({ networkInterfaceId: 'eni-a', functions: ['api', 'reports'] }),
    ]);
    expect(result.problems).toEqual([expect.objectContaining({ code: 'SharedEni', functions: ['reports'] })]);
  });

  it('does not bind ENIs in a subnet without a route to an internet gateway', () => {
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a'], ['sg-1'])],
        enis: [eni('eni-a', 'subnet-a', ['sg-1'])],
        addresses: [address('eipalloc-1')],
        subnets: [
          { id: 'subnet-a', vpcId: 'vpc-1', availabilityZone: 'us-east-1a', routesToInternetGateway: false },
        ],
      }),
      desired,
    );
    expect(result.actions).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'SubnetNotPublic', subnetId: 'subnet-a' }),
    ]);
  });

  it('leaves pool IPs on NAT gateway and NLB ENIs alone, without a problem, and never counts them free', () => {
    const onNat = address('eipalloc-1', undefined, 'eni-nat');
    const onNlb = address('eipalloc-2', undefined, 'eni-nlb');
    const onOther = address('eipalloc-3', undefined, 'eni-other');
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a'], ['sg-1'])],
        enis: [eni('eni-a', 'subnet-a', ['sg-1'])],
        addresses: [onNat, onNlb, onOther],
        addressInterfaces: [
          { id: 'eni-nat', interfaceType: 'nat_gateway', description: 'Interface for NAT Gateway nat-1' },
          { id: 'eni-nlb', interfaceType: 'network_load_balancer', description: 'ELB net/in/1' },
          { id: 'eni-other', interfaceType: 'interface', description: '' },
        ],
      }),
      { ...desired, spares: 1 },
    );
    expect(result.actions).toEqual([]);
    expect(result.addresses.map((a) => [a.allocationId, a.state])).toEqual([
      ['eipalloc-1', 'on-nat-gateway'],
      ['eipalloc-2', 'on-load-balancer'],
      ['eipalloc-3', 'elsewhere'],
    ]);
    expect(result.problems.map((p) => [p.code, p.allocationId ?? p.networkInterfaceId]).sort()).toEqual([
      ['PoolAddressElsewhere', 'eipalloc-3'],
      ['PoolExhausted', 'eni-a'],
      ['SparesShort', undefined],
    ]);
  });

  it('says a subnet routed to a NAT gateway already has egress, and how to take its functions out of the pool', () => {
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a'], ['sg-1'])],
        enis: [eni('eni-a', 'subnet-a', ['sg-1'])],
        subnets: [
          {
            id: 'subnet-a',
            vpcId: 'vpc-1',
            availabilityZone: 'us-east-1a',
            routesToInternetGateway: false,
            natGatewayId: 'nat-1',
          },
        ],
      }),
      desired,
    );
    expect(result.problems).toEqual([expect.objectContaining({ code: 'SubnetNotPublic' })]);
    expect(result.problems[0]?.message).toMatch(/NAT gateway nat-1.*take them out of pool "payments"/);
  });

  it('moves an IP off a retired ENI only when no update is in flight', () => {
    const ip = address('eipalloc-1', { [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: 'subnet-a' }, 'eni-old');
    const base = world({
      functions: [fn('api', ['subnet-a'], ['sg-2'])],
      enis: [eni('eni-old', 'subnet-a', ['sg-1'], bound(ip)), eni('eni-new', 'subnet-a', ['sg-2'])],
      addresses: [ip],
    });
    expect(plan(base, desired).actions).toEqual([
      {
        kind: 'move',
        allocationId: 'eipalloc-1',
        publicIp: ip.publicIp,
        fromNetworkInterfaceId: 'eni-old',
        fromAssociationId: ip.associationId,
        networkInterfaceId: 'eni-new',
        subnetId: 'subnet-a',
      },
    ]);
    for (const updatesInProgress of ['some', 'unknown'] as const) {
      const waiting = plan({ ...base, updatesInProgress }, desired);
      expect(waiting.actions).toEqual([]);
      expect(waiting.problems.map((p) => p.code)).toEqual(['RetirementUnconfirmed', 'PoolExhausted']);
    }
  });

  it('never moves or allocates from a cached observation, and says a full observation decides', () => {
    const ip = address('eipalloc-1', { [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: 'subnet-a' }, 'eni-old');
    const base = world({
      functions: [fn('api', ['subnet-a'], ['sg-2'])],
      enis: [eni('eni-old', 'subnet-a', ['sg-1'], bound(ip)), eni('eni-new', 'subnet-a', ['sg-2'])],
      addresses: [ip],
    });
    expect(plan(base, desired).actions.map((action) => action.kind)).toEqual(['move']);
    const cached = plan({ ...base, cached: true }, { ...desired, allocate: true, spares: 1 });
    expect(cached.actions).toEqual([]);
    expect(cached.problems.find((p) => p.code === 'PoolExhausted')?.message).toMatch(
      /a full observation decides whether an IP can be moved or allocated/,
    );
    // The retired ENI's IP still counts as ready for the next ENI.
    expect(cached.spares.available).toBe(1);
  });

  it('prefers a free IP over a retired one, unless the retired one served the same subnet', () => {
    const old = address('eipalloc-1', { [POOL_TAG_KEY]: POOL }, 'eni-old');
    const spare = address('eipalloc-2', { [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: 'subnet-b' });
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a', 'subnet-b'], ['sg-2'])],
        enis: [
          eni('eni-old', 'subnet-a', ['sg-1'], bound(old)),
          eni('eni-new-a', 'subnet-a', ['sg-2']),
          eni('eni-new-b', 'subnet-b', ['sg-2']),
        ],
        addresses: [old, spare],
      }),
      desired,
    );
    expect(
      result.actions.map((a) => [a.kind, 'allocationId' in a ? a.allocationId : '', a.networkInterfaceId]),
    ).toEqual([
      ['move', 'eipalloc-1', 'eni-new-a'],
      ['associate', 'eipalloc-2', 'eni-new-b'],
    ]);
  });

  it('keeps a published version’s ENI bound: a version keeps its combination alive', () => {
    const ip = address('eipalloc-1', undefined, 'eni-v1');
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a'], ['sg-2']), fn('api', ['subnet-a'], ['sg-1'], true, '1')],
        enis: [eni('eni-v1', 'subnet-a', ['sg-1'], bound(ip)), eni('eni-latest', 'subnet-a', ['sg-2'])],
        addresses: [ip],
      }),
      desired,
    );
    expect(result.actions).toEqual([]);
    expect(result.unchanged).toEqual([
      expect.objectContaining({ networkInterfaceId: 'eni-v1', functions: ['api:1'] }),
    ]);
  });

  it('tops the pool up to the spares asked for, counting IPs on retired ENIs as ready', () => {
    const old = address('eipalloc-1', { [POOL_TAG_KEY]: POOL }, 'eni-old');
    const base = world({
      functions: [fn('api', ['subnet-a'], ['sg-2'])],
      enis: [eni('eni-old', 'subnet-a', ['sg-1'], bound(old))],
      addresses: [old],
    });
    const withSpares = plan(base, { ...desired, allocate: true, spares: 3 });
    expect(withSpares.actions).toEqual([
      { kind: 'allocate', purpose: 'spare' },
      { kind: 'allocate', purpose: 'spare' },
    ]);
    expect(withSpares.spares).toEqual({ wanted: 3, available: 3, neededForZeroDowntimeChange: 1 });
    const without = plan(base, { ...desired, spares: 3 });
    expect(without.actions).toEqual([]);
    expect(without.problems.map((p) => p.code)).toEqual(['NoEniYet', 'SparesShort']);
  });

  it('binds a new ENI to an unreserved free IP, and reports PoolExhausted rather than take a reserved one', () => {
    const forNat = address('eipalloc-1', { [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: 'subnet-a' });
    const spare = address('eipalloc-2');
    const base = world({
      functions: [fn('api', ['subnet-a'], ['sg-1'])],
      enis: [eni('eni-a', 'subnet-a', ['sg-1'])],
      addresses: [forNat, spare],
    });
    const reserving = { ...desired, spares: 1, reserved: ['eipalloc-1'] };
    // The reserved IP even served this subnet last: still not taken.
    const result = plan(base, reserving);
    expect(result.actions).toEqual([
      expect.objectContaining({ kind: 'associate', allocationId: 'eipalloc-2', networkInterfaceId: 'eni-a' }),
    ]);
    expect(result.addresses.map((a) => [a.allocationId, a.state])).toEqual([
      ['eipalloc-1', 'reserved'],
      ['eipalloc-2', 'free'],
    ]);
    expect(result.spares.available).toBe(0);
    expect(result.problems.map((p) => p.code)).toEqual(['SparesShort']);

    const exhausted = plan({ ...base, addresses: [forNat] }, reserving);
    expect(exhausted.actions).toEqual([]);
    expect(exhausted.problems.map((p) => p.code)).toEqual(['PoolExhausted', 'SparesShort']);
    expect(exhausted.problems[0]?.message).toMatch(
      /has none free \(1 more reserved for another consumer of the pool\)/,
    );
  });

  it('leaves a reserved IP found on a pool ENI bound, warns with the fix, and never moves one off a retired ENI', () => {
    const onPoolEni = address('eipalloc-1', undefined, 'eni-a');
    const onRetired = address('eipalloc-2', undefined, 'eni-old');
    const result = plan(
      world({
        functions: [fn('api', ['subnet-a'], ['sg-1']), fn('worker', ['subnet-b'], ['sg-1'])],
        enis: [
          eni('eni-a', 'subnet-a', ['sg-1'], bound(onPoolEni)),
          eni('eni-old', 'subnet-a', ['sg-2'], bound(onRetired)),
          eni('eni-b', 'subnet-b', ['sg-1']),
        ],
        addresses: [onPoolEni, onRetired],
      }),
      { ...desired, reserved: ['eipalloc-1', 'eipalloc-2'] },
    );
    expect(result.actions).toEqual([]);
    expect(result.unchanged).toEqual([
      expect.objectContaining({ networkInterfaceId: 'eni-a', allocationId: 'eipalloc-1' }),
    ]);
    expect(result.addresses.map((a) => [a.allocationId, a.state])).toEqual([
      ['eipalloc-1', 'bound'],
      ['eipalloc-2', 'reserved'],
    ]);
    expect(result.problems.map((p) => [p.code, p.severity, p.networkInterfaceId])).toEqual([
      ['ReservedAddressOnEni', 'warning', 'eni-a'],
      ['ReservedAddressOnEni', 'warning', 'eni-old'],
      ['PoolExhausted', 'error', 'eni-b'],
    ]);
    expect(result.problems[0]?.message).toMatch(
      /reserved for another consumer of pool "payments".*left there because it serves their traffic.*aws ec2 disassociate-address --association-id eipassoc-1/,
    );
    expect(result.problems[1]?.message).toMatch(
      /no function uses any more.*comes free when Lambda deletes the ENI/,
    );
  });

  it('counts one spare per (subnet, security-group set) of the pool for a zero-downtime change', () => {
    const result = plan(
      world({
        functions: [
          fn('a', ['subnet-a', 'subnet-b'], ['sg-1']),
          fn('b', ['subnet-a', 'subnet-b'], ['sg-1']),
          fn('c', ['subnet-a'], ['sg-1', 'sg-2']),
          fn('d', ['subnet-b'], ['sg-3'], false),
        ],
      }),
      desired,
    );
    expect(result.spares.neededForZeroDowntimeChange).toBe(3);
    expect(result.problems.filter((p) => p.code === 'NoEniYet')).toHaveLength(3);
  });
});
