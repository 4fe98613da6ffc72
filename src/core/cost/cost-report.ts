import { InputError } from '../errors.js';
import { type BreakEven, breakEvens } from './break-even.js';
import type { CostOption } from './cost-option.js';
import { type DataTransferOut, dataTransferOut } from './data-transfer-out.js';
import { egressOptions } from './egress-options.js';
import { ingressOptions } from './ingress-options.js';
import { roundCents } from './money.js';
import { HOURS_PER_MONTH } from './monthly.js';
import type { ResolvedPrices } from './price-overrides.js';
import type { PriceKey, RegionPrices } from './prices.js';
import { type Recommendation, recommend } from './recommendation.js';

/** Availability Zones the model accepts: Lambda takes up to 16 subnets, but no Region offers more than 6 AZs. */
export const MAX_AZS = 6;
/** A sanity bound on traffic (about 1 EB a month): larger values are typing mistakes. */
export const MAX_GB = 1e9;

export interface CostInputs {
  readonly azs: number;
  readonly spares: number;
  readonly egressGb: number;
  readonly ingressGb: number;
}

/** Everything the `cost` command reports, at full precision. */
export interface CostReport {
  readonly region: string;
  readonly pricesAsOf: string;
  readonly overridden: readonly PriceKey[];
  readonly inputs: CostInputs;
  readonly prices: RegionPrices;
  readonly dataTransferOut: DataTransferOut;
  readonly options: readonly CostOption[];
  readonly breakEven: readonly BreakEven[];
  readonly recommendation: { readonly egress: Recommendation; readonly ingress: Recommendation };
}

/** Throws an InputError naming the value and the rule unless the inputs are usable. */
export function validateCostInputs(inputs: CostInputs): CostInputs {
  const { azs, spares, egressGb, ingressGb } = inputs;
  if (!Number.isInteger(azs) || azs < 1 || azs > MAX_AZS) {
    throw new InputError('InvalidAzs', `azs must be a whole number from 1 to ${MAX_AZS}, got ${azs}`);
  }
  if (!Number.isInteger(spares) || spares < 0) {
    throw new InputError('InvalidSpares', `spares must be a whole number, 0 or more, got ${spares}`);
  }
  for (const [name, value] of [
    ['egressGb', egressGb],
    ['ingressGb', ingressGb],
  ] as const) {
    if (!Number.isFinite(value) || value < 0 || value > MAX_GB) {
      throw new InputError(
        'InvalidTraffic',
        `${name} must be a number of GB from 0 to ${MAX_GB}, got ${value}`,
      );
    }
  }
  return inputs;
}

/** Prices every strategy for the inputs, finds the break-evens and the recommendation. Pure. */
export function buildCostReport(inputs: CostInputs, resolved: ResolvedPrices): CostReport {
  validateCostInputs(inputs);
  const { prices } = resolved;
  const options = [...egressOptions(inputs, prices), ...ingressOptions(inputs, prices)];
  return {
    region: resolved.region,
    pricesAsOf: resolved.asOf,
    overridden: resolved.overridden,
    inputs,
    prices,
    dataTransferOut: dataTransferOut(inputs.egressGb, prices),
    options,
    breakEven: breakEvens(options),
    recommendation: { egress: recommend(options, 'egress'), ingress: recommend(options, 'ingress') },
  };
}

/** The `--json` document: money rounded to cents, figures with their sources. */
export function costDocument(report: CostReport): Record<string, unknown> {
  const { inputs } = report;
  return {
    region: report.region,
    pricesAsOf: report.pricesAsOf,
    pricesOverridden: report.overridden,
    inputs: {
      ...inputs,
      hoursPerMonth: HOURS_PER_MONTH,
      hyperplaneIps: inputs.azs + inputs.spares,
    },
    dataTransferOut: {
      ...report.dataTransferOut,
      monthlyUsd: roundCents(report.dataTransferOut.monthlyUsd),
      note: 'Paid the same with every egress strategy, so it is shown once and left out of each option.',
    },
    options: report.options.map((option) => ({
      strategy: option.strategy,
      label: option.label,
      direction: option.direction,
      monthlyFixedUsd: roundCents(option.monthlyFixedUsd),
      monthlyVariableUsd: roundCents(option.monthlyVariableUsd),
      monthlyTotalUsd: roundCents(option.monthlyTotalUsd),
      perGbUsd: option.perGbUsd,
      publicIps: option.publicIps,
      traits: option.traits,
      summary: option.summary,
      notes: option.notes,
    })),
    breakEven: report.breakEven.map((entry) => ({
      ...entry,
      gb: entry.gb === null ? null : Math.round(entry.gb * 100) / 100,
      monthlyUsd: entry.monthlyUsd === null ? null : roundCents(entry.monthlyUsd),
    })),
    recommendation: {
      egress: {
        ...report.recommendation.egress,
        monthlyTotalUsd: roundCents(report.recommendation.egress.monthlyTotalUsd),
      },
      ingress: {
        ...report.recommendation.ingress,
        monthlyTotalUsd: roundCents(report.recommendation.ingress.monthlyTotalUsd),
      },
    },
    prices: report.prices,
  };
}
