import {
  allocatePoolAddress,
  associateFreeAddress,
  describePoolAddresses,
  disassociate,
  rememberSubnet,
  retryWhileNew,
} from '../aws/addresses.js';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorCode, isAccessError, isRace, raceError } from '../aws/errors.js';
import { eniAddressState, enisHoldingAddresses } from '../aws/network-interfaces.js';
import { type ObserveInput, observe } from '../aws/observe.js';
import type { DesiredPool, Observation, ObservedAddress } from '../core/model.js';
import { type Action, type AllocateAction, isFreeToBind, type Plan, plan } from '../core/plan.js';
import {
  allocatedForTag,
  DEFAULT_MAX_IPS,
  LAST_SUBNET_TAG_KEY,
  POOL_TAG_KEY,
  validatePoolName,
} from '../core/pool.js';

export interface ReconcileRequest extends ObserveInput {
  /** @default false */
  readonly allocate?: boolean;
  /** @default 16 */
  readonly maxIps?: number;
  /** @default 0 */
  readonly spares?: number;
  /**
   * Allocation ids another consumer of the pool holds or is about to take (a NAT gateway, an NLB subnet
   * mapping): never bound, moved or counted as free, here or in the allocation's second look.
   * @default none
   */
  readonly reserved?: readonly string[];
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
  /** Waits: between attempts at a later observation that failed, and after a lost race. @default real time */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Spreads the wait after a lost race, so concurrent runs do not retry in step. @default Math.random */
  readonly random?: () => number;
  /**
   * Where each round's observation comes from. The controller passes one that reads only addresses and
   * ENIs while its view of the pool is fresh (an observation marked `cached`, from which the planner only
   * binds free addresses), and observes in full otherwise.
   * @default observe: everything, every round
   */
  readonly observe?: (clients: AwsClients, request: ReconcileRequest) => Promise<Observation>;
}

/** An action that took effect, with what it actually bound (allocations learn their id here). */
export interface AppliedAction {
  readonly action: Action;
  readonly allocationId: string;
  readonly publicIp: string;
  readonly networkInterfaceId?: string;
  readonly subnetId?: string;
}

/** An action whose call failed, and why. `race`: the world changed first; re-planned. */
export interface FailedAction {
  readonly action: Action;
  readonly code: string;
  readonly message: string;
  readonly race: boolean;
  /** An address allocated before the binding failed: it stays in the pool, free. */
  readonly allocated?: { readonly allocationId: string; readonly publicIp: string };
  /**
   * What the last observation shows for the binding the action aimed at: `bound` (its address is on
   * its ENI: the failed call took effect after all, or a later round did it), `not-bound` (including an
   * allocation refused before anything was allocated), or `unknown` (an allocation whose answer was
   * lost, a spare, or no verified final observation).
   */
  readonly endState: 'bound' | 'not-bound' | 'unknown';
}

/** A failed action as it is known when it fails, before the final observation says where it stands. */
export type FailedAttempt = Omit<FailedAction, 'endState'>;

export type ReconcileEvent =
  | {
      readonly type: 'observed';
      readonly round: number;
      readonly plan: Plan;
      /** What the plan was made from, for front doors that keep it (the controller's fast path). */
      readonly observation: Observation;
    }
  | { readonly type: 'applied'; readonly outcome: AppliedAction }
  | { readonly type: 'failed'; readonly failure: FailedAttempt }
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
  /** True when the final plan comes from an observation made after the last change. */
  readonly verified: boolean;
}

/** How long to wait after a round that lost a race, before observing again: a random time in this range. */
const RACE_BACKOFF_MS = [200, 600] as const;

/**
 * How long, at most, a round waits (a random time) before it allocates. AllocateAddress cannot be made
 * conditional, so concurrent runs that each see an ENI without a free IP each allocate one; spread out,
 * the later ones see the first one's address (they look again right before allocating) and bind it.
 * The extra addresses such runs still allocate stay in the pool as spares (docs/safety.md measures them).
 */
