import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { type AwsClients, createAwsClients } from '../aws/clients.js';
import { getFunctionState } from '../aws/function-state.js';
import { InputError } from '../core/errors.js';
import { parseFunctionRef } from '../core/function-ref.js';
import { type ReconcileResult, reconcile } from '../reconcile/reconcile.js';
import { unbindPool } from '../reconcile/unbind-pool.js';
import {
  type ControllerConfig,
  customResourceSettings,
  parseControllerEnvironment,
  parseCustomResourceProperties,
  reconcileRequest,
} from './controller-config.js';
import {
  type ControllerEvent,
  type CustomResourceRequest,
  classifyEvent,
  type EniFromEvent,
  WAIT_FIELD,
  type WaitState,
} from './controller-events.js';
import {
  assessCompletion,
  completionError,
  isKeepersWaitId,
  physicalResourceId,
  poolOfPhysicalId,
  resourceData,
  waitTimeoutError,
} from './custom-resource.js';
import { bindFromEvent, type FastPathOutcome } from './fast-path.js';
import { createHandlerLogger, type LogSink, stdoutSink } from './logger.js';
import { HandlerMetrics } from './metrics.js';
import { needsFullObservation, PoolViews } from './pool-view.js';
import { reportRun, runMetrics } from './run-report.js';
import { type Runtime, systemRuntime } from './runtime.js';
import {
  CONTROLLER_SDK_MAX_ATTEMPTS,
  CONTROLLER_SDK_REQUEST_TIMEOUT_MS,
  CONTROLLER_TIMEOUT_SECONDS,
  RECONCILE_BUDGET_MS,
} from './timeout-budget.js';
import { waitsForRetirement, watchUpdate } from './update-watch.js';

export interface ControllerHandlerOptions {
  /** SDK clients to use. @default built once per container: standard retries, CONTROLLER_SDK_* limits */
  readonly clients?: AwsClients;
  /**
   * The LSI_* variables, and POWERTOOLS_LOG_LEVEL / POWERTOOLS_SERVICE_NAME for the logger.
   * @default process.env
   */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Clock and sleep. @default the system's */
  readonly runtime?: Runtime;
  /** Where JSON log lines (Powertools Logger) and EMF lines (Powertools Metrics) go. @default raw stdout */
  readonly log?: LogSink;
}

/** The Provider framework's onEvent answer; the wait field reaches isComplete. */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly [WAIT_FIELD]: WaitState;
}

/** The Provider framework's isComplete answer. */
export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Readonly<Record<string, string>>;
}

/** What an EventBridge-triggered run returns (EventBridge ignores it; tests read it). */
export interface EventRunResponse {
  readonly trigger: string;
  readonly pool: string;
  readonly applied: number;
  readonly converged: boolean;
  readonly ignored?: string;
  /** `view`: the run read only addresses and ENIs; `full`: it observed everything. */
  readonly observed?: 'view' | 'full';
  readonly fastPath?: FastPathOutcome;
  readonly watch?: { readonly settled: boolean; readonly polls: number; readonly waitedMs: number };
}

export type ControllerHandler = (
  event: unknown,
  context?: Context,
) => Promise<OnEventResponse | IsCompleteResponse | EventRunResponse>;

/**
 * The in-account controller: one Lambda handler for every front door of the same reconcile.
 *
 * - CloudFormation custom resource, through the CDK Provider framework, which calls this function as
 *   both its onEvent and its isComplete handler: Create/Update reconcile and then wait until every ENI
 *   of the pool's functions holds a pool IP; Delete unbinds the pool's IPs and releases none.
 * - EventBridge "AWS API Call via CloudTrail": a new Lambda ENI is bound at once (the fast path), then
 *   everything is reconciled; a function created or reconfigured is reconciled, and a VPC update that
 *   holds the pool's IP on its old ENI is watched until it ends, so the new ENI waits seconds.
 * - EventBridge schedule: the backstop full reconcile.
 *
 * Each run writes one summary line (Powertools Logger) and one EMF metrics line (Powertools Metrics),
 * raw JSON on stdout.
 */
