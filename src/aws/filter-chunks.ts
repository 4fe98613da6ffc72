import { readFailed } from './errors.js';

/** EC2 takes at most 200 values in one filter; larger sets are split over several calls. */
const FILTER_VALUES_PER_CALL = 200;

/** Splits a list into consecutive lists of at most `size` items. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

/**
 * Every item of a paged EC2 read whose filter takes `values`: one paged call per 200 values, none when
 * there are none. A failure is wrapped by `readFailed`, naming `call`.
 */
export async function readByFilter<Page, Item>(
  call: string,
  values: readonly string[],
  paginate: (chunk: string[]) => AsyncIterable<Page>,
  items: (page: Page) => readonly Item[] | undefined,
): Promise<Item[]> {
  const found: Item[] = [];
  try {
    for (const chunk of chunks(values, FILTER_VALUES_PER_CALL)) {
      for await (const page of paginate(chunk)) found.push(...(items(page) ?? []));
    }
  } catch (error) {
    throw readFailed(call, error);
  }
  return found;
}
