/**
 * The built-in price table: on-demand list prices in USD, per Region, each figure with its unit and
 * where it comes from. Prices change: every figure can be overridden with `cost --prices FILE`
 * (see {@link applyPriceOverrides}), and the report always states {@link PRICES}.asOf.
 *
 * A source note that says "not confirmed" marks a figure that could not be checked against an AWS
 * page or price-list excerpt when the table was dated; treat it as an estimate.
 */

/** Every figure the cost model uses, for one Region. */
export const PRICE_KEYS = [
  'publicIpv4Hourly',
  'natGatewayHourly',
  'natGatewayPerGb',
  'regionalNatGatewayHourly',
  'regionalNatGatewayPerGb',
  'interAzPerGb',
  'natInstanceHourly',
  'dataTransferOutFreeGb',
  'dataTransferOutFirst10TbPerGb',
  'dataTransferOutNext40TbPerGb',
  'dataTransferOutNext100TbPerGb',
  'dataTransferOutOver150TbPerGb',
  'globalAcceleratorHourly',
  'globalAcceleratorPremiumPerGb',
  'albHourly',
  'albLcuHourly',
  'albLambdaGbPerLcuHour',
  'nlbHourly',
  'nlbNlcuHourly',
  'nlbGbPerNlcuHour',
] as const;

export type PriceKey = (typeof PRICE_KEYS)[number];

/** One figure: its value, its unit, and where it was read (a URL and, where needed, a caveat). */
export interface PriceFigure {
  readonly value: number;
  readonly unit: string;
  readonly source: string;
}

export type RegionPrices = Readonly<Record<PriceKey, PriceFigure>>;

export interface PriceTable {
  /** The day the figures were checked, `YYYY-MM-DD`. */
  readonly asOf: string;
  readonly regions: Readonly<Record<string, RegionPrices>>;
}

/** The unit of each figure, so overrides and the report can name it. */
export const PRICE_UNITS: Readonly<Record<PriceKey, string>> = {
  publicIpv4Hourly: 'USD per address-hour',
  natGatewayHourly: 'USD per gateway-hour',
  natGatewayPerGb: 'USD per GB processed',
  regionalNatGatewayHourly: 'USD per hour per Availability Zone it is active in',
  regionalNatGatewayPerGb: 'USD per GB processed',
  interAzPerGb: 'USD per GB crossing Availability Zones (both sides together)',
  natInstanceHourly: 'USD per instance-hour (t4g.nano, Linux, on demand)',
  dataTransferOutFreeGb: 'GB per month free (account-wide)',
  dataTransferOutFirst10TbPerGb: 'USD per GB, up to 10 TB a month',
  dataTransferOutNext40TbPerGb: 'USD per GB, 10-50 TB a month',
  dataTransferOutNext100TbPerGb: 'USD per GB, 50-150 TB a month',
  dataTransferOutOver150TbPerGb: 'USD per GB, over 150 TB a month',
  globalAcceleratorHourly: 'USD per accelerator-hour',
  globalAcceleratorPremiumPerGb: 'USD per GB (DT-Premium, dominant direction)',
  albHourly: 'USD per load-balancer-hour',
  albLcuHourly: 'USD per LCU-hour',
  albLambdaGbPerLcuHour: 'GB processed per LCU-hour for Lambda targets',
  nlbHourly: 'USD per load-balancer-hour',
  nlbNlcuHourly: 'USD per NLCU-hour',
  nlbGbPerNlcuHour: 'GB processed per NLCU-hour (TCP)',
};

const VPC_PRICING = 'https://aws.amazon.com/vpc/pricing/';
const EC2_PRICING = 'https://aws.amazon.com/ec2/pricing/on-demand/';
const DTO_PRICING = 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer';
const GA_PRICING = 'https://aws.amazon.com/global-accelerator/pricing/';
const ELB_PRICING = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
const NOT_CONFIRMED = 'not confirmed from an AWS page for this Region when dated; override with --prices';

type Figures = Readonly<Record<PriceKey, readonly [value: number, source: string]>>;

/** Figures that are the same in every Region in the table. */
const GLOBAL: Pick<
  Figures,
  | 'publicIpv4Hourly'
  | 'interAzPerGb'
  | 'dataTransferOutFreeGb'
  | 'globalAcceleratorHourly'
  | 'albLambdaGbPerLcuHour'
  | 'nlbGbPerNlcuHour'
