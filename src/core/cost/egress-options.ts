import { type CostOption, costOption } from './cost-option.js';
import { monthlyFromHourly } from './monthly.js';
import type { RegionPrices } from './prices.js';

/** What the egress formulas depend on. */
export interface EgressInput {
  /** Availability Zones the functions' subnets are in (one subnet per AZ). */
  readonly azs: number;
  /** Extra Elastic IPs kept allocated and allow-listed so a replacement ENI gets one at once. */
  readonly spares: number;
  /** GB a month the functions send to the internet. */
  readonly egressGb: number;
}

const DTO_NOTE = 'Data transfer out to the internet is extra and the same for every strategy (shown once).';

/** The fixed cost shared by three strategies: one device (gateway or instance) and its Elastic IP in each AZ. */
function devicePlusIpPerAz(azs: number, deviceHourly: number, prices: RegionPrices): number {
  return azs * (monthlyFromHourly(deviceHourly) + monthlyFromHourly(prices.publicIpv4Hourly.value));
}

/**
 * Elastic IPs bound to Lambda's Hyperplane ENIs in public subnets.
 * Fixed: `(azs + spares) × publicIpv4Hourly × 730`; no per-GB charge.
 *
 * @example us-east-1, 2 AZs, no spares: 2 × $3.65 = $7.30
 */
export function hyperplaneEip(input: EgressInput, prices: RegionPrices): CostOption {
  const ips = input.azs + input.spares;
  return costOption(
    {
      strategy: 'hyperplane-eip',
      label: 'Hyperplane ENI Elastic IPs',
      direction: 'egress',
      monthlyFixedUsd: ips * monthlyFromHourly(prices.publicIpv4Hourly.value),
      perGbUsd: 0,
      publicIps: ips,
      traits: { staticIp: true, supportedByAws: false, noGapOnFailure: false, addressFamily: 'ipv4' },
      summary:
        input.spares > 0
          ? 'not supported by AWS; spares keep ENI churn gap-free'
          : 'not supported by AWS; keep spares or ENI churn has gaps',
      notes: [
        'Binding Elastic IPs to Lambda Hyperplane ENIs works but is not documented or supported by AWS.',
        `Counts ${ips} IPs: one per subnet's ENI (${input.azs} AZs, one subnet and one security-group set each) ` +
          `plus ${input.spares} spare(s). More security-group sets, or over 65,000 connections per ENI, need more IPs.`,
        'Lambda replaces ENIs on its own (config changes, scale-out, idle reclaim); a new ENI has no egress until ' +
          'an IP is bound to it. With spare IPs (already allow-listed) the controller binds it before Lambda moves ' +
          'traffic to it: 0 s of downtime in every measured scenario. Without spares a VPC change waits for the old ' +
          'ENI to retire: seconds with the update watch, up to a minute when events are lost (docs/zero-downtime.md).',
        'No per-GB processing charge, and no NAT device to patch or pay for.',
        DTO_NOTE,
      ],
    },
    input.egressGb,
  );
}

/**
 * One zonal NAT gateway per AZ, each with its own Elastic IP.
 * Fixed: `azs × (natGatewayHourly × 730 + publicIpv4Hourly × 730)`; per GB: `natGatewayPerGb`.
 *
 * @example us-east-1, 2 AZs: 2 × ($32.85 + $3.65) = $73.00, plus $0.045/GB
 */
export function natGatewayPerAz(input: EgressInput, prices: RegionPrices): CostOption {
  return costOption(
    {
      strategy: 'nat-gateway-per-az',
      label: 'NAT gateway per AZ',
      direction: 'egress',
      monthlyFixedUsd: devicePlusIpPerAz(input.azs, prices.natGatewayHourly.value, prices),
      perGbUsd: prices.natGatewayPerGb.value,
      publicIps: input.azs,
      traits: { staticIp: true, supportedByAws: true, noGapOnFailure: true, addressFamily: 'ipv4' },
      summary: 'AWS-supported; survives an AZ failure',
      notes: [
        'The AWS-supported answer: functions in private subnets, one managed NAT gateway per AZ.',
        `Processing is charged on every GB through the gateway in both directions ($${prices.natGatewayPerGb.value}/GB); ` +
          'replies coming back in are not in --egress-gb, so add them if downloads are large.',
        DTO_NOTE,
      ],
    },
    input.egressGb,
  );
}

