import type * as z from 'zod/mini';
import { InputError } from '../core/errors.js';
import { valueAt } from '../core/value-at.js';

/** What the input is, for the message: `environment variable`, `custom resource property`, `event field`. */
export type InputSource = 'environment variable' | 'custom resource property' | 'event field';

/**
 * Parses with a zod schema, or throws an InputError whose message names every bad key, the value it
 * had and what was expected, e.g. `environment variable LSI_MAX_IPS is "lots": expected a whole number
 * from 1 to 1000`.
 */
export function parseInput<Schema extends z.ZodMiniType>(
  schema: Schema,
  input: unknown,
  source: InputSource,
  code = 'InvalidInput',
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown ${source}${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    }
    const name = issue.path.map(String).join('.') || '(the whole input)';
    const value = valueAt(input, issue.path);
    const got = value === undefined ? 'is not set' : `is ${JSON.stringify(value)}`;
    return `${source} ${name} ${got}: ${describe(issue)}`;
  });
  throw new InputError(code, problems.join('; '), { cause: result.error });
}

function describe(issue: z.core.$ZodIssue): string {
  // zod's own type messages ("Invalid input: expected string, received undefined") read poorly here.
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'invalid_union') return 'has the wrong type';
  return issue.message;
}
