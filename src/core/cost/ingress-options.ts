import { type CostOption, costOption } from './cost-option.js';
import { monthlyFromHourly } from './monthly.js';
import type { RegionPrices } from './prices.js';

const RESPONSE_DTO_NOTE =
  'Responses to clients also pay the usual data transfer out, the same for both ingress strategies; not included.';

/** What the ingress formulas depend on. */
export interface IngressInput {
  /** Availability Zones the load balancers span (one subnet, and for the NLB one Elastic IP, each). */
  readonly azs: number;
  /** GB a month through the ingress path, requests and responses together. */
  readonly ingressGb: number;
}

/**
 * The Application Load Balancer in front of Lambda, shared by both ingress strategies.
 * Fixed: `albHourly × 730`. Per GB: `albLcuHourly / albLambdaGbPerLcuHour`, because LCU-hours for
 * processed bytes are `GB / 0.4` over the month for Lambda targets (traffic spread evenly over the hours).
 * Bytes are only one of four LCU dimensions; many small requests or connections bill more.
 *
 * @example us-east-1: $16.425 a month, plus $0.008 / 0.4 = $0.02/GB
 */
export function applicationLoadBalancer(prices: RegionPrices): { monthlyFixedUsd: number; perGbUsd: number } {
  return {
    monthlyFixedUsd: monthlyFromHourly(prices.albHourly.value),
    perGbUsd: prices.albLcuHourly.value / prices.albLambdaGbPerLcuHour.value,
  };
}

/**
 * Global Accelerator (two static anycast IPs) → internal ALB → Lambda.
 * Fixed: `globalAcceleratorHourly × 730 + ALB fixed`. Per GB: `globalAcceleratorPremiumPerGb + ALB per GB`.
 * DT-Premium is billed each hour on the dominant direction only; charging it on all of --ingress-gb is
 * an upper bound (pass the larger direction's GB for the exact figure).
 *
 * @example us-east-1: $18.25 + $16.425 = $34.675, plus $0.015 + $0.02 = $0.035/GB
 */
export function globalAcceleratorAlb(input: IngressInput, prices: RegionPrices): CostOption {
  const alb = applicationLoadBalancer(prices);
  return costOption(
    {
      strategy: 'global-accelerator-alb',
      label: 'Global Accelerator → ALB',
      direction: 'ingress',
      monthlyFixedUsd: monthlyFromHourly(prices.globalAcceleratorHourly.value) + alb.monthlyFixedUsd,
      perGbUsd: prices.globalAcceleratorPremiumPerGb.value + alb.perGbUsd,
      publicIps: 2,
      traits: { staticIp: true, supportedByAws: true, noGapOnFailure: true, addressFamily: 'ipv4' },
      summary: "2 anycast IPs, AWS's not your pool",
      notes: [
        'Two static anycast IPv4 addresses owned by AWS (unless you bring your own), kept while the accelerator exists; not from your egress pool.',
        'DT-Premium is billed on the dominant direction each hour; charging it on all of --ingress-gb is an upper bound. ' +
          'The rate assumes clients on the Region’s continent.',
        'Assumes an internal ALB (no public IPs of its own). LCUs are derived from bytes only (0.4 GB per LCU-hour for Lambda).',
        RESPONSE_DTO_NOTE,
      ],
    },
    input.ingressGb,
  );
}

/**
 * NLB with one Elastic IP per AZ (from the same pool as egress) → ALB-type target group → internal ALB → Lambda.
 * Fixed: `nlbHourly × 730 + azs × publicIpv4Hourly × 730 + ALB fixed`.
 * Per GB: `nlbNlcuHourly / nlbGbPerNlcuHour + ALB per GB`.
 *
 * @example us-east-1, 2 AZs: $16.425 + $7.30 + $16.425 = $40.15, plus $0.006 + $0.02 = $0.026/GB
 */
export function nlbPoolIpsAlb(input: IngressInput, prices: RegionPrices): CostOption {
  const alb = applicationLoadBalancer(prices);
  return costOption(
    {
      strategy: 'nlb-pool-ips-alb',
      label: 'NLB with pool IPs → ALB',
      direction: 'ingress',
      monthlyFixedUsd:
        monthlyFromHourly(prices.nlbHourly.value) +
        input.azs * monthlyFromHourly(prices.publicIpv4Hourly.value) +
        alb.monthlyFixedUsd,
      perGbUsd: prices.nlbNlcuHourly.value / prices.nlbGbPerNlcuHour.value + alb.perGbUsd,
      publicIps: input.azs,
      traits: { staticIp: true, supportedByAws: true, noGapOnFailure: true, addressFamily: 'ipv4' },
      summary: 'your pool IPs, one allow-list',
      notes: [
        `One Elastic IP per AZ (${input.azs}), yours and fixed for the NLB's life; they can come from the same pool as egress.`,
        'TCP listener on the NLB, TLS terminates on the ALB; an ALB can sit behind at most two NLBs.',
        'NLCUs and LCUs are derived from bytes only (1 GB per NLCU-hour, 0.4 GB per LCU-hour for Lambda).',
        RESPONSE_DTO_NOTE,
      ],
    },
    input.ingressGb,
  );
}

/** Both ingress strategies. */
export function ingressOptions(input: IngressInput, prices: RegionPrices): CostOption[] {
  return [globalAcceleratorAlb(input, prices), nlbPoolIpsAlb(input, prices)];
}
