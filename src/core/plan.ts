import { type AddressHolder, holderOfAddress, isGatewayHolder } from './address-holder.js';
import { preferredFor } from './address-rank.js';
import { combinationKey, functionLabel } from './combination.js';
import type {
  DesiredPool,
  EniAssociation,
  Observation,
  ObservedAddress,
  ObservedEni,
  ObservedFunction,
  ObservedInterface,
} from './model.js';
import { allocatedForTag, LAST_SUBNET_TAG_KEY, lastSubnetOf, POOL_TAG_KEY } from './pool.js';

/** Bind a free pool IP to an ENI that has none. Sent with AllowReassociation=false. */
export interface AssociateAction {
  readonly kind: 'associate';
  readonly allocationId: string;
  readonly publicIp: string;
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  /** Why this IP: it served this subnet last, or it was simply free. */
  readonly reason: 'last-subnet' | 'free';
}

/**
 * Take a pool IP off a retired ENI (one no function or version uses any more, with no update in flight)
 * and bind it to an ENI that needs one. Applied as a compare-and-swap: disassociate by the observed
 * association id, then associate with AllowReassociation=false, so a concurrent change is never undone.
 */
export interface MoveAction {
  readonly kind: 'move';
  readonly allocationId: string;
  readonly publicIp: string;
  readonly fromNetworkInterfaceId: string;
  readonly fromAssociationId: string;
  readonly networkInterfaceId: string;
  readonly subnetId: string;
}

/** Allocate a new tagged IP: to bind to an ENI, or to keep as a spare. Its id and address are not known yet. */
export interface AllocateAction {
  readonly kind: 'allocate';
  readonly purpose: 'bind' | 'spare';
  readonly networkInterfaceId?: string;
  readonly subnetId?: string;
}

export type Action = AssociateAction | MoveAction | AllocateAction;

/** A binding already right: the ENI holds an IP from this pool. */
export interface UnchangedBinding {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly allocationId: string;
  readonly publicIp: string;
  /** Every function and version using the ENI, pool or not (`name` or `name:version`). */
  readonly functions: readonly string[];
}

export type ProblemCode =
  | 'PoolExhausted'
  | 'SubnetNotPublic'
  | 'ForeignAddress'
  | 'FunctionNotInVpc'
  | 'SharedEni'
  | 'PoolAddressOutsidePool'
  | 'PoolAddressElsewhere'
  | 'AddressNotUsable'
  | 'SparesShort'
  | 'RetirementUnconfirmed'
  | 'NoEniYet'
  | 'ReservedAddressOnEni';

export type Severity = 'error' | 'warning' | 'info';

/** Errors first, then warnings, then notes: the order problems and findings are shown in. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/** Something the reconcile cannot or will not fix; `error`s fail `apply` (exit 1). */
export interface Problem {
  readonly code: ProblemCode;
  readonly severity: Severity;
  readonly message: string;
  readonly networkInterfaceId?: string;
  readonly subnetId?: string;
  readonly allocationId?: string;
  readonly functions?: readonly string[];
}

/** One ENI that matters to the pool, for `status` and `plan`. */
export interface EniView {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly securityGroupIds: readonly string[];
  /** pool: a pool function uses it; retired: nothing uses it and nothing is updating; unused: nothing uses it but an update may be in flight; outside: only non-pool functions use it. */
  readonly role: 'pool' | 'retired' | 'unused' | 'outside';
  /** The pool's own functions and versions using it: keepers are not among them. */
  readonly poolFunctions: readonly string[];
  /** The pool's keepers using it (a keeper holds a combination's ENI before any function needs it). */
  readonly keepers: readonly string[];
  readonly otherFunctions: readonly string[];
  readonly publicIp?: string;
  readonly allocationId?: string;
  /** Whose IP the ENI holds. */
  readonly address: 'pool' | 'foreign' | 'none';
  readonly subnetPublic: boolean;
}

/**
 * One pool IP, for `status` and `ips`. `on-nat-gateway`, `on-nat-instance` and `on-load-balancer`: held by a
 * NAT gateway, a NAT instance or a Network Load Balancer of the same pool (another strategy's), never touched; `elsewhere`: bound to
 * anything else outside the pool's Lambda ENIs, never touched either; `reserved`: free (or on a retired
 * ENI) but reserved for another consumer of the pool ({@link DesiredPool.reserved}), so never bound nor
 * counted as a spare. A reserved address on a pool function's ENI still shows `bound`: it serves traffic.
 */
