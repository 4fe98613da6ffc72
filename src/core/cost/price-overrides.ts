import { z } from 'zod';
import { InputError } from '../errors.js';
import { valueAt } from '../value-at.js';
import {
  knownRegions,
  PRICE_KEYS,
  PRICE_UNITS,
  PRICES,
  type PriceFigure,
  type PriceKey,
  type PriceTable,
  type RegionPrices,
} from './prices.js';

/**
 * What a `--prices FILE` holds: any subset of figures for any Region, each a number (in the figure's
 * unit) or `{ "value": number, "source": "where it comes from" }`. A Region the built-in table does
 * not know must give every figure.
 *
 * ```json
 * { "asOf": "2026-12-01",
 *   "regions": { "us-east-1": { "natGatewayHourly": 0.05, "publicIpv4Hourly": { "value": 0.004, "source": "EDP" } } } }
 * ```
 */
export interface PriceOverrides {
  readonly asOf?: string;
  readonly regions: Readonly<Record<string, Partial<Record<PriceKey, OverrideFigure>>>>;
}

interface OverrideFigure {
  readonly value: number;
  readonly source?: string;
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const amount = z.number().nonnegative();
const figureSchema = z.union([
  amount,
  z.strictObject({ value: amount, source: z.string().min(1).optional() }),
]);
const regionSchema = z.strictObject(
  Object.fromEntries(PRICE_KEYS.map((key) => [key, figureSchema.optional()])) as Record<
    PriceKey,
    z.ZodOptional<typeof figureSchema>
  >,
);
const fileSchema = z.strictObject({
  asOf: z.string().regex(DATE).optional(),
  regions: z.record(z.string().regex(REGION_NAME), regionSchema),
});

/**
 * Validates the parsed JSON of a prices file. Throws an InputError (`InvalidPricesFile`) naming the
 * first bad key or value and how to fix it.
 */
export function parsePriceOverrides(raw: unknown, origin: string): PriceOverrides {
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    // A misspelt key usually also leaves a required one missing: report the misspelling, the cause.
    const issues = result.error.issues;
    const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0];
    // No cause: the message already says all the ZodError would, and the CLI prints causes in full.
    throw new InputError(
      'InvalidPricesFile',
      `prices file ${origin}: ${issue ? describeIssue(issue, raw) : 'invalid'}`,
    );
  }
  const regions: Record<string, Partial<Record<PriceKey, OverrideFigure>>> = {};
  for (const [name, figures] of Object.entries(result.data.regions)) {
    const normalised: Partial<Record<PriceKey, OverrideFigure>> = {};
    for (const key of PRICE_KEYS) {
      const figure = figures[key];
      if (figure !== undefined) normalised[key] = typeof figure === 'number' ? { value: figure } : figure;
    }
    regions[name] = normalised;
  }
  return { ...(result.data.asOf ? { asOf: result.data.asOf } : {}), regions };
}

/** The prices for one Region, with the keys an override replaced. */
export interface ResolvedPrices {
  readonly region: string;
  readonly asOf: string;
  readonly prices: RegionPrices;
  readonly overridden: readonly PriceKey[];
}

/**
 * The figures for `region`: the built-in ones with any overrides applied. Throws an InputError
 * (`UnknownRegion`) naming the known Regions when neither the table nor the overrides cover it.
 */
export function resolvePrices(
  region: string,
  options: { table?: PriceTable; overrides?: PriceOverrides; origin?: string } = {},
): ResolvedPrices {
  const table = options.table ?? PRICES;
  const base = table.regions[region];
  const override = options.overrides?.regions[region] ?? {};
  const overridden = PRICE_KEYS.filter((key) => override[key] !== undefined);
  if (!base) {
    if (!options.overrides) {
      throw new InputError(
        'UnknownRegion',
        `no built-in prices for Region "${region}"; known: ${knownRegions(table).join(', ')}. ` +
          `Pass --region with one of them, or --prices FILE giving every figure for ${region}.`,
      );
    }
    const missing = PRICE_KEYS.filter((key) => override[key] === undefined);
    if (missing.length > 0) {
      throw new InputError(
        'UnknownRegion',
        `no built-in prices for Region "${region}" (known: ${knownRegions(table).join(', ')}), so the prices ` +
          `file ${options.origin ?? ''} must give every figure for it; missing: ${missing.join(', ')}`,
      );
    }
  }
  const prices = Object.fromEntries(
    PRICE_KEYS.map((key): [PriceKey, PriceFigure] => {
      const replacement = override[key];
      const builtIn = base?.[key];
      if (replacement) {
        return [
          key,
          {
            value: replacement.value,
            unit: PRICE_UNITS[key],
            source: replacement.source ?? `--prices ${options.origin ?? 'file'}`,
          },
        ];
      }
      // Unreachable without a base: the missing-figure check above throws first.
      return [key, builtIn as PriceFigure];
    }),
  ) as RegionPrices;
  return { region, asOf: options.overrides?.asOf ?? table.asOf, prices, overridden };
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const place = [...issue.path.map(String), key].join('.');
    if (issue.path.length === 0) return `unknown key "${key}"; the file has only "asOf" and "regions"`;
    if (issue.path[0] === 'regions') {
      return `${place} is not a figure this model uses; use one of: ${PRICE_KEYS.join(', ')}`;
    }
    return `${place} is not allowed; a figure is a number or { "value": number, "source": string }`;
  }
  if (issue.code === 'invalid_key') {
    return `regions has ${JSON.stringify(String(issue.path[1]))}, which is not a Region name like "us-east-1"; fix or remove it`;
  }
  if (issue.path.length === 0)
    return 'the file must hold a JSON object like { "regions": { "us-east-1": { … } } }';
  const got = JSON.stringify(valueAt(raw, issue.path)) ?? 'nothing';
  const key = issue.path[2];
  if (issue.path[0] === 'regions' && typeof key === 'string' && isPriceKey(key)) {
    return `${where} must be a number ≥ 0 (${PRICE_UNITS[key]}) or { "value": number, "source": string }, got ${got}; fix the value or remove the key`;
  }
  if (where === 'asOf') return `asOf must be a date like "2026-12-01", got ${got}`;
  if (where === 'regions') {
    return `"regions" must be an object like { "us-east-1": { "natGatewayHourly": 0.05 } }, got ${got}`;
  }
  return `${where}: ${issue.message}, got ${got}`;
}

function isPriceKey(key: string): key is PriceKey {
  return (PRICE_KEYS as readonly string[]).includes(key);
}
