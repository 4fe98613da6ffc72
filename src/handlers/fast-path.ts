import { associateFreeAddress, rememberSubnet, retryWhileNew } from '../aws/addresses.js';
import type { AwsClients } from '../aws/clients.js';
import { describeRegionAddresses, observePoolFunctions } from '../aws/observe.js';
import { combinationKey, poolCombinationKeys } from '../core/combination.js';
import { compareIps } from '../core/ip-order.js';
import type { ObservedAddress } from '../core/model.js';
import { isFreeToBind } from '../core/plan.js';
import { LAST_SUBNET_TAG_KEY, POOL_TAG_KEY } from '../core/pool.js';
import type { EniFromEvent } from './controller-events.js';
import type { PoolKnowledge } from './observation-cache.js';

export type FastPathOutcome =
  /** Bound here, before the full reconcile. */
  | {
      readonly kind: 'bound';
      readonly allocationId: string;
      readonly publicIp: string;
      readonly membership: 'cache' | 'listed';
    }
  /** The pool's business, but left to the full reconcile, for the reason given. */
  | { readonly kind: 'deferred'; readonly reason: string }
  /** Not the pool's business: no reconcile needed. */
  | { readonly kind: 'ignored'; readonly reason: string };

export interface FastPathInput {
  readonly pool: string;
  readonly functions: readonly string[];
  /** Allocation ids another consumer of the pool holds or is about to take: never picked. */
  readonly reserved: readonly string[];
  /** The previous run's view, if still fresh. */
  readonly knowledge: PoolKnowledge | undefined;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Binds the ENI a CreateNetworkInterface event names, at once, with as few calls as it can: with a
 * fresh view of the pool, DescribeAddresses and AssociateAddress (and CreateTags when the IP did not
 * last serve this subnet). Without one, ListFunctions and GetResources first say whether the ENI's
 * combination is the pool's. Anything uncertain is deferred to the full reconcile that follows.
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
  const key = combinationKey(eni.subnetId, eni.securityGroupIds);
  const region = await clients.ec2.config.region();
  let membership: 'cache' | 'listed' = 'cache';
  if (!input.knowledge?.poolCombinations.has(key)) {
    const { functions } = await observePoolFunctions(
      clients,
      { pool: input.pool, functions: input.functions, missingFunctions: 'ignore' },
      region,
    );
    if (!poolCombinationKeys(functions).has(key)) {
      return {
        kind: 'ignored',
        reason: `no function of pool "${input.pool}" uses subnet ${eni.subnetId} with security groups ${[...eni.securityGroupIds].sort().join(', ') || '(none)'}`,
      };
    }
    membership = 'listed';
  }
  const subnetPublic = input.knowledge?.subnetPublic.get(eni.subnetId);
  if (subnetPublic === undefined) {
    return { kind: 'deferred', reason: `subnet ${eni.subnetId} was not in the last observation` };
  }
  if (!subnetPublic) {
    return { kind: 'deferred', reason: `subnet ${eni.subnetId} has no route to an internet gateway` };
  }

  const addresses = await describeRegionAddresses(clients.ec2);
  const held = addresses.find((address) => address.networkInterfaceId === eni.id);
  if (held) return { kind: 'deferred', reason: `ENI ${eni.id} already holds ${held.publicIp}` };
  const chosen = chooseFreeAddress(addresses, input.pool, eni.subnetId, region, new Set(input.reserved));
  if (!chosen) return { kind: 'deferred', reason: `pool "${input.pool}" has no free IP` };

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
  return { kind: 'bound', allocationId: chosen.allocationId, publicIp: chosen.publicIp, membership };
}

/**
 * A free IP of the pool for an ENI in `subnetId`, in the planner's order of preference: the one that
 * last served this subnet, then one that served no subnet yet, then any; lowest address first. Reserved
 * addresses are never free here, as in the planner.
 */
export function chooseFreeAddress(
  addresses: readonly ObservedAddress[],
  pool: string,
  subnetId: string,
  region: string,
  reserved: ReadonlySet<string>,
): ObservedAddress | undefined {
  const free = addresses
    .filter((address) => address.tags[POOL_TAG_KEY] === pool && isFreeToBind(address, region, reserved))
    .sort((a, b) => compareIps(a.publicIp, b.publicIp));
  return (
    free.find((address) => address.tags[LAST_SUBNET_TAG_KEY] === subnetId) ??
    free.find((address) => address.tags[LAST_SUBNET_TAG_KEY] === undefined) ??
    free[0]
  );
}