export interface AddressView {
  readonly allocationId: string;
  readonly publicIp: string;
  readonly state:
    | 'bound'
    | 'free'
    | 'reserved'
    | 'on-retired-eni'
    | 'on-nat-gateway'
    | 'on-nat-instance'
    | 'on-load-balancer'
    | 'elsewhere';
  readonly networkInterfaceId?: string;
  readonly subnetId?: string;
  readonly lastSubnetId?: string;
}

export interface SpareReport {
  /** Spares asked for. */
  readonly wanted: number;
  /** IPs ready for a new ENI now: free ones and those on retired ENIs, after this plan. */
  readonly available: number;
  /** Spares that make a VPC change of every pool function at once cost no downtime (one per combination). */
  readonly neededForZeroDowntimeChange: number;
}

export interface Plan {
  readonly pool: string;
  readonly region: string;
  readonly actions: readonly Action[];
  readonly unchanged: readonly UnchangedBinding[];
  readonly problems: readonly Problem[];
  readonly enis: readonly EniView[];
  readonly addresses: readonly AddressView[];
  readonly spares: SpareReport;
  /** Pool IPs whose last-subnet tag the apply should set, after their binding succeeds. */
  readonly rememberSubnet: Readonly<Record<string, string>>;
}

/**
 * Decides what to change so that every ENI of the pool's functions holds an IP from the pool.
 * Pure and deterministic: the same observation gives the same plan whatever the order of its lists.
 * It never plans to touch an address without this pool's tag or one reserved for another consumer of the
 * pool, never takes an IP off an ENI that may still carry traffic, and never releases anything. From a
 * cached observation (`Observation.cached`) it plans only bindings of free addresses.
 */
