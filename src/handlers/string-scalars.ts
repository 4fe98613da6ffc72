import * as z from 'zod/mini';
import { ALLOCATION_ID_RULE, isAllocationId } from '../core/allocation-id.js';
import { StaticIpError } from '../core/errors.js';
import { parseFunctionRef } from '../core/function-ref.js';
import { POOL_NAME_RULE, validatePoolName } from '../core/pool.js';

/**
 * Schemas for values that arrive as strings: environment variables always, and custom-resource
 * properties because CloudFormation sends every scalar as a string (`"16"`, `"true"`). Each also
 * accepts the native type, so a test or a direct invocation may pass numbers and booleans.
 *
 * Built on zod/mini, whose functions tree-shake: the bundled probe is ~30 KiB instead of ~470.
 */

/** Accepts what `input` accepts, then converts it; a string result from `convert` is the problem. */
export function converted<Input extends z.ZodMiniType, Output>(
  input: Input,
  convert: (value: z.output<Input>) => { readonly value: Output } | string,
) {
  return z.pipe(
    input,
    z.transform((value: z.output<Input>, payload) => {
      const result = convert(value);
      if (typeof result === 'string') {
        payload.issues.push({ code: 'custom', message: result, input: value });
        return z.NEVER as Output;
      }
      return result.value;
    }),
  );
}

/** A whole number within bounds, from `16` or `"16"`. */
export function wholeNumber(min: number, max: number) {
  return converted(z.union([z.number(), z.string()]), (value) => {
    const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    return Number.isInteger(number) && number >= min && number <= max
      ? { value: number }
      : `expected a whole number from ${min} to ${max}`;
  });
}

/** `true`/`false`, from a boolean or the strings "true"/"false" (any case). */
export const flag = converted(z.union([z.boolean(), z.string()]), (value) => {
  if (typeof value === 'boolean') return { value };
  const text = value.trim().toLowerCase();
  return text === 'true' || text === 'false' ? { value: text === 'true' } : 'expected "true" or "false"';
});

/** A pool name, by the rule every front door shares. */
export const poolName = converted(z.string(), (value) => {
  try {
    return { value: validatePoolName(value.trim()) };
  } catch {
    return `expected a pool name: ${POOL_NAME_RULE}`;
  }
});

/**
 * A list of strings, from an array, a JSON array (`["a","b"]`, what a construct writes into an
 * environment variable) or a comma-separated list (`a,b`). Empty text is an empty list. An empty item
 * is a problem unless `skipEmpty`. `check` returns a problem with one item, or undefined.
 */
export function stringList(
  what: string,
  check?: (item: string) => string | undefined,
  options: { readonly skipEmpty?: boolean } = {},
) {
  return converted(z.union([z.array(z.string()), z.string()]), (value) => {
    let items: unknown = value;
    if (typeof value === 'string') {
      const text = value.trim();
      if (text.startsWith('[')) {
        try {
          items = JSON.parse(text);
        } catch {
          return `expected a JSON array of ${what}`;
        }
      } else {
        items = text === '' ? [] : text.split(',').map((item) => item.trim());
      }
    }
    const empty = (item: unknown) => !options.skipEmpty && typeof item === 'string' && item.trim() === '';
    if (!Array.isArray(items) || items.some((item) => typeof item !== 'string' || empty(item))) {
      return `expected a list of ${what} (non-empty strings)`;
    }
    const list = (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
    const problems = list.map((item) => check?.(item)).filter((problem) => problem !== undefined);
    return problems.length > 0 ? problems.join('; ') : { value: list };
  });
}

/**
 * Function names or unqualified ARNs, each checked like the CLI's --function. Empty items are skipped:
 * CloudFormation gives `[""]` for an empty `CommaDelimitedList` parameter (the template's
 * `FunctionNames`), and its join with other names starts with a comma.
 */
export const functionList = stringList(
  'function names or ARNs',
  (item) => {
    try {
      parseFunctionRef(item);
      return undefined;
    } catch (error) {
      return error instanceof StaticIpError ? error.message : String(error);
    }
  },
  { skipEmpty: true },
);

/** Elastic IP allocation ids (`eipalloc-…`); the problem names each bad one. */
export const allocationIdList = stringList('allocation ids', (item) =>
  isAllocationId(item)
    ? undefined
    : `${JSON.stringify(item)} is not an allocation id: expected ${ALLOCATION_ID_RULE}`,
);
