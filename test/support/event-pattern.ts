/**
 * A small EventBridge pattern matcher, enough for the patterns this project writes: arrays of literal
 * values and `{ prefix }` matchers, nested objects, and `$or` (any of its sub-patterns, and every sibling
 * key). Lets tests check the exported patterns against the simulator's realistic events without an
 * EventBridge.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) {
    const values = Array.isArray(event) ? event : [event];
    return values.some((value) => pattern.some((matcher) => matchesValue(matcher, value)));
  }
  if (typeof pattern === 'object' && pattern !== null) {
    if (typeof event !== 'object' || event === null) return false;
    return Object.entries(pattern).every(([key, sub]) =>
      key === '$or'
        ? (sub as unknown[]).some((alternative) => matchesPattern(alternative, event))
        : matchesPattern(sub, (event as Record<string, unknown>)[key]),
    );
  }
  throw new Error(`unsupported pattern ${JSON.stringify(pattern)}`);
}

function matchesValue(matcher: unknown, value: unknown): boolean {
  if (typeof matcher === 'object' && matcher !== null && 'prefix' in matcher) {
    return typeof value === 'string' && value.startsWith(String((matcher as { prefix: unknown }).prefix));
  }
  return matcher === value;
}