export function plan(observation: Observation, desired: DesiredPool): Plan {
  const pool = desired.pool;
  const problems: Problem[] = [];
  const actions: Action[] = [];
  const unchanged: UnchangedBinding[] = [];
  const enis: EniView[] = [];
  const rememberSubnet: Record<string, string> = {};

  const addresses = [...observation.addresses].sort(byKey((a) => a.allocationId));
  const owned = addresses.filter((address) => address.tags[POOL_TAG_KEY] === pool);
  const ownedById = new Map(owned.map((address) => [address.allocationId, address]));
  const functions = [...observation.functions].sort(byKey((fn) => `${fn.name}\u0000${fn.version}`));
  const subnets = new Map(observation.subnets.map((subnet) => [subnet.id, subnet]));
  const allEnis = [...observation.enis].sort(byKey((eni) => eni.id));
  const enisById = new Map(allEnis.map((eni) => [eni.id, eni]));
  const interfaces = new Map((observation.addressInterfaces ?? []).map((eni) => [eni.id, eni]));
  const reserved: ReadonlySet<string> = new Set(desired.reserved ?? []);
  // DescribeAddresses and DescribeNetworkInterfaces are separate reads, and EC2 is eventually consistent:
  // either may still miss an association the other already shows. An association either side shows is
  // taken as real, so an ENI counts as bound, and an address as taken, if either read says so.
  const views = associationViews(addresses, allEnis);

  for (const name of [...observation.functionsWithoutVpc].sort()) {
    problems.push({
      code: 'FunctionNotInVpc',
      severity: 'error',
      message: `function ${name} is tagged for pool "${pool}" but has no VPC configuration; attach it to public subnets or remove the tag`,
      functions: [name],
    });
  }

  // Who uses each combination: every function and published version, in the pool or not.
  const users = new Map<string, ObservedFunction[]>();
  const poolCombinations = new Set<string>();
  for (const fn of functions) {
    for (const subnetId of new Set(fn.subnetIds)) {
      const key = combinationKey(subnetId, fn.securityGroupIds);
      users.set(key, [...(users.get(key) ?? []), fn]);
      if (fn.inPool) poolCombinations.add(key);
    }
  }

  // Subnets of pool functions without a route to an internet gateway: their ENIs are never bound.
  const notPublic = new Set<string>();
  for (const fn of functions.filter((f) => f.inPool)) {
    for (const subnetId of fn.subnetIds) {
      const subnet = subnets.get(subnetId);
      if (subnet && !subnet.routesToInternetGateway) notPublic.add(subnetId);
    }
  }
  for (const subnetId of [...notPublic].sort()) {
    const affected = functions
      .filter((fn) => fn.inPool && fn.subnetIds.includes(subnetId))
      .map(functionLabel);
    const natGatewayId = subnets.get(subnetId)?.natGatewayId;
    problems.push({
      code: 'SubnetNotPublic',
      severity: 'error',
      message: natGatewayId
        ? `subnet ${subnetId} sends 0.0.0.0/0 to NAT gateway ${natGatewayId}, so ${affected.join(', ')} egress through that gateway's address and an Elastic IP on their ENIs would do nothing; once they have moved to NAT gateway egress, take them out of pool "${pool}" (remove the pool tag, drop --function)`
        : `subnet ${subnetId} has no route 0.0.0.0/0 to an internet gateway, so an Elastic IP there gives ${affected.join(', ')} no internet access; use public subnets or a NAT gateway`,
      subnetId,
      functions: affected,
    });
  }

  const needy: ObservedEni[] = [];
  const retired: ObservedEni[] = [];
  for (const eni of allEnis) {
    const key = combinationKey(eni.subnetId, eni.securityGroupIds);
    const using = users.get(key) ?? [];
    const poolFunctions = using.filter((fn) => fn.inPool && !fn.keeper).map(functionLabel);
    const keepers = using.filter((fn) => fn.inPool && fn.keeper).map(functionLabel);
    // For messages: the pool's users, keepers said to be keepers.
    const poolUsers = [...poolFunctions, ...keepers.map((name) => `keeper ${name}`)];
    const otherFunctions = using.filter((fn) => !fn.inPool).map(functionLabel);
    const association = views.associationOf(eni);
    const heldAddress = association?.allocationId ? ownedById.get(association.allocationId) : undefined;
    const isPoolEni = poolCombinations.has(key);
    const role: EniView['role'] = isPoolEni
      ? 'pool'
      : using.length > 0
        ? 'outside'
        : observation.updatesInProgress === 'none'
          ? 'retired'
          : 'unused';
    if (!isPoolEni && !heldAddress) continue;

    enis.push({
      networkInterfaceId: eni.id,
      subnetId: eni.subnetId,
      availabilityZone: eni.availabilityZone,
      securityGroupIds: eni.securityGroupIds,
      role,
      poolFunctions,
      keepers,
      otherFunctions,
      ...(association ? { publicIp: association.publicIp } : {}),
      ...(association?.allocationId ? { allocationId: association.allocationId } : {}),
      address: heldAddress ? 'pool' : association ? 'foreign' : 'none',
      subnetPublic: !notPublic.has(eni.subnetId),
    });

    if (heldAddress && reserved.has(heldAddress.allocationId)) {
      problems.push(reservedOnEni(pool, heldAddress, eni, association, role, poolUsers, otherFunctions));
      // Never moved. On a pool function's ENI it stays a binding like any other (it serves their traffic);
      // anywhere else it waits until Lambda deletes the ENI.
      if (role !== 'pool') continue;
    }
    if (role === 'retired' && heldAddress) {
      // Moved only when both reads agree on the association (its id makes the move a compare-and-swap):
      // otherwise one of them is behind, and the address may be on its way elsewhere already.
      if (views.agree(eni, heldAddress)) retired.push(eni);
      continue;
    }
    if (role === 'unused' && heldAddress) {
      problems.push({
        code: 'RetirementUnconfirmed',
        severity: 'info',
        message: `ENI ${eni.id} holds pool IP ${heldAddress.publicIp} and no function uses it, but a function update may still be in flight; it is left alone until that is known`,
        networkInterfaceId: eni.id,
        allocationId: heldAddress.allocationId,
      });
      continue;
    }
    if (role === 'outside' && heldAddress) {
      problems.push({
        code: 'PoolAddressOutsidePool',
        severity: 'warning',
        message: `pool IP ${heldAddress.publicIp} is on ENI ${eni.id}, used only by functions outside pool "${pool}" (${otherFunctions.join(', ')}); it is left there because it serves traffic`,
        networkInterfaceId: eni.id,
        allocationId: heldAddress.allocationId,
        functions: otherFunctions,
      });
      continue;
    }
    if (notPublic.has(eni.subnetId)) continue;

    if (heldAddress) {
      unchanged.push({
        networkInterfaceId: eni.id,
        subnetId: eni.subnetId,
        allocationId: heldAddress.allocationId,
        publicIp: heldAddress.publicIp,
        functions: [...poolUsers, ...otherFunctions],
      });
    } else if (association) {
      const owner = ownerOf(association.allocationId, addresses);
      problems.push({
        code: 'ForeignAddress',
        severity: 'error',
        message: `ENI ${eni.id} (${poolUsers.join(', ')}) egresses from ${association.publicIp}, ${owner}; it is not changed: disassociate that IP yourself if the pool's should replace it`,
        networkInterfaceId: eni.id,
        subnetId: eni.subnetId,
        functions: poolUsers,
      });
    } else {
      needy.push(eni);
    }
    if (otherFunctions.length > 0 && (heldAddress || !association)) {
      problems.push({
        code: 'SharedEni',
        severity: 'warning',
        message: `ENI ${eni.id} is shared with functions outside pool "${pool}": ${otherFunctions.join(', ')} egress from the pool's IP too; give them other security groups to separate them`,
        networkInterfaceId: eni.id,
        subnetId: eni.subnetId,
        functions: otherFunctions,
      });
    }
  }

  // Pool functions whose combinations have no ENI yet (Pending, or reclaimed while idle).
  const combinationsWithEni = new Set(
    allEnis.map((eni) => combinationKey(eni.subnetId, eni.securityGroupIds)),
  );
  for (const key of [...poolCombinations].sort()) {
    if (combinationsWithEni.has(key)) continue;
    const [subnetId] = key.split('|');
    const waiting = (users.get(key) ?? []).filter((fn) => fn.inPool).map(reportLabel);
    problems.push({
      code: 'NoEniYet',
      severity: 'info',
      message: `no ENI yet in ${subnetId} for ${waiting.join(', ')} (function pending, or reclaimed while idle); it is bound when Lambda creates it`,
      ...(subnetId ? { subnetId } : {}),
      functions: waiting,
    });
  }

  // Addresses of the pool: free, or bound somewhere this plan must not touch.
  const free: ObservedAddress[] = [];
  let reservedFree = 0;
  for (const address of owned) {
    if (!views.isTaken(address)) {
      // Another consumer of the pool holds it or is about to take it: not free for this plan.
      if (reserved.has(address.allocationId)) reservedFree++;
      else if (usableInRegion(address, observation.region)) free.push(address);
      else {
        problems.push({
          code: 'AddressNotUsable',
          severity: 'warning',
          message: `pool IP ${address.publicIp} (${address.allocationId}) belongs to network border group ${address.networkBorderGroup}, not ${observation.region}; it cannot be bound here — move the tag to an address of ${observation.region}`,
          allocationId: address.allocationId,
        });
      }
      continue;
    }
    const onId = views.holderOf(address);
    const on = onId ? enisById.get(onId) : undefined;
    // A NAT gateway, NAT instance or NLB of the same pool holds it by design: not a problem, never touched.
    if (!on && !isGatewayHolder(holderOfAddress(address, interfaces))) {
      problems.push({
        code: 'PoolAddressElsewhere',
        severity: 'warning',
        message: `pool IP ${address.publicIp} is bound to ${address.networkInterfaceId ?? address.instanceId ?? 'something'} outside the pool's Lambda ENIs; it is never moved from there`,
        allocationId: address.allocationId,
      });
    }
  }

  // Bind. A free IP allocated for this very ENI first (allocatedForTag); then stable per-subnet IPs: a
  // free IP that last served the ENI's subnet, else the IP of a retired ENI in the same subnet; then a free IP that served no subnet yet, then one that served another
  // subnet, then one from any retired ENI; then a new one. Within each class the ENI takes the address it
  // prefers (address-rank.ts), whatever else is free: runs whose views differ only by other addresses, or
  // by bindings already made, choose the same address for the same ENI.
  const ordered = [...needy].sort(byKey((eni) => `${eni.subnetId}\u0000${eni.id}`));
  const takeFree = (eni: ObservedEni, predicate: (address: ObservedAddress) => boolean) => {
    const pick = preferredFor(eni.id, free.filter(predicate));
    if (pick) free.splice(free.indexOf(pick), 1);
    return pick;
  };
  // From a cached observation, retired ENIs still count as spares but give nothing up (Observation.cached).
  const cached = observation.cached === true;
  const takeRetired = (eni: ObservedEni, predicate: (source: ObservedEni) => boolean) => {
    if (cached) return undefined;
    const candidates = retired
      .filter(predicate)
      .map((source) => ({ allocationId: views.associationOf(source)?.allocationId ?? '', source }));
    const pick = preferredFor(eni.id, candidates)?.source;
    if (pick) retired.splice(retired.indexOf(pick), 1);
    return pick;
  };
  const chosen = new Map<string, ObservedAddress | ObservedEni>();
  for (const eni of ordered) {
    const source =
      takeFree(eni, (address) => address.tags[LAST_SUBNET_TAG_KEY] === allocatedForTag(eni.id)) ??
      takeFree(eni, (address) => address.tags[LAST_SUBNET_TAG_KEY] === eni.subnetId) ??
      takeRetired(eni, (candidate) => candidate.subnetId === eni.subnetId);
    if (source) chosen.set(eni.id, source);
  }
  for (const eni of ordered) {
    if (chosen.has(eni.id)) continue;
    const source =
      takeFree(eni, (address) => address.tags[LAST_SUBNET_TAG_KEY] === undefined) ??
      takeFree(eni, () => true) ??
      takeRetired(eni, () => true);
    if (source) chosen.set(eni.id, source);
  }

  let poolSize = owned.length;
  const exhausted: ObservedEni[] = [];
  for (const eni of ordered) {
    const source = chosen.get(eni.id);
    if (source && 'allocationId' in source) {
      const reason = source.tags[LAST_SUBNET_TAG_KEY] === eni.subnetId ? 'last-subnet' : 'free';
      actions.push({
        kind: 'associate',
        allocationId: source.allocationId,
        publicIp: source.publicIp,
        networkInterfaceId: eni.id,
        subnetId: eni.subnetId,
        reason,
      });
      if (reason !== 'last-subnet') rememberSubnet[source.allocationId] = eni.subnetId;
    } else if (source) {
      const association = views.associationOf(source);
      const address = ownedById.get(association?.allocationId ?? '') as ObservedAddress;
      actions.push({
        kind: 'move',
        allocationId: address.allocationId,
        publicIp: address.publicIp,
        fromNetworkInterfaceId: source.id,
        fromAssociationId: association?.associationId ?? '',
        networkInterfaceId: eni.id,
        subnetId: eni.subnetId,
      });
      if (address.tags[LAST_SUBNET_TAG_KEY] !== eni.subnetId)
        rememberSubnet[address.allocationId] = eni.subnetId;
    } else if (desired.allocate && !cached && poolSize < desired.maxIps) {
      poolSize++;
      actions.push({ kind: 'allocate', purpose: 'bind', networkInterfaceId: eni.id, subnetId: eni.subnetId });
    } else {
      exhausted.push(eni);
    }
  }
  for (const eni of exhausted) {
    const who = (users.get(combinationKey(eni.subnetId, eni.securityGroupIds)) ?? []).map(reportLabel);
    const fix = cached
      ? 'a full observation decides whether an IP can be moved or allocated'
      : desired.allocate
        ? `the pool has reached --max-ips ${desired.maxIps}; raise --max-ips or add IPs to the pool`
        : 'pass --allocate to add tagged IPs (up to --max-ips), or tag more Elastic IPs for the pool';
    const held = reservedFree > 0 ? ` (${reservedFree} more reserved for another consumer of the pool)` : '';
    problems.push({
      code: 'PoolExhausted',
      severity: 'error',
      message: `ENI ${eni.id} in ${eni.subnetId} (${who.join(', ')}) has no Elastic IP and pool "${pool}" has none free${held}; ${fix}`,
      networkInterfaceId: eni.id,
      subnetId: eni.subnetId,
      functions: who,
    });
  }

  // Spares: IPs ready for the next new ENI. IPs on retired ENIs count: a move takes them at once.
  let available = free.length + retired.length;
  if (available < desired.spares) {
    const short = desired.spares - available;
    const room = desired.allocate && !cached ? Math.max(0, desired.maxIps - poolSize) : 0;
    const count = Math.min(short, room);
    for (let index = 0; index < count; index++) actions.push({ kind: 'allocate', purpose: 'spare' });
    poolSize += count;
    available += count;
    if (count < short) {
      problems.push({
        code: 'SparesShort',
        severity: 'warning',
        message: desired.allocate
          ? `pool "${pool}" keeps ${available} spare IP(s) of the ${desired.spares} asked for: --max-ips ${desired.maxIps} is reached; raise it or lower --spares`
          : `pool "${pool}" has ${available} spare IP(s) of the ${desired.spares} asked for; pass --allocate to add them, or lower --spares`,
      });
    }
  }

  const retiredIds = new Set(retired.map((eni) => eni.id));
  return {
    pool,
    region: observation.region,
    actions,
    unchanged,
    problems,
    enis,
    addresses: owned.map((address) =>
      addressView(address, { enisById, retiredIds, eniViews: enis, interfaces, reserved, views }),
    ),
    spares: {
      wanted: desired.spares,
      available,
      neededForZeroDowntimeChange: poolCombinations.size,
    },
    rememberSubnet,
  };
}

