import type { Direction } from '../address-holder.js';

/** Ways to give Lambda a static source IP for its outbound traffic. */
export const EGRESS_STRATEGIES = [
  'hyperplane-eip',
  'nat-gateway-per-az',
  'nat-gateway-single',
  'nat-gateway-regional',
  'nat-instance',
  'ipv6-dual-stack',
  'no-static-ip',
] as const;

/** Ways to give a Lambda-backed HTTP endpoint static IPs for inbound traffic. */
export const INGRESS_STRATEGIES = ['global-accelerator-alb', 'nlb-pool-ips-alb'] as const;

export type EgressStrategy = (typeof EGRESS_STRATEGIES)[number];
export type IngressStrategy = (typeof INGRESS_STRATEGIES)[number];
export type Strategy = EgressStrategy | IngressStrategy;

/** What the recommendation weighs besides the price. */
export interface Traits {
  /** Gives an address (or addresses) a third party can allow-list. */
  readonly staticIp: boolean;
  /** AWS documents and supports this use. */
  readonly supportedByAws: boolean;
  /** Keeps working through the loss of one Availability Zone or one component, with no gap. */
  readonly noGapOnFailure: boolean;
  /**
   * The address family a vendor allow-lists. An `ipv6` option adds to an IPv4 one and cannot replace it
   * (IPv4-only destinations stay unreachable over it), so recommendations and break-evens compare `ipv4`
   * options only.
   */
  readonly addressFamily: 'ipv4' | 'ipv6';
}

/**
 * One strategy's monthly cost. Every option is linear in its direction's traffic:
 * `monthlyTotalUsd = monthlyFixedUsd + perGbUsd × GB`, which the break-even maths relies on.
 * Data transfer out to the internet is not in it: every egress strategy pays the same.
 */
export interface CostOption {
  readonly strategy: Strategy;
  readonly label: string;
  readonly direction: Direction;
  readonly monthlyFixedUsd: number;
  readonly monthlyVariableUsd: number;
  readonly monthlyTotalUsd: number;
  /** Cost of one more GB a month through this option. */
  readonly perGbUsd: number;
  /** Public IPv4 addresses it bills for (and a third party allow-lists, where they are static). */
  readonly publicIps: number;
  readonly traits: Traits;
  /** The one trade-off that matters most, short enough for a table cell. */
  readonly summary: string;
  readonly notes: readonly string[];
}

/** Builds an option from its fixed cost and per-GB rate, so the total is always consistent. */
export function costOption(
  fields: Omit<CostOption, 'monthlyVariableUsd' | 'monthlyTotalUsd'>,
  gb: number,
): CostOption {
  const monthlyVariableUsd = fields.perGbUsd * gb;
  return { ...fields, monthlyVariableUsd, monthlyTotalUsd: fields.monthlyFixedUsd + monthlyVariableUsd };
}
