import type { Direction } from '../address-holder.js';
import type { CostOption, Strategy } from './cost-option.js';
import { formatGb, formatUsd, formatUsdPerGb, sameAmount } from './money.js';

/**
 * Where two strategies of the same direction cost the same. Both are lines in GB
 * (`fixed + perGb × GB`), so they meet at most once:
 * `GB* = (fixed_b − fixed_a) / (perGb_a − perGb_b)` for `a` the cheaper one at 0 GB.
 */
export interface BreakEven {
  readonly direction: Direction;
  /** `[cheaper at 0 GB, the other]`. */
  readonly strategies: readonly [Strategy, Strategy];
  /** `crosses`: the second becomes cheaper above `gb`; `never`: the first is cheaper at every volume; `equal`: always the same. */
  readonly kind: 'crosses' | 'never' | 'equal';
  readonly gb: number | null;
  readonly monthlyUsd: number | null;
  readonly summary: string;
}

/** Cost of an option at any volume of its own direction's traffic. */
export function totalAt(option: Pick<CostOption, 'monthlyFixedUsd' | 'perGbUsd'>, gb: number): number {
  return option.monthlyFixedUsd + option.perGbUsd * gb;
}

/** The break-even of two options (same direction). */
export function breakEven(first: CostOption, second: CostOption): BreakEven {
  const [a, b] = cheaperAtZero(first, second);
  const base = { direction: a.direction, strategies: [a.strategy, b.strategy] as const };
  if (sameAmount(a.monthlyFixedUsd, b.monthlyFixedUsd) && sameAmount(a.perGbUsd, b.perGbUsd)) {
    return {
      ...base,
      kind: 'equal',
      gb: null,
      monthlyUsd: null,
      summary: `${a.label} and ${b.label} cost the same at every volume`,
    };
  }
  if (a.perGbUsd <= b.perGbUsd || sameAmount(a.perGbUsd, b.perGbUsd)) {
    return {
      ...base,
      kind: 'never',
      gb: null,
      monthlyUsd: null,
      summary: `${b.label} never breaks even with ${a.label}: ${neverGap(a, b)}`,
    };
  }
  const gb = (b.monthlyFixedUsd - a.monthlyFixedUsd) / (a.perGbUsd - b.perGbUsd);
  const monthlyUsd = totalAt(a, gb);
  return {
    ...base,
    kind: 'crosses',
    gb,
    monthlyUsd,
    summary: `${b.label} becomes cheaper than ${a.label} above ${formatGb(gb)} a month (both ${formatUsd(monthlyUsd)})`,
  };
}

/**
 * Every pair of static-IP IPv4 options within each direction. The no-static-IP baseline is left out: it is
 * cheapest at every volume and no alternative to the others; so is IPv6 egress, which adds to an IPv4
 * strategy rather than replacing one.
 */
export function breakEvens(options: readonly CostOption[]): BreakEven[] {
  const candidates = options.filter(
    (option) => option.traits.staticIp && option.traits.addressFamily === 'ipv4',
  );
  const result: BreakEven[] = [];
  candidates.forEach((first, index) => {
    for (const second of candidates.slice(index + 1)) {
      if (first.direction === second.direction) result.push(breakEven(first, second));
    }
  });
  return result;
}

function cheaperAtZero(first: CostOption, second: CostOption): [CostOption, CostOption] {
  if (!sameAmount(first.monthlyFixedUsd, second.monthlyFixedUsd)) {
    return first.monthlyFixedUsd < second.monthlyFixedUsd ? [first, second] : [second, first];
  }
  return first.perGbUsd <= second.perGbUsd ? [first, second] : [second, first];
}

function neverGap(a: CostOption, b: CostOption): string {
  const gaps: string[] = [];
  if (!sameAmount(a.monthlyFixedUsd, b.monthlyFixedUsd)) {
    gaps.push(`${formatUsd(b.monthlyFixedUsd - a.monthlyFixedUsd)} a month more at 0 GB`);
  }
  if (!sameAmount(a.perGbUsd, b.perGbUsd)) gaps.push(`${formatUsdPerGb(b.perGbUsd - a.perGbUsd)} more`);
  return `it costs ${gaps.join(', and ')}`;
}

/**
 * The plain statement the chart and the table make when no NAT gateway ever pays for itself on price:
 * which cheaper strategies beat every NAT gateway at every volume. `null` when some gateway does break
 * even (with overridden prices, say); the `crosses` entries then say where.
 */
export function natGatewayNeverBreaksEven(
  options: readonly CostOption[],
  entries: readonly BreakEven[],
): string | null {
  const labels = new Map(options.map((option) => [option.strategy, option.label]));
  const gateways = options.filter((option) => isNatGateway(option.strategy));
  const beatenBy = gateways.map((gateway) =>
    entries
      .filter(
        (entry) =>
          entry.kind === 'never' &&
          entry.strategies[1] === gateway.strategy &&
          !isNatGateway(entry.strategies[0]),
      )
      .map((entry) => entry.strategies[0]),
  );
  const beatsAll = [...new Set(beatenBy.flat())].filter((strategy) =>
    beatenBy.every((list) => list.includes(strategy)),
  );
  if (gateways.length === 0 || beatsAll.length === 0) return null;
  const names = beatsAll.map((strategy) => labels.get(strategy) ?? strategy).join(' and ');
  return `No NAT gateway ever breaks even on price: ${names} cost${beatsAll.length === 1 ? 's' : ''} less at every volume.`;
}

function isNatGateway(strategy: Strategy): boolean {
  return strategy.startsWith('nat-gateway');
}
