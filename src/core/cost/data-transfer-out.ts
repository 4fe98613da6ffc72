import type { RegionPrices } from './prices.js';

/** Data transfer out to the internet for a month: the same bill whichever egress strategy carries it. */
export interface DataTransferOut {
  readonly gb: number;
  readonly freeGb: number;
  readonly billableGb: number;
  readonly monthlyUsd: number;
}

const TB = 1024;

/** Where the tiers end, in GB: 10 TB, 50 TB and 150 TB (1 TB = 1,024 GB); the last tier has no end. */
export const TIER_ENDS_GB = [10 * TB, 50 * TB, 150 * TB] as const;

/**
 * Tiered data transfer out to the internet:
 * `Σ rateₖ × |[freeGb, gb] ∩ tierₖ|` over the tiers 0–10 TB, 10–50 TB, 50–150 TB and over 150 TB
 * (1 TB = 1,024 GB). The free allowance comes off the first GB of the first tier.
 *
 * @example 1,000 GB in us-east-1: (1,000 − 100) × $0.09 = $81.00
 */
export function dataTransferOut(gb: number, prices: RegionPrices): DataTransferOut {
  const freeGb = prices.dataTransferOutFreeGb.value;
  const tiers: readonly (readonly [upToGb: number, usdPerGb: number])[] = [
    [TIER_ENDS_GB[0], prices.dataTransferOutFirst10TbPerGb.value],
    [TIER_ENDS_GB[1], prices.dataTransferOutNext40TbPerGb.value],
    [TIER_ENDS_GB[2], prices.dataTransferOutNext100TbPerGb.value],
    [Number.POSITIVE_INFINITY, prices.dataTransferOutOver150TbPerGb.value],
  ];
  let monthlyUsd = 0;
  let tierStart = 0;
  for (const [upToGb, usdPerGb] of tiers) {
    const billedInTier = Math.max(0, Math.min(gb, upToGb) - Math.max(tierStart, freeGb));
    monthlyUsd += billedInTier * usdPerGb;
    tierStart = upToGb;
  }
  return { gb, freeGb, billableGb: Math.max(0, gb - freeGb), monthlyUsd };
}
