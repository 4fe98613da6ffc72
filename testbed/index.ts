/**
 * The local AWS test bed: moto with fidelity patches, a Lambda service simulator on a virtual clock,
 * and fixtures. Used by the tests, the benchmarks and the demo; production code never imports it.
 */
export { type AssociationAudit, auditAssociations } from './association-audit.js';
export { CallCounter } from './call-counter.js';
export { type ChurnBoundInput, type ChurnNeeds, churnDowntimeBoundMs } from './churn-bound.js';
export {
  CHURN_DRAW_RANGES,
  CHURN_KNOBS,
  CHURN_SCENARIOS,
  ChurnAccount,
  type ChurnConfig,
  type ChurnDraw,
  type ChurnDrawRanges,
  type ChurnPool,
  type ChurnResult,
  type ChurnScenario,
  churnConfigs,
  churnDraw,
  DEFAULT_CHURN_DRAW,
  describeChurnConfig,
  ipsTakenFromServingEnis,
  runChurnScenario,
} from './churn-scenarios.js';
export { type CloudTrailEvent, cloudTrailEvent } from './cloudtrail-events.js';
export { ControllerHarness, type ControllerHarnessOptions } from './controller-harness.js';
export { addDualStack, type DualStackFixture } from './dual-stack.js';
export {
  type FaultKind,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultRates,
  type InjectedFault,
  type ProxiedCall,
  startFaultProxy,
} from './fault-proxy.js';
export {
  createVpcFixture,
  ensureExecutionRole,
  type VpcFixture,
  type VpcFixtureOptions,
} from './fixtures.js';
export { type HyperplanePlacement, sharesHyperplaneEni } from './hyperplane-placement.js';
export { type LambdaContextOptions, lambdaContext } from './lambda-context.js';
export {
  type CreateSimFunctionInput,
  LambdaSimulator,
  type LambdaSimulatorOptions,
  qualifiedName,
  ResourceConflictError,
  type SimEniView,
  type SimFunctionView,
  type SimInvokeResult,
  type SimulatorTimings,
  type SimVpcConfig,
} from './lambda-simulator.js';
export {
  createLambdaWorld,
  type LambdaWorld,
  type LambdaWorldOptions,
  type WorldFunction,
} from './lambda-world.js';
export {
  createNetworkLoadBalancer,
  deleteLoadBalancer,
  ElbApiError,
  type NlbSubnetMapping,
} from './load-balancers.js';
export {
  type AssociationEvent,
  type AssociationLog,
  AWS_CALLER_HEADER,
  type FunctionStateOverride,
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalAws,
  type LocalAwsOptions,
  type LocalAwsSettings,
  LocalAwsUnavailableError,
  startLocalAws,
} from './local-aws.js';
export {
  findMotoPython,
  MOTO_REQUIREMENT,
  MOTO_VERSION,
  type MotoPythonOptions,
  venvInterpreter,
} from './moto-python.js';
export { seededRandom, seededUnit } from './seeded-random.js';
export { type Outage, type ServingEni, Timeline, type TimelineEntry } from './timeline.js';
export { DEFAULT_TIMINGS, TIMINGS, type Timing, type TimingName } from './timings.js';
export { type ClockHandle, type ClockTask, NOTHING_CHANGED, VirtualClock } from './virtual-clock.js';
