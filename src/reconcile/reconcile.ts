import {
  allocatePoolAddress,
  associateFreeAddress,
  disassociate,
  rememberSubnet,
  retryWhileNew,
} from '../aws/addresses.js';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorCode, isAccessError, isRace } from '../aws/errors.js';
import { type ObserveInput, observe } from '../aws/observe.js';
import type { DesiredPool, Observation } from '../core/model.js';
import { type Action, type AllocateAction, type Plan, plan } from '../core/plan.js';
import { validatePoolName } from '../core/pool.js';

export interface ReconcileRequest extends ObserveInput {
  /** @default false */
  readonly allocate?: boolean;
  /** @default 16 */
  readonly maxIps?: number;
  /** @default 0 */
  readonly spares?: number;
}

export interface ReconcileOptions {
  /** Observe and plan only. @default false */
  readonly dryRun?: boolean;
  /** Observe-plan-apply rounds before giving up on convergence (lost races re-plan). @default 3 */
  readonly maxRounds?: number;
  /** Writes in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Progress, for front doors to render. The library itself never prints. */
  readonly onEvent?: (event: ReconcileEvent) => void;
}

/** An action that took effect, with what it actually bound (allocations learn their id here). */
export interface AppliedAction {
  readonly action: Action;
  readonly allocationId: string;
  readonly publicIp: string;
  readonly networkInterfaceId?: string;
  readonly subnetId?: string;
}

/** An action that did not take effect, and why. `race`: the world changed first; re-planned. */
export interface FailedAction {
  readonly action: Action;
  readonly code: string;
  readonly message: string;
  readonly race: boolean;
  /** An address allocated before the binding failed: it stays in the pool, free. */
  readonly allocated?: { readonly allocationId: string; readonly publicIp: string };
}

export type ReconcileEvent =
  | {
      readonly type: 'observed';
      readonly round: number;
      readonly plan: Plan;
      /** What the plan was made from, for front doors that keep it (the controller's fast path). */
      readonly observation: Observation;
    }
  | { readonly type: 'applied'; readonly outcome: AppliedAction }
  | { readonly type: 'failed'; readonly failure: FailedAction }
  | { readonly type: 'replanning'; readonly round: number; readonly reason: string };

export interface ReconcileResult {
  readonly pool: string;
  /** The first plan: what `plan` shows and `apply` asks about. */
  readonly initialPlan: Plan;
  /** The plan from the last observation; its problems are what is left. */
  readonly finalPlan: Plan;
  readonly applied: readonly AppliedAction[];
  readonly failed: readonly FailedAction[];
  /** True when the last observation planned nothing. */
  readonly converged: boolean;
  readonly rounds: number;
  /** Set when a later observation failed: the report then rests on the last good plan. */
  readonly observationError?: unknown;
}

/**
 * observe → plan → apply, until nothing is left to do or `maxRounds` is spent. The one reconcile behind
 * every front door: the CLI's plan and apply, the custom resource, the event handler and the schedule.
 */
export async function reconcile(
  clients: AwsClients,
  request: ReconcileRequest,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  validatePoolName(request.pool);
  const desired: DesiredPool = {
    pool: request.pool,
    allocate: request.allocate ?? false,
    maxIps: request.maxIps ?? 16,
    spares: request.spares ?? 0,
  };
  const maxRounds = options.maxRounds ?? 3;
  const emit = options.onEvent ?? (() => {});
  const applied: AppliedAction[] = [];
  const failed: FailedAction[] = [];

  let initialPlan: Plan | undefined;
  let current: Plan | undefined;
  let rounds = 0;
  let stop = false;
  for (let round = 1; ; round++) {
    let observed: Plan;
    let observation: Observation;
    try {
      observation = await observe(clients, request);
      observed = plan(observation, desired);
    } catch (error) {
      // The first observation failing is the command failing; a later one must not hide what was done.
      if (!initialPlan || !current) throw error;
      return {
        pool: desired.pool,
        initialPlan,
        finalPlan: current,
        applied,
        failed,
        converged: false,
        rounds,
        observationError: error,
      };
    }
    initialPlan ??= observed;
    current = observed;
    emit({ type: 'observed', round, plan: observed, observation });
    if (observed.actions.length === 0 || options.dryRun || stop || round > maxRounds) break;

    rounds = round;
    const outcome = await applyPlan(clients, observed, options.concurrency ?? 4, emit);
    applied.push(...outcome.applied);
    failed.push(...outcome.failed);
    // Access errors will not go away by trying again; anything else gets a fresh look.
    stop = outcome.failed.some((failure) => isAccessError({ name: failure.code }));
    const races = outcome.failed.filter((failure) => failure.race).length;
    emit({
      type: 'replanning',
      round,
      reason: races > 0 ? `${races} change(s) lost a race; observing again` : 'verifying the result',
    });
  }
  const finalPlan = current as Plan;
  return {
    pool: desired.pool,
    initialPlan: initialPlan as Plan,
    finalPlan,
    applied,
    failed,
    converged: finalPlan.actions.length === 0,
    rounds,
  };
}

