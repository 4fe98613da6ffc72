import { z } from 'zod';
import { POOL_NAME_RULE, StaticIpError } from '../core/errors.js';
import { parseFunctionRef } from '../core/function-ref.js';
import { validatePoolName } from '../core/pool.js';

/**
 * Schemas for values that arrive as strings: environment variables always, and custom-resource
 * properties because CloudFormation sends every scalar as a string (`"16"`, `"true"`). Each also
 * accepts the native type, so a test or a direct invocation may pass numbers and booleans.
 */

/** A whole number within bounds, from `16` or `"16"`. */
export function wholeNumber(min: number, max: number) {
  const rule = `expected a whole number from ${min} to ${max}`;
  return z.union([z.number(), z.string()]).transform((value, context) => {
    const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(number) || number < min || number > max) {
      context.addIssue({ code: 'custom', message: rule });
      return z.NEVER;
    }
    return number;
  });
}

/** `true`/`false`, from a boolean or the strings "true"/"false" (any case). */
export const flag = z.union([z.boolean(), z.string()]).transform((value, context) => {
  if (typeof value === 'boolean') return value;
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === 'false') return text === 'true';
  context.addIssue({ code: 'custom', message: 'expected "true" or "false"' });
  return z.NEVER;
});

/** A pool name, by the rule every front door shares. */
export const poolName = z.string().transform((value, context) => {
  try {
    return validatePoolName(value.trim());
  } catch {
    context.addIssue({ code: 'custom', message: `expected a pool name: ${POOL_NAME_RULE}` });
    return z.NEVER;
  }
});

/**
 * A list of strings, from an array, a JSON array (`["a","b"]`, what a construct writes into an
 * environment variable) or a comma-separated list (`a,b`). Empty text is an empty list.
 */
export function stringList(what: string, check?: (item: string) => string | undefined) {
  return z.union([z.array(z.string()), z.string()]).transform((value, context) => {
    let items: unknown = value;
    if (typeof value === 'string') {
      const text = value.trim();
      if (text.startsWith('[')) {
        try {
          items = JSON.parse(text);
        } catch {
          context.addIssue({ code: 'custom', message: `expected a JSON array of ${what}` });
          return z.NEVER;
        }
      } else {
        items = text === '' ? [] : text.split(',').map((item) => item.trim());
      }
    }
    if (!Array.isArray(items) || items.some((item) => typeof item !== 'string' || item.trim() === '')) {
      context.addIssue({ code: 'custom', message: `expected a list of ${what} (non-empty strings)` });
      return z.NEVER;
    }
    const list = (items as string[]).map((item) => item.trim());
    for (const item of list) {
      const problem = check?.(item);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }
    return list;
  });
}

/** Function names or unqualified ARNs, each checked like the CLI's --function. */
export const functionList = stringList('function names or ARNs', (item) => {
  try {
    parseFunctionRef(item);
    return undefined;
  } catch (error) {
    return error instanceof StaticIpError ? error.message : String(error);
  }
});
