import type {
  CreateFunctionCommand,
  CreateFunctionCommandOutput,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { awsErrorCode } from './errors.js';

/** IAM is eventually consistent: a new role takes a few seconds before Lambda can assume it. */
const ROLE_PROPAGATION_MS = 60_000;
const RETRY_EVERY_MS = 5_000;

/**
 * Sends CreateFunction, retrying every 5 s for up to a minute while Lambda cannot assume the role yet
 * ("The role defined for the function cannot be assumed by Lambda", `InvalidParameterValueException`):
 * a role created moments before has not propagated through IAM. Any other error is thrown at once.
 */
export async function createFunctionOnceRoleAssumable(
  lambda: LambdaClient,
  command: CreateFunctionCommand,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<CreateFunctionCommandOutput> {
  let waited = 0;
  for (;;) {
    try {
      return await lambda.send(command);
    } catch (error) {
      const propagating =
        awsErrorCode(error) === 'InvalidParameterValueException' && /role/i.test(String(error));
      if (!propagating || waited >= ROLE_PROPAGATION_MS) throw error;
      await sleep(RETRY_EVERY_MS);
      waited += RETRY_EVERY_MS;
    }
  }
}