/**
 * One zonal NAT gateway shared by every AZ.
 * Fixed: `natGatewayHourly × 730 + publicIpv4Hourly × 730`;
 * per GB: `natGatewayPerGb + interAzPerGb × (azs − 1) / azs` (traffic spread evenly over the AZs,
 * so that share crosses to the gateway's AZ).
 *
 * @example us-east-1, 2 AZs: $32.85 + $3.65 = $36.50, plus $0.045 + $0.02 × ½ = $0.055/GB
 */
export function natGatewaySingle(input: EgressInput, prices: RegionPrices): CostOption {
  const crossingShare = (input.azs - 1) / input.azs;
  return costOption(
    {
      strategy: 'nat-gateway-single',
      label: 'NAT gateway, single',
      direction: 'egress',
      monthlyFixedUsd:
        monthlyFromHourly(prices.natGatewayHourly.value) + monthlyFromHourly(prices.publicIpv4Hourly.value),
      perGbUsd: prices.natGatewayPerGb.value + prices.interAzPerGb.value * crossingShare,
      publicIps: 1,
      traits: {
        staticIp: true,
        supportedByAws: true,
        noGapOnFailure: input.azs === 1,
        addressFamily: 'ipv4',
      },
      summary: 'one AZ failure stops all egress',
      notes: [
        'One NAT gateway for every AZ: if its AZ fails, functions in every AZ lose internet access.',
        `Traffic from the other AZs (${Math.round(crossingShare * 100)}% if spread evenly) pays cross-AZ data ` +
          `transfer ($${prices.interAzPerGb.value}/GB), included in the per-GB rate.`,
        DTO_NOTE,
      ],
    },
    input.egressGb,
  );
}

/**
 * A regional NAT gateway (`AvailabilityMode=regional`) with one Elastic IP pinned per AZ.
 * Fixed: `azs × (regionalNatGatewayHourly × 730 + publicIpv4Hourly × 730)`; per GB:
 * `regionalNatGatewayPerGb`. Priced as one hourly charge per AZ the gateway is active in: inferred
 * from the price list, not stated on the AWS pricing page (override it if your bill differs).
 */
export function natGatewayRegional(input: EgressInput, prices: RegionPrices): CostOption {
  return costOption(
    {
      strategy: 'nat-gateway-regional',
      label: 'NAT gateway, regional',
      direction: 'egress',
      monthlyFixedUsd: devicePlusIpPerAz(input.azs, prices.regionalNatGatewayHourly.value, prices),
      perGbUsd: prices.regionalNatGatewayPerGb.value,
      publicIps: input.azs,
      traits: { staticIp: true, supportedByAws: true, noGapOnFailure: true, addressFamily: 'ipv4' },
      summary: 'AWS-supported; pin one IP per AZ',
      notes: [
        'One gateway that expands to every AZ with workloads; no public subnets needed.',
        'Priced as the hourly rate for each AZ it is active in, plus one pinned Elastic IP per AZ: an inference ' +
          'from the AWS price list, not stated on the pricing page. Override regionalNatGatewayHourly if your bill differs.',
        'Pin AvailabilityZoneAddresses: without them it adds AZs and IPs by itself and the allow-list grows silently.',
        DTO_NOTE,
      ],
    },
    input.egressGb,
  );
}

/**
 * A NAT instance (fck-nat on a t4g.nano, built with `cdk-fck-nat`) and its Elastic IP in each AZ.
 * Fixed: `azs × (natInstanceHourly × 730 + publicIpv4Hourly × 730)`; no per-GB charge.
 *
 * @example us-east-1, 2 AZs: 2 × ($3.066 + $3.65) = $13.43
 */