const ALLOCATION_SPREAD_MS = 1000;

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
    maxIps: request.maxIps ?? DEFAULT_MAX_IPS,
    spares: request.spares ?? 0,
    reserved: request.reserved ?? [],
  };
  const maxRounds = options.maxRounds ?? 3;
  const emit = options.onEvent ?? (() => {});
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const applied: AppliedAction[] = [];
  const failed: FailedAttempt[] = [];
  // Addresses this run allocated: EC2 may not list them yet (eventual consistency), and planning as
  // if they did not exist would allocate again.
  const allocatedHere = new Map<string, ObservedAddress>();
  // Bindings this run made (ENI id -> address): a later describe may not show them yet either.
  const boundHere = new Map<string, { allocationId: string; publicIp: string }>();
  const source = options.observe ?? observe;
  const lookAgain = async () =>
    withOwnBindings(withOwnAllocations(await source(clients, request), allocatedHere), boundHere);

  let initialPlan: Plan | undefined;
  let current: Plan | undefined;
  let rounds = 0;
  let stop = false;
  let observationError: unknown;
  for (let round = 1; ; round++) {
    let observation: Observation;
    if (!initialPlan) {
      // The first observation failing is the command failing: nothing was done.
      observation = await lookAgain();
    } else {
      // A later one must not hide what was done: it is read again a few times before giving up.
      const next = await observeWithRetries(lookAgain, sleep);
      if (!next.ok) {
        observationError = next.error;
        break;
      }
      observation = next.observation;
    }
    const observed = plan(observation, desired);
    initialPlan ??= observed;
    current = observed;
    emit({ type: 'observed', round, plan: observed, observation });
    if (observed.actions.length === 0 || options.dryRun || stop || round > maxRounds) break;

    rounds = round;
    const outcome = await applyPlan(clients, observed, desired, options.concurrency ?? 4, emit, () =>
      sleep(random() * ALLOCATION_SPREAD_MS),
    );
    applied.push(...outcome.applied);
    failed.push(...outcome.failed);
    rememberAllocations(allocatedHere, desired.pool, outcome);
    for (const done of outcome.applied) {
      if (done.networkInterfaceId) boundHere.set(done.networkInterfaceId, done);
    }
    // Access errors will not go away by trying again; anything else gets a fresh look.
    stop = outcome.failed.some((failure) => isAccessError({ name: failure.code }));
    const races = outcome.failed.filter((failure) => failure.race).length;
    emit({
      type: 'replanning',
      round,
      reason: races > 0 ? `${races} change(s) lost a race; observing again` : 'verifying the result',
    });
    // After a lost race, let the other run finish, and desynchronise from it, before looking again.
    if (races > 0) await sleep(RACE_BACKOFF_MS[0] + random() * (RACE_BACKOFF_MS[1] - RACE_BACKOFF_MS[0]));
  }
  const finalPlan = current as Plan;
  const verified = observationError === undefined;
  return {
    pool: desired.pool,
    initialPlan: initialPlan as Plan,
    finalPlan,
    applied,
    failed: failed.map((failure) => ({
      ...failure,
      endState: verified ? endStateOf(failure, finalPlan) : 'unknown',
    })),
    converged: observationError === undefined && finalPlan.actions.length === 0,
    rounds,
    ...(observationError === undefined ? {} : { observationError }),
    verified,
  };
}

async function observeWithRetries(
  look: () => Promise<Observation>,
  sleep: (ms: number) => Promise<void>,
): Promise<{ ok: true; observation: Observation } | { ok: false; error: unknown }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await sleep(500 * attempt);
    try {
      return { ok: true, observation: await look() };
    } catch (error) {
      lastError = error;
    }
  }
  return { ok: false, error: lastError };
}