/** What an address's view is read from. */
interface AddressContext {
  readonly enisById: ReadonlyMap<string, ObservedEni>;
  /** ENIs whose address the plan may move. */
  readonly retiredIds: ReadonlySet<string>;
  readonly eniViews: readonly EniView[];
  readonly interfaces: ReadonlyMap<string, ObservedInterface>;
  readonly reserved: ReadonlySet<string>;
  readonly views: AssociationViews;
}

/** The state of a pool IP that another strategy of the same pool holds. */
const HELD_BY_ANOTHER_STRATEGY: Partial<Record<AddressHolder, AddressView['state']>> = {
  'nat-gateway': 'on-nat-gateway',
  'nat-instance': 'on-nat-instance',
  'network-load-balancer': 'on-load-balancer',
};

function addressView(address: ObservedAddress, context: AddressContext): AddressView {
  const { enisById, retiredIds, eniViews, interfaces, reserved, views } = context;
  const lastSubnetId = lastSubnetOf(address.tags);
  const base = {
    allocationId: address.allocationId,
    publicIp: address.publicIp,
    ...(lastSubnetId ? { lastSubnetId } : {}),
  };
  const isReserved = reserved.has(address.allocationId);
  if (!views.isTaken(address)) return { ...base, state: isReserved ? 'reserved' : 'free' };
  const holderId = views.holderOf(address);
  const eni = holderId ? enisById.get(holderId) : undefined;
  const view = eni && eniViews.find((candidate) => candidate.networkInterfaceId === eni.id);
  if (!eni || !view) {
    const holder = holderOfAddress(address, interfaces);
    return {
      ...base,
      state: HELD_BY_ANOTHER_STRATEGY[holder] ?? 'elsewhere',
      ...(address.networkInterfaceId ? { networkInterfaceId: address.networkInterfaceId } : {}),
    };
  }
  return {
    ...base,
    state:
      isReserved && view.role === 'retired'
        ? 'reserved'
        : retiredIds.has(eni.id)
          ? 'on-retired-eni'
          : 'bound',
    networkInterfaceId: eni.id,
    subnetId: eni.subnetId,
  };
}