> = {
  publicIpv4Hourly: [
    0.005,
    `${VPC_PRICING} (public IPv4 address, in use or idle, every Region, since 2024-02-01)`,
  ],
  interAzPerGb: [0.02, `${DTO_PRICING} ($0.01/GB charged on each side of an Availability Zone crossing)`],
  dataTransferOutFreeGb: [
    100,
    `${DTO_PRICING} (100 GB a month free, aggregated over the whole account and every Region: set 0 if other workloads use it up)`,
  ],
  globalAcceleratorHourly: [0.025, `${GA_PRICING} (fixed fee, the same for every accelerator)`],
  albLambdaGbPerLcuHour: [0.4, `${ELB_PRICING} (1 LCU = 0.4 GB per hour for Lambda targets)`],
  nlbGbPerNlcuHour: [1, `${ELB_PRICING} (1 NLCU = 1 GB per hour for TCP)`],
};

/** Data transfer out tiers shared by the US and EU Regions. */
const DTO_US_EU: Pick<
  Figures,
  | 'dataTransferOutFirst10TbPerGb'
  | 'dataTransferOutNext40TbPerGb'
  | 'dataTransferOutNext100TbPerGb'
  | 'dataTransferOutOver150TbPerGb'
> = {
  dataTransferOutFirst10TbPerGb: [0.09, DTO_PRICING],
  dataTransferOutNext40TbPerGb: [0.085, DTO_PRICING],
  dataTransferOutNext100TbPerGb: [0.07, DTO_PRICING],
  dataTransferOutOver150TbPerGb: [0.05, DTO_PRICING],
};

/** The US-East price points, which us-west-2 shares. */
const US_EAST_WEST: Omit<Figures, keyof typeof GLOBAL | keyof typeof DTO_US_EU> = {
  natGatewayHourly: [0.045, `${VPC_PRICING} (also the AWS Pricing API, NatGateway-Hours)`],
  natGatewayPerGb: [0.045, `${VPC_PRICING} (also the AWS Pricing API, NatGateway-Bytes)`],
  regionalNatGatewayHourly: [
    0.045,
    `${VPC_PRICING} (AWS Pricing API usage type RegionalNatGateway-Hours, same rate as zonal); billed per Availability Zone the gateway is active in: inferred, not stated on the page`,
  ],
  regionalNatGatewayPerGb: [0.045, `${VPC_PRICING} (assumed equal to the zonal rate)`],
  natInstanceHourly: [0.0042, `${EC2_PRICING} (t4g.nano Linux; AWS price list BoxUsage:t4g.nano)`],
  globalAcceleratorPremiumPerGb: [
    0.015,
    `${GA_PRICING} (North America Region to North America edge; other edges cost more)`,
  ],
  albHourly: [0.0225, ELB_PRICING],
  albLcuHourly: [0.008, ELB_PRICING],
  nlbHourly: [0.0225, ELB_PRICING],
  nlbNlcuHourly: [0.006, ELB_PRICING],
};

function region(figures: Figures): RegionPrices {
  const entries = Object.entries(figures) as [PriceKey, readonly [number, string]][];
  return Object.fromEntries(
    entries.map(([key, [value, source]]) => [key, { value, unit: PRICE_UNITS[key], source }]),
  ) as RegionPrices;
}