/** Records this round's allocations, bound (as applied) or free (allocated, then the binding failed). */
function rememberAllocations(
  own: Map<string, ObservedAddress>,
  pool: string,
  outcome: { applied: readonly AppliedAction[]; failed: readonly FailedAttempt[] },
): void {
  const entries = [
    ...outcome.applied
      .filter((done) => done.action.kind === 'allocate')
      .map((done) => ({ ...done, boundTo: done.networkInterfaceId })),
    ...outcome.failed.flatMap((failure) =>
      failure.allocated ? [{ ...failure.allocated, action: failure.action, boundTo: undefined }] : [],
    ),
  ];
  for (const { allocationId, publicIp, action, boundTo } of entries) {
    const forEni = action.kind === 'allocate' ? action.networkInterfaceId : undefined;
    const subnetId = action.kind === 'allocate' ? action.subnetId : undefined;
    const lastSubnet = boundTo ? subnetId : forEni && allocatedForTag(forEni);
    own.set(allocationId, {
      allocationId,
      publicIp,
      tags: { [POOL_TAG_KEY]: pool, ...(lastSubnet ? { [LAST_SUBNET_TAG_KEY]: lastSubnet } : {}) },
      ...(boundTo ? { networkInterfaceId: boundTo } : {}),
    });
  }
}

/** The observation, plus this run's own allocations where EC2 does not list them yet (as free). */
function withOwnAllocations(
  observation: Observation,
  own: ReadonlyMap<string, ObservedAddress>,
): Observation {
  const listed = new Set(observation.addresses.map((address) => address.allocationId));
  const missing = [...own.values()].filter((address) => !listed.has(address.allocationId));
  return missing.length === 0
    ? observation
    : { ...observation, addresses: [...observation.addresses, ...missing] };
}

/**
 * The observation, plus the bindings this run made where neither read shows them yet (the ENI without
 * an address, the address free): a run reads its own writes. Where either read shows anything else (the
 * address elsewhere, another address on the ENI, the ENI gone), that is a later change and it stands.
 */
function withOwnBindings(
  observation: Observation,
  own: ReadonlyMap<string, { allocationId: string; publicIp: string }>,
): Observation {
  const unseen = new Map<string, string>();
  for (const eni of observation.enis) {
    const bound = own.get(eni.id);
    if (!bound || eni.association) continue;
    const address = observation.addresses.find((candidate) => candidate.allocationId === bound.allocationId);
    if (address && !address.associationId && !address.networkInterfaceId && !address.instanceId)
      unseen.set(bound.allocationId, eni.id);
  }
  if (unseen.size === 0) return observation;
  return {
    ...observation,
    addresses: observation.addresses.map((address) => {
      const eniId = unseen.get(address.allocationId);
      return eniId ? { ...address, networkInterfaceId: eniId } : address;
    }),
    enis: observation.enis.map((eni) => {
      const bound = own.get(eni.id);
      return bound && unseen.get(bound.allocationId) === eni.id
        ? { ...eni, association: { publicIp: bound.publicIp, allocationId: bound.allocationId } }
        : eni;
    }),
  };
}

/** Whether the binding a failed action aimed at holds in the final plan's observation. */
function endStateOf(failure: FailedAttempt, final: Plan): FailedAction['endState'] {
  const { action } = failure;
  if (!action.networkInterfaceId) return 'unknown';
  if (action.kind === 'allocate' && !failure.allocated) {
    // Refused before anything was allocated, unless the allocation's own answer was lost.
    return failure.code === 'AllocationOutcomeUnknown' ? 'unknown' : 'not-bound';
  }
  const allocationId = action.kind === 'allocate' ? failure.allocated?.allocationId : action.allocationId;
  if (!allocationId) return 'unknown';
  const address = final.addresses.find((candidate) => candidate.allocationId === allocationId);
  return address?.networkInterfaceId === action.networkInterfaceId ? 'bound' : 'not-bound';
}

