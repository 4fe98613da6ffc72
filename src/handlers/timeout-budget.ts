/**
 * How long things may take, in one place, so that the controller's SDK retries, its Lambda timeout,
 * the update watch and the custom resource's wait agree. The CDK construct reads these constants.
 */

/** SDK attempts per call, including the first, in the SDK's standard retry mode (its default). */
export const CONTROLLER_SDK_MAX_ATTEMPTS = 3;

/** Each attempt gives up after this long (requestTimeout, with throwOnRequestTimeout). */
export const CONTROLLER_SDK_REQUEST_TIMEOUT_MS = 5_000;

/**
 * The longest one call can take: every attempt times out, plus the standard mode's backoff between
 * them (at most 1 s, then 2 s, when throttled).
 */
export const WORST_CALL_MS = CONTROLLER_SDK_MAX_ATTEMPTS * CONTROLLER_SDK_REQUEST_TIMEOUT_MS + 3_000;

/**
 * Sequential calls on a reconcile's longest ordinary path: observe is four levels deep (functions and
 * addresses; subnets; route tables and ENIs; the update check), apply up to four phases plus the tags,
 * and the verifying observe — about ten once the parallel calls are folded.
 */
const RECONCILE_SEQUENTIAL_CALLS = 10;

/** Time kept for one reconcile in which every call needs all its attempts. */
export const RECONCILE_BUDGET_MS = RECONCILE_SEQUENTIAL_CALLS * WORST_CALL_MS;

/** Default ceiling of the update watch (LSI_UPDATE_WATCH_SECONDS). */
export const DEFAULT_UPDATE_WATCH_SECONDS = 120;

/**
 * The controller function's timeout: one fully degraded reconcile plus the update watch. The watch
 * stops while a reconcile budget is still left, so a run always has time for its closing reconcile.
 */
export function controllerTimeoutSeconds(updateWatchSeconds: number = DEFAULT_UPDATE_WATCH_SECONDS): number {
  return RECONCILE_BUDGET_MS / 1000 + updateWatchSeconds;
}

/** The controller's timeout with the default update watch. */
export const CONTROLLER_TIMEOUT_SECONDS = controllerTimeoutSeconds();

/** The default runtime of the project's functions (the controller, the deployment handler, the probes). */
export const HANDLER_RUNTIME = 'nodejs22.x';

/** The oldest Node.js major the bundles run on: `scripts/bundle-handlers.mjs` builds for target node20. */
export const MIN_HANDLER_NODE_MAJOR = 20;

/** One run at a time: two reconciles at once are safe (compare-and-swap) but waste calls and races. */
export const CONTROLLER_RESERVED_CONCURRENCY = 1;

/** Default of the custom resource's WaitSeconds: ENIs take "about a minute" to "several minutes". */
export const DEFAULT_WAIT_SECONDS = 600;

/** The Provider's queryInterval: how often it calls isComplete. */
export const PROVIDER_QUERY_INTERVAL_SECONDS = 10;

/**
 * The Provider's totalTimeout for a given WaitSeconds. The handler's own deadline must pass first, so
 * that the deployment fails with a reason naming what it waited for, not the Provider's bare
 * "Operation timed out": one more query interval and one more run after the deadline.
 */
export function providerTotalTimeoutSeconds(waitSeconds: number = DEFAULT_WAIT_SECONDS): number {
  return waitSeconds + PROVIDER_QUERY_INTERVAL_SECONDS + CONTROLLER_TIMEOUT_SECONDS;
}

/** The probe's HTTP timeout default (LSI_PROBE_TIMEOUT_MS) and its Lambda timeout, with room to log. */
export const PROBE_HTTP_TIMEOUT_MS = 5_000;
export const PROBE_TIMEOUT_SECONDS = 15;
