import { InputError } from '../errors.js';

/** The tag on everything a field test creates: `lambda-static-ip:field-test=<run-id>`. */
export const FIELD_TEST_TAG_KEY = 'lambda-static-ip:field-test';

/** Whether a resource's tags make it this run's (any run's, without a run id): the cleanups' test. */
export function taggedForRun(
  tags: Readonly<Record<string, string | undefined>>,
  runId: string | undefined,
): boolean {
  return runId === undefined ? FIELD_TEST_TAG_KEY in tags : tags[FIELD_TEST_TAG_KEY] === runId;
}

const RUN_ID = /^[a-z0-9]{4,16}$/;

/** A run id from random bytes: 8 lowercase hex digits. */
export function runIdFrom(bytes: Uint8Array): string {
  return [...bytes.slice(0, 4)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Checks a `--run-id` before anything is looked up with it. */
export function validateRunId(id: string): string {
  if (!RUN_ID.test(id)) {
    throw new InputError(
      'InvalidOptionValue',
      `--run-id "${id}" is not a field-test run id (4-16 lowercase letters or digits, as printed by the run and in its report's runId)`,
    );
  }
  return id;
}

/** The names a run gives what it creates, so that `--cleanup` finds them by prefix too. */
export const fieldTestNames = {
  prefix: 'lsi-ft-',
  pool: (runId: string) => `lsi-ft-${runId}`,
  function: (runId: string, scenarioIndex: number, role: string) =>
    `lsi-ft-${runId}-${scenarioIndex}-${role}`,
  role: (runId: string) => `lsi-ft-${runId}-role`,
  /** The EventBridge rule and the SQS queue that receive the run's CloudTrail events. */
  eventRule: (runId: string) => `lsi-ft-${runId}-eni-events`,
  eventQueue: (runId: string) => `lsi-ft-${runId}-eni-events`,
  /** What every function name of the run (or of every run) starts with. */
  functionPrefix: (runId?: string) => (runId === undefined ? 'lsi-ft-' : `lsi-ft-${runId}-`),
};