/** Applies one plan's actions: bindings first, then moves off retired ENIs, then spares, then tags. */
async function applyPlan(
  clients: AwsClients,
  current: Plan,
  desired: DesiredPool,
  concurrency: number,
  emit: (event: ReconcileEvent) => void,
  beforeAllocating: () => Promise<void>,
): Promise<{ applied: AppliedAction[]; failed: FailedAttempt[] }> {
  const applied: AppliedAction[] = [];
  const failed: FailedAttempt[] = [];
  const own: OwnAllocations = { unbound: new Set(), inFlight: 0 };
  let quotaReached = false;
  let boundNow: ReadonlySet<string> = new Set();

  const run = async (action: Action): Promise<void> => {
    let allocated: { allocationId: string; publicIp: string } | undefined;
    try {
      if (action.kind === 'allocate' && quotaReached) {
        throw Object.assign(new Error('the Elastic IP quota was reached earlier in this run'), {
          name: 'AddressLimitExceeded',
        });
      }
      const outcome = await applyAction(clients, desired, own, boundNow, action, (address) => {
        allocated = address;
      });
      applied.push(outcome);
      emit({ type: 'applied', outcome });
    } catch (error) {
      const code = awsErrorCode(error) ?? 'Error';
      if (code === 'AddressLimitExceeded') quotaReached = true;
      const failure: FailedAttempt = {
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
    // EC2 has no compare-and-swap on the ENI side (a second address displaces the first), so the
    // phase's target ENIs are looked at once more, together, right before they are bound.
    if (phase === 'allocate' && batch.length > 0) await beforeAllocating();
    if (phase === 'associate' || phase === 'move') {
      boundNow = await enisHoldingAddresses(
        clients,
        batch.flatMap((action) => (action.networkInterfaceId ? [action.networkInterfaceId] : [])),
      ).catch(() => new Set<string>());
    }
    await forEachLimited(batch, concurrency, run);
  }

  // Remember the subnet each address now serves, one call per subnet, for bindings that took effect.
  const bySubnet = new Map<string, string[]>();
  for (const outcome of applied) {
    // A new address was allocated marked for its subnet: bound, it now serves it.
    const subnetId =
      outcome.action.kind === 'allocate' ? outcome.subnetId : current.rememberSubnet[outcome.allocationId];
    if (!subnetId) continue;
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

/** This round's own allocations not bound yet, so they are not mistaken for another run's. */
interface OwnAllocations {
  readonly unbound: Set<string>;
  /** AllocateAddress calls sent and not answered yet: their addresses may already be listed. */
  inFlight: number;
}

async function applyAction(
  clients: AwsClients,
  desired: DesiredPool,
  own: OwnAllocations,
  boundNow: ReadonlySet<string>,
  action: Action,
  onAllocated: (address: { allocationId: string; publicIp: string }) => void,
): Promise<AppliedAction> {
  switch (action.kind) {
    case 'associate': {
      refuseIfBound(boundNow, action.networkInterfaceId);
      await bind(clients, action.allocationId, action.networkInterfaceId);
      return bound(action, action.allocationId, action.publicIp);
    }
    case 'move': {
      // Checked first: if the ENI got an IP meanwhile, the IP stays where it is.
      refuseIfBound(boundNow, action.networkInterfaceId);
      try {
        await disassociate(clients.ec2, action.fromAssociationId);
      } catch (error) {
        // Gone already: our own earlier attempt whose answer was lost, or someone else's change. Either
        // way the associate below is still a compare-and-swap (AllowReassociation=false): it binds the
        // address only if it is free, and never takes it from where another run put it.
        if (awsErrorCode(error) !== 'InvalidAssociationID.NotFound') throw error;
      }
      await bind(clients, action.allocationId, action.networkInterfaceId);
      return bound(action, action.allocationId, action.publicIp);
    }
    case 'allocate':
      return allocate(clients, desired, own, action, onAllocated);
  }
}

/** Fails with a race when the phase's check found the ENI holding a public IP already. */
function refuseIfBound(boundNow: ReadonlySet<string>, networkInterfaceId: string): void {
  if (boundNow.has(networkInterfaceId)) {
    throw raceError(
      'EniAlreadyBound',
      `ENI ${networkInterfaceId} got an IP since it was observed (another run?); it is left as it is`,
    );
  }
}

/**
 * Fails with a race when the ENI holds a public IP now: binding another would displace it (EC2 has no
 * compare-and-swap on the ENI side). An ENI EC2 does not know by id yet is left to the bind itself.
 */
async function expectUnbound(clients: AwsClients, networkInterfaceId: string): Promise<void> {
  const now = await eniAddressState(clients, networkInterfaceId);
  if (now.state === 'bound') {
    throw raceError(
      'EniAlreadyBound',
      `ENI ${networkInterfaceId} got ${now.publicIp} since it was observed (another run?); it is left as it is`,
    );
  }
}

/** AllowReassociation=false, retried while EC2 does not know a just-created address or ENI yet. */
async function bind(clients: AwsClients, allocationId: string, networkInterfaceId: string): Promise<void> {
  await retryWhileNew(() => associateFreeAddress(clients.ec2, allocationId, networkInterfaceId));
}

/**
 * Allocates only after looking again: a concurrent run may have bound the ENI or added free IPs since
 * the observation (then re-planning binds those instead), or grown the pool to --max-ips.
 */
async function allocate(
  clients: AwsClients,
  desired: DesiredPool,
  own: OwnAllocations,
  action: AllocateAction,
  onAllocated: (address: { allocationId: string; publicIp: string }) => void,
): Promise<AppliedAction> {
  if (action.networkInterfaceId) await expectUnbound(clients, action.networkInterfaceId);
  const pool = await describePoolAddresses(clients.ec2, desired.pool);
  const region = await clients.ec2.config.region();
  // Free as the planner counts them: usable here (not another network border group's), not reserved.
  const reserved = new Set(desired.reserved ?? []);
  const free = pool.filter((address) => isFreeToBind(address, region, reserved));
  const othersFree = free.filter((address) => !own.unbound.has(address.allocationId)).length - own.inFlight;
  if (pool.length >= desired.maxIps) {
    throw raceError(
      'PoolGrew',
      `pool "${desired.pool}" has ${pool.length} IPs now, --max-ips ${desired.maxIps}`,
    );
  }
  if (action.purpose === 'bind' ? othersFree > 0 : free.length >= desired.spares) {
    throw raceError(
      'FreeAddressAppeared',
      `pool "${desired.pool}" has ${free.length} free IP(s) now (another run allocated?); using those instead`,
    );
  }
  own.inFlight++;
  let address: { allocationId: string; publicIp: string };
  try {
    address = await allocatePoolAddress(clients.ec2, desired.pool, action.networkInterfaceId);
  } finally {
    own.inFlight--;
  }
  onAllocated(address);
  if (!action.networkInterfaceId) return bound(action, address.allocationId, address.publicIp);
  own.unbound.add(address.allocationId);
  try {
    // Runs that allocated for the same subnet at the same time must not each bind their own address
    // to the ENI: the second would displace the first. Whoever sees another's new address leaves its
    // own free and re-plans, and the planner's deterministic choice then gives every run the same one.
    const now = await describePoolAddresses(clients.ec2, desired.pool);
    // Another run bound the ENI meanwhile (this read may show it before the ENI read does).
    const onTarget = now.find((other) => other.networkInterfaceId === action.networkInterfaceId);
    if (onTarget) {
      throw raceError(
        'EniAlreadyBound',
        `ENI ${action.networkInterfaceId} got ${onTarget.publicIp} since it was observed (another run?); ${address.publicIp} stays free in the pool`,
      );
    }
    const contenders = now.filter(
      (other) =>
        isFreeToBind(other, region, reserved) &&
        !own.unbound.has(other.allocationId) &&
        (other.tags[LAST_SUBNET_TAG_KEY] === action.subnetId ||
          other.tags[LAST_SUBNET_TAG_KEY] === allocatedForTag(action.networkInterfaceId ?? '')),
    );
    // Our own allocations still in flight may be listed already, with ids we do not know yet.
    if (contenders.length > own.inFlight) {
      throw raceError(
        'AllocationContended',
        `another run allocated ${contenders.map((other) => other.publicIp).join(', ')} for ${action.subnetId} at the same time; ${address.publicIp} stays free in the pool and re-planning picks one`,
      );
    }
    await expectUnbound(clients, action.networkInterfaceId);
    await bind(clients, address.allocationId, action.networkInterfaceId);
  } finally {
    own.unbound.delete(address.allocationId);
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
    case 'AllocationOutcomeUnknown':
      return `${detail}; the next observation binds the address if it was allocated`;
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
