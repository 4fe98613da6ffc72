/**
 * lambda-static-ip as a library: the same reconcile the CLI, the custom resource and the controller run.
 * CDK constructs are under `lambda-static-ip/cdk`.
 */
export { type AwsClientOptions, type AwsClients, createAwsClients } from './aws/clients.js';
export { type ObserveInput, observe } from './aws/observe.js';
export { combinationKey } from './core/combination.js';
export { InputError, StaticIpError } from './core/errors.js';
export type { DesiredPool, Observation } from './core/model.js';
export {
  type Action,
  type AddressView,
  type EniView,
  type Plan,
  type Problem,
  type ProblemCode,
  plan,
  type UnchangedBinding,
} from './core/plan.js';
export { LAST_SUBNET_TAG_KEY, POOL_TAG_KEY, validatePoolName } from './core/pool.js';
export {
  type AppliedAction,
  type FailedAction,
  type ReconcileEvent,
  type ReconcileOptions,
  type ReconcileRequest,
  type ReconcileResult,
  reconcile,
} from './reconcile/reconcile.js';
