/**
 * The value at `path` inside parsed input (a zod issue's path), or `undefined` where the path leaves
 * the objects: what an error message quotes as the bad value.
 */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
