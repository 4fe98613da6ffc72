import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './local-aws.js';

export interface LambdaContextOptions {
  readonly requestId: string;
  /** @default 'lambda-static-ip-controller' */
  readonly functionName?: string;
  /** What getRemainingTimeInMillis answers: a number, or a function of nothing (a clock). @default 300000 */
  readonly remainingMs?: number | (() => number);
}

/**
 * The context object Lambda passes a handler, as the Node.js runtime builds it, for invoking the handlers
 * in-process (tests, the churn harness). Powertools Logger reads its function and request fields.
 */
export function lambdaContext(options: LambdaContextOptions): Context {
  const functionName = options.functionName ?? 'lambda-static-ip-controller';
  const remaining = options.remainingMs ?? 300_000;
  const fail = () => {
    throw new Error('the callback API is not used by these handlers');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: options.requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: typeof remaining === 'number' ? () => remaining : remaining,
    done: fail,
    fail,
    succeed: fail,
  };
}