export function createControllerHandler(options: ControllerHandlerOptions = {}): ControllerHandler {
  const runtime = options.runtime ?? systemRuntime;
  const sink = options.log ?? stdoutSink;
  const environment = options.environment ?? process.env;
  let config: ControllerConfig | undefined;
  let telemetry: { logger: Logger; metrics: HandlerMetrics } | undefined;
  let clients: AwsClients | undefined;
  let views: PoolViews | undefined;

  const configured = () => {
    config ??= parseControllerEnvironment(environment);
    views ??= new PoolViews(config.fullRefreshMs);
    return { config, views };
  };
  const awsClients = () => {
    clients ??=
      options.clients ??
      createAwsClients({
        maxAttempts: CONTROLLER_SDK_MAX_ATTEMPTS,
        requestTimeoutMs: CONTROLLER_SDK_REQUEST_TIMEOUT_MS,
      });
    return clients;
  };

  return async (event, context) => {
    const started = runtime.now();
    if (!telemetry) {
      const logger = createHandlerLogger({ serviceName: 'lambda-static-ip-controller', sink, environment });
      telemetry = { logger, metrics: new HandlerMetrics(sink, logger) };
    }
    const { logger, metrics } = telemetry;
    if (context) logger.addContext(context);
    let trigger = 'unknown';
    try {
      const classified = classifyEvent(event);
      trigger = triggerOf(classified);
      const run: Run = {
        trigger,
        started,
        logger,
        metrics,
        requestId: context?.awsRequestId,
        runtime,
        clients: awsClients,
        configured,
        remainingMs: () =>
          context?.getRemainingTimeInMillis() ??
          CONTROLLER_TIMEOUT_SECONDS * 1000 - (runtime.now() - started),
      };
      switch (classified.kind) {
        case 'custom-resource':
          if (classified.phase === 'is-complete')
            return await isComplete(run, classified.request, classified.wait);
          return classified.request.RequestType === 'Delete'
            ? await onDelete(run, classified.request)
            : await onCreateOrUpdate(run, classified.request);
        case 'schedule':
          return await reconcileAndReport(run);
        case 'eni-created':
          return await onEniCreated(run, classified.eni);
        case 'function-changed':
          return await onFunctionChanged(run, classified.eventName, classified.functionName);
        case 'ignored': {
          logger.info('event ignored', { trigger, reason: classified.reason });
          const { pool } = configured().config;
          return { trigger, pool, applied: 0, converged: true, ignored: classified.reason };
        }
      }
    } catch (error) {
      logger.error('run failed', { trigger, durationMs: runtime.now() - started, error });
      throw error;
    }
  };
}

/** The default handler (`index.handler`): clients and configuration are built once per container. */
export const handler: ControllerHandler = createControllerHandler();

interface Run {
  readonly trigger: string;
  readonly started: number;
  readonly logger: Logger;
  readonly metrics: HandlerMetrics;
  readonly requestId: string | undefined;
  readonly runtime: Runtime;
  readonly clients: () => AwsClients;
  readonly configured: () => { config: ControllerConfig; views: PoolViews };
  readonly remainingMs: () => number;
}

function triggerOf(event: ControllerEvent): string {
  switch (event.kind) {
    case 'custom-resource':
      return `custom-resource:${event.request.RequestType}${event.phase === 'is-complete' ? ':is-complete' : ''}`;
    case 'schedule':
      return 'schedule';
    case 'eni-created':
    case 'function-changed':
    case 'ignored':
      return `cloudtrail:${event.eventName}`;
  }
}

/** A custom-resource reconcile: its own settings, always a full observation, never the view's. */
function reconcileOnce(run: Run, settings: ControllerConfig): Promise<ReconcileResult> {
  return reconcile(run.clients(), reconcileRequest(settings));
}

/** What the event and schedule paths reconcile, and how they observed. */
interface ViewRun {
  readonly results: ReconcileResult[];
  /** `view`: every observation was cached (addresses and ENIs only); `full`: at least one was not. */
  readonly observed: 'view' | 'full';
}

/**
 * The event and schedule paths' reconcile: from the pool's view while it is fresh (two reads), in full
 * otherwise or when `full` is asked; then in full once more when the cached plan left something only a
 * full observation may do (a move off a retired ENI, an allocation: `needsFullObservation`).
 */
async function reconcileWithView(run: Run, full = false): Promise<ViewRun> {
  const { config, views } = run.configured();
  const request = reconcileRequest(config);
  const view = full ? undefined : views.fresh(config.pool, run.runtime.now());
  const source = views.source(config.pool, view, run.runtime.now);
  const results = [await reconcile(run.clients(), request, { observe: source.observe })];
  if (!source.cachedOnly()) return { results, observed: 'full' };
  if (!needsFullObservation((results[0] as ReconcileResult).finalPlan, config.allocate)) {
    return { results, observed: 'view' };
  }
  const again = views.source(config.pool, undefined, run.runtime.now);
  results.push(await reconcile(run.clients(), request, { observe: again.observe }));
  return { results, observed: 'full' };
}

