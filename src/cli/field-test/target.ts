import type { AwsClients } from '../../aws/clients.js';
import type { EchoFunctionInput } from '../../aws/field-test/lambda-functions.js';
import type { InvocationOutcome } from '../../core/field-test/invocations.js';

/** The run's clock: wall time in an account, the simulator's virtual clock locally. */
export interface FieldTestClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** How an invocation is answered: Lambda running the echo handler, or the simulator's routing-aware timeline. */
export interface Invoker {
  invoke(functionName: string): Promise<{ outcome: InvocationOutcome; ip?: string; detail?: string }>;
}

/** A test function: its name, placement and tags (the adapter's own input). */
export type FieldTestFunctionInput = EchoFunctionInput;

/**
 * The Lambda control plane: the Lambda API in an account; locally the simulator, which is the Lambda
 * service there (moto creates no ENIs and runs no code), and makes the same API calls against the local AWS.
 */
export interface FieldTestLambda {
  createFunction(input: FieldTestFunctionInput): Promise<void>;
  updateVpcConfig(name: string, placement: Omit<FieldTestFunctionInput, 'name' | 'tags'>): Promise<void>;
  deleteFunction(name: string): Promise<void>;
  /** Removes what createFunction needed once per run (the execution role); returns its name. */
  teardown?(): Promise<string | undefined>;
}

/** A CloudTrail `CreateNetworkInterface` event as it reached the run: when it happened, and when it arrived. */
export interface DeliveredEvent {
  readonly networkInterfaceId?: string;
  readonly eventTime: number;
  readonly deliveredAt: number;
}

/** Where the run watches for CloudTrail events, or why it cannot. */
export type EventWatch =
  | { readonly available: true; delivered(): readonly DeliveredEvent[] }
  | { readonly available: false; readonly reason: string };

/** Everything that differs between a real account and the local test bed. */
export interface FieldTestTarget {
  readonly mode: 'local' | 'aws';
  readonly region: string;
  readonly clients: AwsClients;
  readonly clock: FieldTestClock;
  readonly invoker: Invoker;
  readonly lambda: FieldTestLambda;
  readonly events: EventWatch;
  /** Called after each bind (local: the simulator records the new bindings on its timeline at once). */
  afterBind?(): Promise<void>;
  /** Local only: the simulator's exact egress downtime of a function between two instants. */
  simulatorDowntimeMs?(functionName: string, from: number, to: number): number;
}