/**
 * A reserved address on a Lambda ENI: left there (a NAT gateway or load balancer given it fails with
 * `Resource.AlreadyAssociated` until it is free), with how to free it.
 */
function reservedOnEni(
  pool: string,
  address: ObservedAddress,
  eni: ObservedEni,
  held: EniAssociation | undefined,
  role: EniView['role'],
  poolFunctions: readonly string[],
  otherFunctions: readonly string[],
): Problem {
  const association = held?.associationId ?? address.associationId;
  const disassociate = association
    ? `aws ec2 disassociate-address --association-id ${association}`
    : 'disassociate it';
  const where =
    role === 'pool'
      ? `ENI ${eni.id} of ${poolFunctions.join(', ')}; it is left there because it serves their traffic. To free it, give the consumer another free address, or ${disassociate}: the next reconcile then binds the ENI to a free, unreserved pool IP (egress from the ENI pauses until then, and stops if there is none)`
      : `ENI ${eni.id}, which ${role === 'outside' ? `only functions outside the pool use (${otherFunctions.join(', ')})` : 'no function uses any more'}; it is never moved from there and comes free when Lambda deletes the ENI, or when you ${disassociate}`;
  return {
    code: 'ReservedAddressOnEni',
    severity: 'warning',
    message: `pool IP ${address.publicIp} (${address.allocationId}) is reserved for another consumer of pool "${pool}", which cannot take it while it is on Lambda ${where}`,
    networkInterfaceId: eni.id,
    subnetId: eni.subnetId,
    allocationId: address.allocationId,
    ...(role === 'pool' ? { functions: poolFunctions } : {}),
  };
}

