import { functionLabel } from './combination.js';
import type { ObservedFunction, ObservedSubnet } from './model.js';

/** One subnet of the pool's functions, with the IPv6 blocks their IPv6 traffic leaves from. */
export interface Ipv6SubnetView {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  /** Its associated /64s: empty when the subnet is IPv4-only. */
  readonly ipv6Cidrs: readonly string[];
  /** The pool functions (and versions, `name:version`) placed in it. */
  readonly functions: readonly string[];
}

/**
 * The pool's IPv6 allow-list: the /64s of the subnets its functions are placed in. Lambda sends a dual-stack
 * function's IPv6 traffic from an address of its ENI's subnet, and the ENI (so the address) changes, but the
 * subnet's block does not: a vendor allow-lists the blocks.
 */
export interface Ipv6AllowList {
  /** Every block, once, in the order of {@link subnets}. */
  readonly cidrs: readonly string[];
  /** The pool functions' subnets, by Availability Zone, then id. */
  readonly subnets: readonly Ipv6SubnetView[];
  /** Pool functions and versions that do not allow IPv6 (`Ipv6AllowedForDualStack` false or absent). */
  readonly functionsWithoutIpv6: readonly string[];
}

/**
 * The IPv6 allow-list of the pool functions among `functions`, from the observed subnets (a subnet not among
 * them, deleted meanwhile, is left out). Pure.
 */
export function ipv6AllowList(
  functions: readonly ObservedFunction[],
  subnets: readonly Pick<ObservedSubnet, 'id' | 'vpcId' | 'availabilityZone' | 'ipv6CidrBlocks'>[],
): Ipv6AllowList {
  const pool = functions.filter((fn) => fn.inPool);
  const views = subnets
    .map((subnet) => ({
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      ipv6Cidrs: [...(subnet.ipv6CidrBlocks ?? [])],
      functions: pool.filter((fn) => fn.subnetIds.includes(subnet.id)).map(functionLabel),
    }))
    .filter((view) => view.functions.length > 0)
    .sort(
      (a, b) => a.availabilityZone.localeCompare(b.availabilityZone) || a.subnetId.localeCompare(b.subnetId),
    );
  return {
    cidrs: [...new Set(views.flatMap((view) => view.ipv6Cidrs))],
    subnets: views,
    functionsWithoutIpv6: pool.filter((fn) => fn.ipv6AllowedForDualStack !== true).map(functionLabel),
  };
}