/** Applies one plan's actions: bindings first, then moves off retired ENIs, then spares, then tags. */
async function applyPlan(
  clients: AwsClients,
  current: Plan,
  concurrency: number,
  emit: (event: ReconcileEvent) => void,
): Promise<{ applied: AppliedAction[]; failed: FailedAction[] }> {
  const applied: AppliedAction[] = [];
  const failed: FailedAction[] = [];
  let quotaReached = false;

  const run = async (action: Action): Promise<void> => {
    let allocated: { allocationId: string; publicIp: string } | undefined;
    try {
      if (action.kind === 'allocate' && quotaReached) {
        throw Object.assign(new Error('the Elastic IP quota was reached earlier in this run'), {
          name: 'AddressLimitExceeded',
        });
      }
      const outcome = await applyAction(clients, current.pool, action, (address) => {
        allocated = address;
      });
      applied.push(outcome);
      emit({ type: 'applied', outcome });
    } catch (error) {
      const code = awsErrorCode(error) ?? 'Error';
      if (code === 'AddressLimitExceeded') quotaReached = true;
      const failure: FailedAction = {
        action,
        code,
        message: explainFailure(code, error),
        race: isRace(error),
        ...(allocated ? { allocated } : {}),
      };
      failed.push(failure);
      emit({ type: 'failed', failure });
    }
  };

  const order: Array<Action['kind'] | 'spare'> = ['associate', 'allocate', 'move', 'spare'];
  for (const phase of order) {
    const batch = current.actions.filter((action) =>
      phase === 'spare'
        ? action.kind === 'allocate' && action.purpose === 'spare'
        : action.kind === phase && !(action.kind === 'allocate' && action.purpose === 'spare'),
    );
    await forEachLimited(batch, concurrency, run);
  }

  // Remember the subnet each address now serves, one call per subnet, for bindings that took effect.
  const bySubnet = new Map<string, string[]>();
  for (const outcome of applied) {
    const subnetId = current.rememberSubnet[outcome.allocationId];
    if (!subnetId || outcome.action.kind === 'allocate') continue;
    bySubnet.set(subnetId, [...(bySubnet.get(subnetId) ?? []), outcome.allocationId]);
  }
  for (const [subnetId, allocationIds] of [...bySubnet].sort(([a], [b]) => a.localeCompare(b))) {
    try {
      await rememberSubnet(clients.ec2, allocationIds, subnetId);
    } catch {
      // Only a preference for the next replacement is lost; the binding itself stands.
    }
  }
  return { applied, failed };
}

async function applyAction(
  clients: AwsClients,
  pool: string,
  action: Action,
  onAllocated: (address: { allocationId: string; publicIp: string }) => void,
): Promise<AppliedAction> {
  switch (action.kind) {
    case 'associate': {
      await associateFreeAddress(clients.ec2, action.allocationId, action.networkInterfaceId);
      return bound(action, action.allocationId, action.publicIp);
    }
    case 'move': {
      await disassociate(clients.ec2, action.fromAssociationId);
      await associateFreeAddress(clients.ec2, action.allocationId, action.networkInterfaceId);
      return bound(action, action.allocationId, action.publicIp);
    }
    case 'allocate':
      return allocate(clients, pool, action, onAllocated);
  }
}

async function allocate(
  clients: AwsClients,
  pool: string,
  action: AllocateAction,
  onAllocated: (address: { allocationId: string; publicIp: string }) => void,
): Promise<AppliedAction> {
  const address = await allocatePoolAddress(clients.ec2, pool, action.subnetId);
  onAllocated(address);
  if (action.networkInterfaceId) {
    const eni = action.networkInterfaceId;
    await retryWhileNew(() => associateFreeAddress(clients.ec2, address.allocationId, eni));
  }
  return bound(action, address.allocationId, address.publicIp);
}

function bound(action: Action, allocationId: string, publicIp: string): AppliedAction {
  return {
    action,
    allocationId,
    publicIp,
    ...('networkInterfaceId' in action && action.networkInterfaceId
      ? { networkInterfaceId: action.networkInterfaceId }
      : {}),
    ...('subnetId' in action && action.subnetId ? { subnetId: action.subnetId } : {}),
  };
}

function explainFailure(code: string, error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'AddressLimitExceeded':
      return `the Region's Elastic IP quota is reached (${detail}); request an increase (Service Quotas, "EC2-VPC Elastic IPs") or add free IPs to the pool`;
    case 'Resource.AlreadyAssociated':
      return `the address was bound by someone else meanwhile (${detail}); re-planned`;
    case 'Gateway.NotAttached':
      return `the VPC has no internet gateway attached (${detail}); attach one, or use the NAT gateway strategy`;
    default:
      return detail;
  }
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