/** Both reads of the associations, merged: what one shows and the other does not yet still counts. */
interface AssociationViews {
  /** The ENI's association, as the ENI read shows it, else as an address read naming the ENI shows it. */
  associationOf(eni: ObservedEni): EniAssociation | undefined;
  /** Associated with anything, by its own read, or claimed by an ENI's read. */
  isTaken(address: ObservedAddress): boolean;
  /** The ENI holding the address, by its own read, else by an ENI's read. */
  holderOf(address: ObservedAddress): string | undefined;
  /** Both reads show this ENI holding this address, with the same association id. */
  agree(eni: ObservedEni, address: ObservedAddress): boolean;
}

function associationViews(
  addresses: readonly ObservedAddress[],
  enis: readonly ObservedEni[],
): AssociationViews {
  const claimedBy = new Map<string, string>();
  for (const eni of enis) {
    if (eni.association?.allocationId) claimedBy.set(eni.association.allocationId, eni.id);
  }
  const onEni = new Map<string, ObservedAddress>();
  for (const address of addresses) {
    if (address.networkInterfaceId) onEni.set(address.networkInterfaceId, address);
  }
  return {
    associationOf: (eni) => {
      if (eni.association) return eni.association;
      const address = onEni.get(eni.id);
      return address
        ? {
            publicIp: address.publicIp,
            allocationId: address.allocationId,
            ...(address.associationId ? { associationId: address.associationId } : {}),
          }
        : undefined;
    },
    isTaken: (address) => isAssociated(address) || claimedBy.has(address.allocationId),
    holderOf: (address) => address.networkInterfaceId ?? claimedBy.get(address.allocationId),
    agree: (eni, address) =>
      eni.association?.allocationId === address.allocationId &&
      address.networkInterfaceId === eni.id &&
      eni.association.associationId !== undefined &&
      eni.association.associationId === address.associationId,
  };
}

