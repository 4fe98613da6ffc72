import { type LambdaClient, paginateListFunctions } from '@aws-sdk/client-lambda';
import { readFailed } from './errors.js';

/**
 * The controller's and the probe's environment variables (docs/controller.md). Both carry the pool name;
 * only the probe carries the allow-list.
 */
const POOL_VARIABLE = 'LSI_POOL';
const PROBE_ONLY_VARIABLE = 'LSI_ALLOW_LIST';

/**
 * The functions that look like an in-account controller for this pool: `LSI_POOL=<pool>` in their
 * environment, and not the egress probe. A heuristic for warnings, never a reason to act: a controller
 * with its environment encrypted under a customer key, or one deployed another way, is not found.
 */
export async function findPoolControllers(lambda: LambdaClient, pool: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const page of paginateListFunctions({ client: lambda }, {})) {
      for (const fn of page.Functions ?? []) {
        const variables = fn.Environment?.Variables ?? {};
        if (variables[POOL_VARIABLE] === pool && variables[PROBE_ONLY_VARIABLE] === undefined) {
          names.push(fn.FunctionName ?? '');
        }
      }
    }
  } catch (error) {
    throw readFailed('lambda:ListFunctions (looking for the pool controller)', error);
  }
  return names.sort();
}
