import type { InitializeMiddleware } from '@smithy/types';
import type { AwsClients } from './clients.js';

/** One call an SDK client made: the client's service name, the operation and its input. */
export interface RecordedCall {
  /** As the SDK names the client, without `Client`: `EC2`, `Lambda`, `ResourceGroupsTaggingAPI`. */
  readonly service: string;
  /** `AssociateAddress`, `ListFunctions`, … */
  readonly operation: string;
  readonly input: unknown;
}

const MIDDLEWARE_NAME = 'lambdaStaticIpCallRecorder';

/**
 * Reports every call the clients make to `onCall`, once per call (each page of a paginated read is a
 * call; SDK retries of one call are not), whether it then succeeds or not. For embedders that want to
 * know what a run touches, and for the test that checks `iam-policy` grants exactly what is used. The
 * library never installs it by itself. Returns the same clients, changed in place.
 */
export function recordCalls(clients: AwsClients, onCall: (call: RecordedCall) => void): AwsClients {
  // biome-ignore lint/suspicious/noExplicitAny: one middleware for every client's input and output types
  const record: InitializeMiddleware<any, any> = (next, context) => async (args) => {
    onCall({
      service: String(context.clientName ?? '').replace(/Client$/, ''),
      operation: String(context.commandName ?? '').replace(/Command$/, ''),
      input: args.input,
    });
    return next(args);
  };
  const options = { step: 'initialize', name: MIDDLEWARE_NAME, override: true } as const;
  clients.ec2.middlewareStack.add(record, options);
  clients.lambda.middlewareStack.add(record, options);
  clients.tagging.middlewareStack.add(record, options);
  return clients;
}