/** The built-in table. */
export const PRICES: PriceTable = {
  asOf: '2026-11-26',
  regions: {
    'us-east-1': region({ ...GLOBAL, ...DTO_US_EU, ...US_EAST_WEST }),
    'us-west-2': region({ ...GLOBAL, ...DTO_US_EU, ...US_EAST_WEST }),
    'eu-west-1': region({
      ...GLOBAL,
      ...DTO_US_EU,
      natGatewayHourly: [0.048, `${VPC_PRICING} (AWS price list eu-west-1, EU-NatGateway-Hours)`],
      natGatewayPerGb: [0.048, `${VPC_PRICING} (AWS price list eu-west-1, EU-NatGateway-Bytes)`],
      regionalNatGatewayHourly: [
        0.048,
        `${VPC_PRICING} (AWS price list eu-west-1, EU-RegionalNatGateway-Hours); per active Availability Zone: inferred, not stated on the page`,
      ],
      regionalNatGatewayPerGb: [
        0.048,
        `${VPC_PRICING} (AWS price list eu-west-1, EU-RegionalNatGateway-Bytes)`,
      ],
      natInstanceHourly: [0.0046, `${EC2_PRICING} (t4g.nano Linux; ${NOT_CONFIRMED})`],
      globalAcceleratorPremiumPerGb: [0.015, `${GA_PRICING} (Europe Region to Europe edge)`],
      albHourly: [0.0252, `${ELB_PRICING} (third-party tables agree; ${NOT_CONFIRMED})`],
      albLcuHourly: [0.008, ELB_PRICING],
      nlbHourly: [0.0252, `${ELB_PRICING} (${NOT_CONFIRMED})`],
      nlbNlcuHourly: [0.006, ELB_PRICING],
    }),
    'eu-central-1': region({
      ...GLOBAL,
      ...DTO_US_EU,
      natGatewayHourly: [0.052, `${VPC_PRICING} (EUC1-NatGateway-Hours; third-party tables agree)`],
      natGatewayPerGb: [0.052, `${VPC_PRICING} (${NOT_CONFIRMED})`],
      regionalNatGatewayHourly: [
        0.052,
        `${VPC_PRICING} (assumed equal to the zonal rate, per active Availability Zone; ${NOT_CONFIRMED})`,
      ],
      regionalNatGatewayPerGb: [0.052, `${VPC_PRICING} (assumed equal to the zonal rate; ${NOT_CONFIRMED})`],
      natInstanceHourly: [0.0048, `${EC2_PRICING} (t4g.nano Linux; ${NOT_CONFIRMED})`],
      globalAcceleratorPremiumPerGb: [0.015, `${GA_PRICING} (Europe Region to Europe edge)`],
      albHourly: [0.027, `${ELB_PRICING} (${NOT_CONFIRMED})`],
      albLcuHourly: [0.008, `${ELB_PRICING} (${NOT_CONFIRMED})`],
      nlbHourly: [0.027, `${ELB_PRICING} (${NOT_CONFIRMED})`],
      nlbNlcuHourly: [0.006, `${ELB_PRICING} (${NOT_CONFIRMED})`],
    }),
    'ap-southeast-1': region({
      ...GLOBAL,
      natGatewayHourly: [0.059, `${VPC_PRICING} (APS1-NatGateway-Hours; also seen on published bills)`],
      natGatewayPerGb: [0.059, `${VPC_PRICING} (APS1-NatGateway-Bytes; also seen on published bills)`],
      regionalNatGatewayHourly: [
        0.059,
        `${VPC_PRICING} (assumed equal to the zonal rate, per active Availability Zone; ${NOT_CONFIRMED})`,
      ],
      regionalNatGatewayPerGb: [0.059, `${VPC_PRICING} (assumed equal to the zonal rate; ${NOT_CONFIRMED})`],
      natInstanceHourly: [0.0053, `${EC2_PRICING} (t4g.nano Linux; ${NOT_CONFIRMED})`],
      dataTransferOutFirst10TbPerGb: [0.12, `${DTO_PRICING} (${NOT_CONFIRMED})`],
      dataTransferOutNext40TbPerGb: [0.085, `${DTO_PRICING} (${NOT_CONFIRMED})`],
      dataTransferOutNext100TbPerGb: [0.082, `${DTO_PRICING} (${NOT_CONFIRMED})`],
      dataTransferOutOver150TbPerGb: [0.08, `${DTO_PRICING} (${NOT_CONFIRMED})`],
      globalAcceleratorPremiumPerGb: [0.01, `${GA_PRICING} (Asia Pacific Region to Asia Pacific edge)`],
      albHourly: [0.0252, `${ELB_PRICING} (AWS Pricing API, APS1-LoadBalancerUsage)`],
      albLcuHourly: [0.008, `${ELB_PRICING} (AWS Pricing API, APS1-LCUUsage)`],
      nlbHourly: [0.0252, `${ELB_PRICING} (${NOT_CONFIRMED})`],
      nlbNlcuHourly: [0.006, `${ELB_PRICING} (${NOT_CONFIRMED})`],
    }),
  },
};

/** The Regions the built-in table knows, sorted. */
export function knownRegions(table: PriceTable = PRICES): string[] {
  return Object.keys(table.regions).sort();
}
