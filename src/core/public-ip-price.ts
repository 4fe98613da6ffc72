import { roundCents } from './cost/money.js';
import { monthlyFromHourly } from './cost/monthly.js';

/**
 * What one public IPv4 address costs, for the audit's cost findings. Deliberately one small constant:
 * the cost advisor keeps a dated, per-Region price table, and this can be switched to it.
 */
export const PUBLIC_IPV4_PRICE = {
  /** Every public IPv4 address, Elastic IPs included, in use or idle. */
  usdPerHour: 0.005,
  region: 'us-east-1',
  /** In effect since; other Regions may differ. */
  asOf: '2024-02-01',
  source: 'https://aws.amazon.com/vpc/pricing/ (Public IPv4 Address: $0.005 per IP per hour)',
} as const;

/** The monthly cost of `ips` public IPv4 addresses (the cost advisor's 730-hour month), in USD, rounded to cents. */
export function monthlyIpCostUsd(ips: number): number {
  return roundCents(monthlyFromHourly(ips * PUBLIC_IPV4_PRICE.usdPerHour));
}
