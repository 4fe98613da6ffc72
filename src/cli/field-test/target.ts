import type { AwsClients } from '../../aws/clients.js';
import type { FieldTestEventClients } from '../../aws/field-test/event-watch.js';
import type { EchoFunctionInput } from '../../aws/field-test/lambda-functions.js';
import type { KeeperClients } from '../../aws/keepers.js';
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

/** Everything that differs between a real account and the local test bed. */
export interface FieldTestTarget {
  readonly mode: 'local' | 'aws';
  readonly region: string;
  readonly clients: AwsClients;
  readonly clock: FieldTestClock;
  readonly invoker: Invoker;
  readonly lambda: FieldTestLambda;
  /**
   * CloudTrail, EventBridge and SQS: the run looks for a trail and, with one, receives the
   * CreateNetworkInterface events through its own rule and queue. Locally moto plays all three, and the
   * simulator puts Lambda's events on moto's bus as CloudTrail would.
   */
  readonly eventClients: FieldTestEventClients;
  /**
   * Lambda, IAM and EventBridge for the keeper scenario's keepers, which the run creates through the
   * Lambda API with `prepare`'s own code in both modes.
   */
  readonly keeperClients: KeeperClients;
  /**
   * Local only: the simulator plays the functions created or deleted through the Lambda API (the
   * keepers), as Lambda does on its own in an account.
   */
  noticeLambdaApiChanges?(): Promise<void>;
  /** Called after each bind (local: the simulator records the new bindings on its timeline at once). */
  afterBind?(): Promise<void>;
  /** Local only: every ENI the simulator created (Lambda's CreateNetworkInterface calls), sorted. */
  simulatorEnis?(): readonly string[];
  /** Local only: the ENIs the simulator says serve a function now, sorted. */
  simulatorServingEnis?(functionName: string): readonly string[];
  /** Local only: the simulator's exact egress downtime of a function between two instants. */
  simulatorDowntimeMs?(functionName: string, from: number, to: number): number;
}
