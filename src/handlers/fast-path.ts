import { associateFreeAddress, rememberSubnet, retryWhileNew } from '../aws/addresses.js';
import type { AwsClients } from '../aws/clients.js';
import { describeRegionAddresses } from '../aws/observe.js';
import { preferredFor } from '../core/address-rank.js';
import type { ObservedAddress } from '../core/model.js';
import { isFreeToBind } from '../core/plan.js';
import { allocatedForTag, LAST_SUBNET_TAG_KEY, POOL_TAG_KEY } from '../core/pool.js';
import type { EniFromEvent } from './controller-events.js';
import { membershipOf, type PoolView } from './pool-view.js';

export type FastPathOutcome =
  /** Bound here, before the reconcile that follows. */
  | { readonly kind: 'bound'; readonly allocationId: string; readonly publicIp: string }
  /**
   * The pool's business, or possibly so, left to the reconcile that follows, for the reason given;
   * `observeInFull`: the view could not place the ENI (no view yet, or a combination it does not know).
   */
  | { readonly kind: 'deferred'; readonly reason: string; readonly observeInFull: boolean }
  /** Not the pool's business, by the view: no reconcile needed. */
  | { readonly kind: 'ignored'; readonly reason: string };

export interface FastPathInput {
  readonly pool: string;
  /** Allocation ids another consumer of the pool holds or is about to take: never picked. */
  readonly reserved: readonly string[];
  /** The controller's view of the pool, if fresh. */
  readonly view: PoolView | undefined;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Binds the ENI a CreateNetworkInterface event names, at once, with as few calls as it can: the view of
 * the pool says whether its combination is the pool's (no call), then DescribeAddresses and
 * AssociateAddress (and CreateTags when the IP did not last serve this subnet). Anything uncertain is
 * deferred to the reconcile that follows; a combination the view does not know, to a full one.
 *
 * The binding keeps reconcile's discipline: AllowReassociation=false (it can never take an IP from
 * anywhere), and never an ENI that already holds any Elastic IP (associating a second one would
 * silently displace the first).
 */
export async function bindFromEvent(
  clients: AwsClients,
  eni: EniFromEvent,
  input: FastPathInput,
): Promise<FastPathOutcome> {
  const { view } = input;
  if (!view) return { kind: 'deferred', reason: 'no view of the pool yet', observeInFull: true };
  const groups = [...eni.securityGroupIds].sort().join(', ') || '(none)';
  switch (membershipOf(view, eni.subnetId, eni.securityGroupIds)) {
    case 'outside':
      return {
        kind: 'ignored',
        reason: `no function of pool "${input.pool}" uses subnet ${eni.subnetId} with security groups ${groups}`,
      };
    case 'unknown':
      return {
        kind: 'deferred',
        reason: `no function the view knows uses subnet ${eni.subnetId} with security groups ${groups}`,
        observeInFull: true,
      };
    case 'pool':
      break;
  }
  if (view.subnetPublic.get(eni.subnetId) !== true) {
    return {
      kind: 'deferred',
      reason: `subnet ${eni.subnetId} has no route to an internet gateway`,
      observeInFull: false,
    };
  }

  const region = view.observation.region;
  const addresses = await describeRegionAddresses(clients.ec2);
  const held = addresses.find((address) => address.networkInterfaceId === eni.id);
  if (held) {
    return { kind: 'deferred', reason: `ENI ${eni.id} already holds ${held.publicIp}`, observeInFull: false };
  }
  const chosen = chooseFreeAddress(
    addresses,
    input.pool,
    eni.id,
    eni.subnetId,
    region,
    new Set(input.reserved),
  );
  if (!chosen)
    return { kind: 'deferred', reason: `pool "${input.pool}" has no free IP`, observeInFull: false };

  // A just-created ENI may not be visible to AssociateAddress yet (eventual consistency): retry briefly.
  await retryWhileNew(() => associateFreeAddress(clients.ec2, chosen.allocationId, eni.id), {
    sleep: input.sleep,
  });
  if (chosen.tags[LAST_SUBNET_TAG_KEY] !== eni.subnetId) {
    try {
      await rememberSubnet(clients.ec2, [chosen.allocationId], eni.subnetId);
    } catch {
      // Only a preference for the next replacement ENI is lost; the binding stands.
    }
  }
  return { kind: 'bound', allocationId: chosen.allocationId, publicIp: chosen.publicIp };
}

/**
 * A free IP of the pool for an ENI in `subnetId`, in the planner's order of preference: one allocated for
 * this ENI, then one that last served this subnet, then one that served no subnet yet, then any; within each, the one this ENI
 * prefers (core/address-rank.ts), as the planner picks it, so that a concurrent reconcile choosing for
 * the same ENI picks the same address. Reserved addresses are never free here, as in the planner.
 */
export function chooseFreeAddress(
  addresses: readonly ObservedAddress[],
  pool: string,
  networkInterfaceId: string,
  subnetId: string,
  region: string,
  reserved: ReadonlySet<string>,
): ObservedAddress | undefined {
  const free = addresses.filter(
    (address) => address.tags[POOL_TAG_KEY] === pool && isFreeToBind(address, region, reserved),
  );
  return (
    preferredFor(
      networkInterfaceId,
      free.filter((address) => address.tags[LAST_SUBNET_TAG_KEY] === allocatedForTag(networkInterfaceId)),
    ) ??
    preferredFor(
      networkInterfaceId,
      free.filter((address) => address.tags[LAST_SUBNET_TAG_KEY] === subnetId),
    ) ??
    preferredFor(
      networkInterfaceId,
      free.filter((address) => address.tags[LAST_SUBNET_TAG_KEY] === undefined),
    ) ??
    preferredFor(networkInterfaceId, free)
  );
}
