/**
 * The local AWS test bed: moto with fidelity patches, a Lambda service simulator on a virtual clock,
 * and fixtures. Used by the tests, the benchmarks and the demo; production code never imports it.
 */
export { type CloudTrailEvent, cloudTrailEvent } from './cloudtrail-events.js';
export { createVpcFixture, type VpcFixture, type VpcFixtureOptions } from './fixtures.js';
export {
  type CreateSimFunctionInput,
  combinationKey,
  LambdaSimulator,
  type LambdaSimulatorOptions,
  ResourceConflictError,
  type SimEniView,
  type SimFunctionView,
  type SimInvokeResult,
  type SimulatorTimings,
  type SimVpcConfig,
} from './lambda-simulator.js';
export {
  createNetworkLoadBalancer,
  deleteLoadBalancer,
  ElbApiError,
  type NlbSubnetMapping,
} from './load-balancers.js';
export {
  checkLocalAwsAvailable,
  type FunctionStateOverride,
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalAws,
  type LocalAwsOptions,
  LocalAwsUnavailableError,
  startLocalAws,
} from './local-aws.js';
export { seededRandom } from './seeded-random.js';
export { type Outage, type ServingEni, Timeline, type TimelineEntry } from './timeline.js';
export { type ClockHandle, type ClockTask, VirtualClock } from './virtual-clock.js';
