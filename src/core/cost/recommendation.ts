import type { Direction } from '../address-holder.js';
import type { CostOption, Strategy } from './cost-option.js';
import { formatUsd } from './money.js';

/** A cheaper option with caveats must save at least this much a month over the caveat-free one… */
export const MIN_SAVING_USD = 10;
/** …and at least this share of the caveat-free one's total, to be recommended. */
export const MIN_SAVING_SHARE = 0.25;

export interface Recommendation {
  readonly direction: Direction;
  readonly strategy: Strategy;
  /** The option to take instead if the recommended one's caveats are unacceptable. */
  readonly alternative: Strategy | null;
  readonly monthlyTotalUsd: number;
  readonly reason: string;
}

/**
 * Recommends one static-IP option for a direction, weighing cost against support and downtime.
 *
 * The "safe" choice is the cheapest option AWS supports that has no gap on a failure. The cheapest
 * option overall is recommended instead only when it saves at least {@link MIN_SAVING_USD} a month and
 * {@link MIN_SAVING_SHARE} of the safe choice's total; the reason names its caveat and the safe
 * alternative. The no-static-IP baseline is never recommended, nor is an IPv6 option: it adds to an IPv4
 * strategy for vendors that accept IPv6, and cannot carry traffic to IPv4-only destinations.
 */
export function recommend(options: readonly CostOption[], direction: Direction): Recommendation {
  const candidates = options.filter(
    (option) =>
      option.direction === direction && option.traits.staticIp && option.traits.addressFamily === 'ipv4',
  );
  const cheapest = cheapestOf(candidates);
  if (!cheapest) throw new Error(`no static-IP ${direction} option to recommend`);
  const safe = cheapestOf(
    candidates.filter((option) => option.traits.supportedByAws && option.traits.noGapOnFailure),
  );
  if (!safe || safe === cheapest) return plainChoice(cheapest, candidates);

  const saving = safe.monthlyTotalUsd - cheapest.monthlyTotalUsd;
  const share = saving / safe.monthlyTotalUsd;
  if (saving >= MIN_SAVING_USD && share >= MIN_SAVING_SHARE) {
    return {
      direction,
      strategy: cheapest.strategy,
      alternative: safe.strategy,
      monthlyTotalUsd: cheapest.monthlyTotalUsd,
      reason:
        `${cheapest.label} at ${formatUsd(cheapest.monthlyTotalUsd)} a month saves ${formatUsd(saving)} ` +
        `(${Math.round(share * 100)}%) over ${safe.label}; the price of that: ${cheapest.summary}. ` +
        `Choose ${safe.label} (${formatUsd(safe.monthlyTotalUsd)}) if you need ${whatSafeAdds(cheapest)}.`,
    };
  }
  return {
    direction,
    strategy: safe.strategy,
    alternative: cheapest.strategy,
    monthlyTotalUsd: safe.monthlyTotalUsd,
    reason:
      `${safe.label} at ${formatUsd(safe.monthlyTotalUsd)} a month: ${cheapest.label} would save only ` +
      `${formatUsd(saving)}, not worth its caveat (${cheapest.summary}).`,
  };
}

/** The cheapest option is also free of caveats: say so, and what the runner-up offers instead. */
function plainChoice(choice: CostOption, candidates: readonly CostOption[]): Recommendation {
  const runnerUp = cheapestOf(candidates.filter((option) => option !== choice));
  return {
    direction: choice.direction,
    strategy: choice.strategy,
    alternative: runnerUp?.strategy ?? null,
    monthlyTotalUsd: choice.monthlyTotalUsd,
    reason:
      `${choice.label} at ${formatUsd(choice.monthlyTotalUsd)} a month is the cheapest (${choice.summary})` +
      (runnerUp
        ? `; ${runnerUp.label} costs ${formatUsd(runnerUp.monthlyTotalUsd - choice.monthlyTotalUsd)} more (${runnerUp.summary}).`
        : '.'),
  };
}

function whatSafeAdds(option: CostOption): string {
  const wants: string[] = [];
  if (!option.traits.supportedByAws) wants.push('AWS support');
  if (!option.traits.noGapOnFailure) wants.push('no egress gap when a component fails');
  return wants.join(' or ');
}

function cheapestOf(options: readonly CostOption[]): CostOption | undefined {
  return options.reduce<CostOption | undefined>(
    (best, option) => (!best || option.monthlyTotalUsd < best.monthlyTotalUsd ? option : best),
    undefined,
  );
}