/** Writes the run's one summary line and its metrics line. */
function report(
  run: Run,
  results: readonly ReconcileResult[],
  extra: {
    readonly fastPathApplied?: number;
    readonly timeToBindMs?: number;
    readonly fields?: Readonly<Record<string, unknown>>;
  } = {},
) {
  const summary = reportRun(results, extra.fastPathApplied ?? 0, extra.timeToBindMs);
  const durationMs = run.runtime.now() - run.started;
  const level = summary.converged && summary.unboundEnis === 0 ? 'info' : 'warn';
  run.logger[level]('reconcile summary', {
    pool: summary.pool,
    trigger: run.trigger,
    applied: summary.applied,
    failed: summary.failed,
    unboundEnis: summary.unboundEnis,
    freePoolIps: summary.freePoolIps,
    converged: summary.converged,
    problems: summary.problems,
    durationMs,
    ...extra.fields,
  });
  run.metrics.publish(
    runMetrics(summary, durationMs, {
      trigger: run.trigger,
      ...(run.requestId ? { requestId: run.requestId } : {}),
    }),
  );
  return summary;
}

async function reconcileAndReport(run: Run): Promise<EventRunResponse> {
  const { results, observed } = await reconcileWithView(run);
  const summary = report(run, results, { fields: { observed } });
  return {
    trigger: run.trigger,
    pool: summary.pool,
    applied: summary.applied,
    converged: summary.converged,
    observed,
  };
}

/**
 * Fast path first (the event's ENI, bound at once when the view says it is the pool's), then the
 * reconcile: from the view, or in full when the view could not place the ENI.
 */
async function onEniCreated(run: Run, eni: EniFromEvent): Promise<EventRunResponse> {
  const { config, views } = run.configured();
  let fastPath: FastPathOutcome;
  try {
    fastPath = await bindFromEvent(run.clients(), eni, {
      pool: config.pool,
      reserved: config.reserved,
      view: views.fresh(config.pool, run.runtime.now()),
      sleep: run.runtime.sleep,
    });
  } catch (error) {
    // A lost race or a throttled call: the reconcile below decides from a fresh observation.
    const reason = error instanceof Error ? error.message : String(error);
    fastPath = { kind: 'deferred', reason, observeInFull: false };
  }
  run.logger[fastPath.kind === 'ignored' ? 'info' : 'debug'](`fast path: ${fastPath.kind}`, {
    trigger: run.trigger,
    networkInterfaceId: eni.id,
    subnetId: eni.subnetId,
    lambdaBy: eni.lambdaBy,
    ...fastPath,
  });
  if (fastPath.kind === 'ignored') {
    return {
      trigger: run.trigger,
      pool: config.pool,
      applied: 0,
      converged: true,
      ignored: fastPath.reason,
      fastPath,
    };
  }
  const boundByFastPathAt = fastPath.kind === 'bound' ? run.runtime.now() : undefined;
  const { results, observed } = await reconcileWithView(
    run,
    fastPath.kind === 'deferred' && fastPath.observeInFull,
  );
  const boundAt =
    boundByFastPathAt ??
    (results.some((result) => result.applied.some((applied) => applied.networkInterfaceId === eni.id))
      ? run.runtime.now()
      : undefined);
  const summary = report(run, results, {
    fastPathApplied: fastPath.kind === 'bound' ? 1 : 0,
    ...(boundAt !== undefined && eni.createdAt !== undefined
      ? { timeToBindMs: Math.max(0, boundAt - eni.createdAt) }
      : {}),
    fields: { fastPath: fastPath.kind, networkInterfaceId: eni.id, observed },
  });
  return {
    trigger: run.trigger,
    pool: config.pool,
    applied: summary.applied,
    converged: summary.converged,
    observed,
    fastPath,
  };
}

/**
 * A function created or reconfigured: its `$LATEST` is read (one GetFunctionConfiguration) into the
 * view, and the pool reconciled from it; a function the view cannot place means a full observation.
 * Then, for a VPC update that left a pool ENI waiting for the IP its old ENI still holds, poll the
 * function until the update ends and reconcile in full at once (a move needs a full observation). The
 * watch stops early enough to leave a whole reconcile budget of the Lambda's remaining time.
 */
async function onFunctionChanged(
  run: Run,
  eventName: string,
  functionName: string,
): Promise<EventRunResponse> {
  const { config, views } = run.configured();
  let full = views.fresh(config.pool, run.runtime.now()) === undefined;
  if (!full) {
    try {
      const state = await getFunctionState(run.clients().lambda, functionName);
      const named = config.functions.some((ref) => parseFunctionRef(ref).name === state.name);
      full = !views.applyFunction(config.pool, state, named);
    } catch {
      // Gone already, or unreadable: only a full observation can say what the pool has now.
      full = true;
    }
  }
  const viewRun = await reconcileWithView(run, full);
  const results = [...viewRun.results];
  let observed = viewRun.observed;
  let watch: EventRunResponse['watch'];
  const last = results.at(-1) as ReconcileResult;
  if (
    eventName.startsWith('UpdateFunctionConfiguration') &&
    config.updateWatchMs > 0 &&
    waitsForRetirement(last.finalPlan)
  ) {
    const budget = Math.min(config.updateWatchMs, run.remainingMs() - RECONCILE_BUDGET_MS);
    if (budget > 0) {
      const outcome = await watchUpdate(run.clients().lambda, functionName, {
        pollMs: config.updatePollMs,
        deadline: run.runtime.now() + budget,
        runtime: run.runtime,
      });
      watch = { settled: outcome.settled, polls: outcome.polls, waitedMs: outcome.waitedMs };
      run.logger.debug('update watch', { trigger: run.trigger, functionName, ...outcome });
      if (outcome.settled) {
        results.push(...(await reconcileWithView(run, true)).results);
        observed = 'full';
      }
    }
  }
  const summary = report(run, results, {
    fields: { functionName, observed, ...(watch ? { watch } : {}) },
  });
  return {
    trigger: run.trigger,
    pool: config.pool,
    applied: summary.applied,
    converged: summary.converged,
    observed,
    ...(watch ? { watch } : {}),
  };
}