export function natInstance(input: EgressInput, prices: RegionPrices): CostOption {
  return costOption(
    {
      strategy: 'nat-instance',
      label: 'NAT instance per AZ',
      direction: 'egress',
      monthlyFixedUsd: devicePlusIpPerAz(input.azs, prices.natInstanceHourly.value, prices),
      perGbUsd: 0,
      publicIps: input.azs,
      traits: { staticIp: true, supportedByAws: true, noGapOnFailure: false, addressFamily: 'ipv4' },
      summary: 'minutes down on replacement; you patch it',
      notes: [
        'An EC2 instance per AZ doing NAT (fck-nat, in an Auto Scaling group of one; docs/nat-instance.md): when ' +
          "one fails or is replaced, its AZ has no egress for about 5 minutes while a new one boots (fck-nat's " +
          'documented figure), a few seconds if the new one is launched before the old one is terminated; open ' +
          'connections are cut either way.',
        'Each instance takes its pool IP at boot with AllowReassociation, from wherever it is: reserve its IPs ' +
          '(HyperplaneEgress does for a StaticIpPool claim; --reserve for apply) so that no Lambda ENI holds them.',
        "You patch and upgrade its operating system; a t4g.nano's bandwidth bursts to 5 Gbit/s but sustains far less, so busy AZs need a larger size.",
        'Its EBS root volume (about $0.64 a month for 8 GB gp3) is not included.',
        DTO_NOTE,
      ],
    },
    input.egressGb,
  );
}

/**
 * IPv6 egress from dual-stack subnets (`Ipv6AllowedForDualStack`), through an egress-only internet gateway
 * (private subnets) or the internet gateway (public ones). Fixed: 0; per GB: 0. The allow-list is one /64
 * per subnet. It adds to an IPv4 strategy and never replaces one, so `addressFamily` is `ipv6`.
 *
 * @example any Region, any AZs: $0.00
 */
export function ipv6DualStack(input: EgressInput): CostOption {
  return costOption(
    {
      strategy: 'ipv6-dual-stack',
      label: 'IPv6 dual-stack (/64s)',
      direction: 'egress',
      monthlyFixedUsd: 0,
      perGbUsd: 0,
      publicIps: 0,
      traits: { staticIp: true, supportedByAws: true, noGapOnFailure: true, addressFamily: 'ipv6' },
      summary: 'vendor must accept IPv6; IPv4-only needs IPv4 too',
      notes: [
        `Lambda sends IPv6 from dual-stack subnets when the function allows it (Ipv6AllowedForDualStack); the source ` +
          `is an address of the subnet's /64, so the allow-list is ${input.azs} /64 prefix(es), one per subnet, ` +
          'with no public IPv4 address, NAT or controller (docs/ipv6.md).',
        'The vendor must accept IPv6 connections and allow-list IPv6 prefixes, not single IPs.',
        'IPv4-only destinations still need an IPv4 strategy: this adds to one of the IPv4 options, never replaces ' +
          'it, so break-evens and the recommendation weigh the IPv4 options only.',
        'Egress-only internet gateways, internet gateways and VPC IPv6 addresses cost nothing.',
        DTO_NOTE,
      ],
    },
    input.egressGb,
  );
}

/** The baseline: Lambda outside a VPC (or without fixed addresses). Costs nothing; allows no allow-listing. */
export function noStaticIp(input: EgressInput): CostOption {
  return costOption(
    {
      strategy: 'no-static-ip',
      label: 'No static IP (baseline)',
      direction: 'egress',
      monthlyFixedUsd: 0,
      perGbUsd: 0,
      publicIps: 0,
      traits: { staticIp: false, supportedByAws: true, noGapOnFailure: true, addressFamily: 'ipv4' },
      summary: 'baseline: nothing to allow-list',
      notes: [
        'The baseline: egress leaves from addresses AWS picks and changes, so no vendor can allow-list it.',
        DTO_NOTE,
      ],
    },
    input.egressGb,
  );
}

/** Every egress strategy: the IPv4 ones cheapest-to-run first by convention, then IPv6, baseline last. */
export function egressOptions(input: EgressInput, prices: RegionPrices): CostOption[] {
  return [
    hyperplaneEip(input, prices),
    natInstance(input, prices),
    natGatewaySingle(input, prices),
    natGatewayPerAz(input, prices),
    natGatewayRegional(input, prices),
    ipv6DualStack(input),
    noStaticIp(input),
  ];
}
