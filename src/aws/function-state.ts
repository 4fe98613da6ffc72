import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { readFailed } from './errors.js';

/** What the Lambda API says about a function's lifecycle (ListFunctions does not report it). */
export interface FunctionState {
  /** `Pending`, `Active`, `Inactive`, `Failed`; undefined when the API leaves it out. */
  readonly state?: string;
  /** `Successful`, `InProgress`, `Failed`: while `InProgress`, traffic still uses the old ENIs. */
  readonly lastUpdateStatus?: string;
}

/** One GetFunctionConfiguration call for `$LATEST` of a function, by name or ARN. */
export async function getFunctionState(lambda: LambdaClient, functionName: string): Promise<FunctionState> {
  try {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return {
      ...(config.State ? { state: config.State } : {}),
      ...(config.LastUpdateStatus ? { lastUpdateStatus: config.LastUpdateStatus } : {}),
    };
  } catch (error) {
    throw readFailed(`lambda:GetFunctionConfiguration (${functionName})`, error);
  }
}