/** True when the address is associated with anything at all. */
function isAssociated(address: ObservedAddress): boolean {
  return Boolean(address.associationId || address.networkInterfaceId || address.instanceId);
}

/**
 * Whether a pool address is free for the reconciler to bind now, as the planner counts it: associated with
 * nothing, usable in the Region (not another network border group's), and not reserved for another
 * consumer of the pool. For the writers that look again right before acting (allocation, the fast path).
 */
export function isFreeToBind(
  address: ObservedAddress,
  region: string,
  reserved: ReadonlySet<string>,
): boolean {
  return !isAssociated(address) && usableInRegion(address, region) && !reserved.has(address.allocationId);
}

function usableInRegion(address: ObservedAddress, region: string): boolean {
  return !address.networkBorderGroup || address.networkBorderGroup === region;
}

function ownerOf(allocationId: string | undefined, addresses: readonly ObservedAddress[]): string {
  if (!allocationId) return 'an address that is not an Elastic IP of this account';
  const address = addresses.find((candidate) => candidate.allocationId === allocationId);
  const pool = address?.tags[POOL_TAG_KEY];
  return pool ? `an IP of pool "${pool}"` : 'an Elastic IP without the pool tag';
}

/** A function as messages name it: a keeper says so, so that nobody counts it as theirs. */
function reportLabel(fn: ObservedFunction): string {
  return fn.keeper ? `keeper ${functionLabel(fn)}` : functionLabel(fn);
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const left = key(a);
    const right = key(b);
    return left < right ? -1 : left > right ? 1 : 0;
  };
}
