/**
 * Rounds to whole cents, half up, for display and for the JSON document (the model keeps full
 * precision). Float noise is cleared at a millionth of a dollar first, so 0.0225 × 730 + 0.025 × 730
 * (34.674999…) rounds to $34.68 as it does by hand.
 */
export function roundCents(usd: number): number {
  return Math.round(Math.round(usd * 1e6) / 1e4) / 100;
}

/** `$1,234.56`. */
export function formatUsd(usd: number): string {
  return `$${roundCents(usd).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A per-GB rate with the digits it has: `$0.045/GB`. */
export function formatUsdPerGb(usd: number): string {
  return `$${Number(usd.toFixed(4))}/GB`;
}

/** `3,650 GB`. */
export function formatGb(gb: number): string {
  return `${Math.round(gb).toLocaleString('en-US')} GB`;
}

/** True when two amounts differ by less than a millionth of a cent: float noise, not a real difference. */
export function sameAmount(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-8;
}
