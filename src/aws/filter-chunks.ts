/** EC2 takes at most 200 values in one filter; larger sets are split over several calls. */
export const FILTER_VALUES_PER_CALL = 200;

/** Splits a list into consecutive lists of at most `size` items. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}
