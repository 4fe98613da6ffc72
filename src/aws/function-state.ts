import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { normaliseGroups } from '../core/combination.js';
import { readFailed } from './errors.js';

/** What the Lambda API says about a function's `$LATEST` (ListFunctions does not report its lifecycle). */
export interface FunctionState {
  /** The function's name, as Lambda reports it (the call may have named it by ARN). */
  readonly name: string;
  readonly arn: string;
  /** `Pending`, `Active`, `Inactive`, `Failed`; undefined when the API leaves it out. */
  readonly state?: string;
  /** `Successful`, `InProgress`, `Failed`: while `InProgress`, traffic still uses the old ENIs. */
  readonly lastUpdateStatus?: string;
  /** The VPC placement, sorted and without duplicates; empty without one. */
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly lastModified?: string;
}

/** One GetFunctionConfiguration call for `$LATEST` of a function, by name or ARN. */
export async function getFunctionState(lambda: LambdaClient, functionName: string): Promise<FunctionState> {
  try {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return {
      name: config.FunctionName ?? functionName,
      arn: config.FunctionArn ?? '',
      ...(config.State ? { state: config.State } : {}),
      ...(config.LastUpdateStatus ? { lastUpdateStatus: config.LastUpdateStatus } : {}),
      subnetIds: [...new Set(config.VpcConfig?.SubnetIds ?? [])].sort(),
      securityGroupIds: normaliseGroups(config.VpcConfig?.SecurityGroupIds ?? []),
      ...(config.LastModified ? { lastModified: config.LastModified } : {}),
    };
  } catch (error) {
    throw readFailed(`lambda:GetFunctionConfiguration (${functionName})`, error);
  }
}