/** Create/Update: reconcile with the properties, then hand the wait to isComplete. */
async function onCreateOrUpdate(run: Run, request: CustomResourceRequest): Promise<OnEventResponse> {
  const settings = customResourceSettings(
    run.configured().config,
    parseCustomResourceProperties(request.ResourceProperties),
  );
  report(run, [await reconcileOnce(run, settings)]);
  return {
    PhysicalResourceId: physicalResourceId(settings.pool, settings.stage),
    [WAIT_FIELD]: { deadline: run.runtime.now() + settings.waitMs },
  };
}

/**
 * The Provider's polling: reconcile again (so a deployment never depends on the schedule or a trail),
 * then complete, keep waiting, or fail with a reason CloudFormation shows.
 */
async function isComplete(
  run: Run,
  request: CustomResourceRequest,
  wait: WaitState,
): Promise<IsCompleteResponse> {
  if (request.RequestType === 'Delete') return { IsComplete: true };
  const settings = customResourceSettings(
    run.configured().config,
    parseCustomResourceProperties(request.ResourceProperties),
  );
  const result = await reconcileOnce(run, settings);
  const completion = assessCompletion(result.finalPlan);
  report(run, [result], { fields: { completion: completion.status } });
  switch (completion.status) {
    case 'complete':
      return { IsComplete: true, Data: resourceData(result.finalPlan) };
    case 'failed':
      throw completionError(settings.pool, completion.problems, settings.stage);
    case 'pending': {
      const now = run.runtime.now();
      if (now > wait.deadline)
        throw waitTimeoutError(settings.pool, now - (wait.deadline - settings.waitMs), completion.reasons);
      return { IsComplete: false };
    }
  }
}

/**
 * Delete: disassociate this pool's IPs from its functions' ENIs; never release. It must not fail for a
 * resource that never came to be: an id this controller did not return (the Create failed first), or
 * properties and environment too broken to have created anything, mean there is nothing to undo.
 */
async function onDelete(run: Run, request: CustomResourceRequest): Promise<OnEventResponse> {
  const id = request.PhysicalResourceId ?? request.RequestId ?? '';
  const answer = { PhysicalResourceId: id, [WAIT_FIELD]: { deadline: run.runtime.now() } };
  if (isKeepersWaitId(request.PhysicalResourceId)) {
    run.logger.info('nothing to undo', {
      trigger: run.trigger,
      physicalResourceId: id,
      reason: 'the wait before the functions binds nothing of its own; the binding resource unbinds the pool',
    });
    return answer;
  }
  const pool = poolOfPhysicalId(request.PhysicalResourceId);
  if (!pool) {
    run.logger.info('nothing to undo', {
      trigger: run.trigger,
      physicalResourceId: id,
      reason: 'this controller never reported that physical id: the Create failed before it did',
    });
    return answer;
  }
  const result = await unbindPool(run.clients(), { pool, functions: deleteFunctions(run, request) });
  run.logger.info('unbind summary', {
    pool,
    trigger: run.trigger,
    disassociated: result.unbound.filter((entry) => entry.removed).length,
    alreadyGone: result.unbound.filter((entry) => !entry.removed).length,
    networkInterfaceIds: result.unbound.map((entry) => entry.networkInterfaceId),
    durationMs: run.runtime.now() - run.started,
  });
  return answer;
}

/**
 * The named functions to unbind: from the properties, else the environment, else none (tagged functions
 * count anyway). Unreadable input only narrows what is unbound; it never fails the Delete.
 */
function deleteFunctions(run: Run, request: CustomResourceRequest): readonly string[] {
  const attempts: Array<() => readonly string[] | undefined> = [
    () => parseCustomResourceProperties(request.ResourceProperties).Functions,
    () => run.configured().config.functions,
  ];
  for (const attempt of attempts) {
    try {
      const functions = attempt();
      if (functions) return functions;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      run.logger.warn('ignoring unreadable input while deleting', { trigger: run.trigger, error });
    }
  }
  return [];
}
