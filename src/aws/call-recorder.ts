import type { InitializeMiddleware } from '@smithy/types';
import type { AwsClients } from './clients.js';
import { awsErrorCode } from './errors.js';

/** One call an SDK client made: the client's service name, the operation and its input. */
export interface RecordedCall {
  /** As the SDK names the client, without `Client`: `EC2`, `Lambda`, `ResourceGroupsTaggingAPI`. */
  readonly service: string;
  /** `AssociateAddress`, `ListFunctions`, … */
  readonly operation: string;
  readonly input: unknown;
}

/** One finished call: what it was, how long it took and how it ended. Never its input or output. */
export interface TracedCall {
  /** As in {@link RecordedCall}. */
  readonly service: string;
  readonly operation: string;
  /** From the call's start to its answer, SDK retries and their backoff included. */
  readonly durationMs: number;
  /** `ok`, or the error's code (`Resource.AlreadyAssociated`, `CredentialsProviderError`, `ECONNREFUSED`, …). */
  readonly outcome: string;
  /** Attempts the SDK made (1: no retry), when the SDK reports it (not when the call failed before sending). */
  readonly attempts?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: one middleware for every client's input and output types
type AnyInitializeMiddleware = InitializeMiddleware<any, any>;

/**
 * Reports every call the clients make to `onCall`, once per call (each page of a paginated read is a
 * call; SDK retries of one call are not), whether it then succeeds or not. For embedders that want to
 * know what a run touches, and for the test that checks `iam-policy` grants exactly what is used. The
 * library never installs it by itself. Returns the same clients, changed in place.
 */
export function recordCalls<T extends SdkClients<T> = AwsClients>(
  clients: T,
  onCall: (call: RecordedCall) => void,
): T {
  return install(clients, 'lambdaStaticIpCallRecorder', (next, context) => async (args) => {
    onCall({ ...callName(context), input: args.input });
    return next(args);
  });
}

/**
 * Reports every call the clients make to `onDone` when it has finished: once per call, after the SDK's
 * retries (installed at the initialize step, outside the retry loop), with its duration, outcome and
 * attempts. What the CLI's `--debug` prints. Carries no input, output, headers or credentials, so it is
 * safe to print. Returns the same clients, changed in place.
 */
export function traceCalls<T extends SdkClients<T> = AwsClients>(
  clients: T,
  onDone: (call: TracedCall) => void,
  now: () => number = performance.now.bind(performance),
): T {
  return install(clients, 'lambdaStaticIpCallTracer', (next, context) => async (args) => {
    const started = now();
    const done = (outcome: string, metadata: unknown) => {
      const attempts = (metadata as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
      onDone({
        ...callName(context),
        durationMs: now() - started,
        outcome,
        ...(typeof attempts === 'number' ? { attempts } : {}),
      });
    };
    try {
      const result = await next(args);
      done('ok', result.output);
      return result;
    } catch (error) {
      done(awsErrorCode(error) ?? 'Error', error);
      throw error;
    }
  });
}

function callName(context: { clientName?: unknown; commandName?: unknown }) {
  return {
    service: String(context.clientName ?? '').replace(/Client$/, ''),
    operation: String(context.commandName ?? '').replace(/Command$/, ''),
  };
}

/** Any set of SDK v3 clients by name: {@link AwsClients}, or the IAM and EventBridge clients of keepers. */
export type SdkClients<T> = { readonly [K in keyof T]: { readonly middlewareStack: MiddlewareStack } };

interface MiddlewareStack {
  add(
    middleware: AnyInitializeMiddleware,
    options: { step: 'initialize'; name: string; override: boolean },
  ): void;
}

function install<T extends SdkClients<T>>(clients: T, name: string, middleware: AnyInitializeMiddleware): T {
  const options = { step: 'initialize', name, override: true } as const;
  for (const key of Object.keys(clients) as (keyof T)[])
    clients[key].middlewareStack.add(middleware, options);
  return clients;
}
