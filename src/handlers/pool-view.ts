import type { AwsClients } from '../aws/clients.js';
import type { FunctionState } from '../aws/function-state.js';
import { observe, observeAddressesAndEnis } from '../aws/observe.js';
import { combinationKey, poolCombinationKeys } from '../core/combination.js';
import type { Observation, ObservedFunction } from '../core/model.js';
import type { Plan } from '../core/plan.js';
import type { ReconcileRequest } from '../reconcile/reconcile.js';

/**
 * The controller's view of a pool, kept in the Lambda container between invocations ("list once, then
 * watch", as Kubernetes informers do): the last full observation, whose functions, subnets and the like
 * change only when a function does. Between full observations a run reads only what changes on its own
 * — the Region's addresses and the Lambda ENIs of the pool's VPCs, two calls however many functions the
 * account has — and plans from those and the view (`Observation.cached`: bindings of free addresses
 * only). The view is refreshed in full every `refreshMs`, when an ENI of a combination it does not know
 * shows up, and when a function event names something it cannot place; a function event it can place
 * updates that function alone.
 */
export interface PoolView {
  /** When the full observation was made (ms since the epoch). */
  readonly observedAt: number;
  /** The full observation, with the function events since applied to its functions. */
  readonly observation: Observation;
  /** `subnet|sg,sg` keys of the combinations the pool's functions and versions use. */
  readonly poolCombinations: ReadonlySet<string>;
  /** Keys of the combinations any function or version uses, in the pool or not. */
  readonly usedCombinations: ReadonlySet<string>;
  /** The ENIs the full observation saw (those of combinations nobody uses any more included). */
  readonly knownEniIds: ReadonlySet<string>;
  /** Whether each of the pool's subnets routes 0.0.0.0/0 to an internet gateway. */
  readonly subnetPublic: ReadonlyMap<string, boolean>;
  /** The VPCs whose Lambda ENIs a cached observation reads: those of the pool's subnets. */
  readonly vpcIds: readonly string[];
}

/** Where a combination stands in a view. */
export type Membership = 'pool' | 'outside' | 'unknown';

/** An observation source for `reconcile`, and whether every observation it gave was cached. */
export interface ViewSource {
  readonly observe: (clients: AwsClients, request: ReconcileRequest) => Promise<Observation>;
  /** True while every observation so far came from the view; false once one was full. */
  readonly cachedOnly: () => boolean;
}

/** The views of the pools one controller serves (one, in practice), and how they are kept fresh. */
export class PoolViews {
  readonly #refreshMs: number;
  readonly #byPool = new Map<string, PoolView>();

  /**
   * @param refreshMs how long a full observation serves before the next one; 0: every run observes in full
   */
  constructor(refreshMs: number) {
    this.#refreshMs = refreshMs;
  }

  /** Keeps a full observation as the pool's view. Cached observations are never kept. */
  remember(pool: string, observation: Observation, now: number): void {
    if (observation.cached) return;
    this.#byPool.set(pool, viewOf(observation, now, new Set(observation.enis.map((eni) => eni.id))));
  }

  /** The pool's view while younger than the refresh interval. */
  fresh(pool: string, now: number): PoolView | undefined {
    const view = this.#byPool.get(pool);
    return view && now - view.observedAt < this.#refreshMs ? view : undefined;
  }

  /**
   * Takes in what GetFunctionConfiguration says about one function's `$LATEST` after a function event.
   * Returns false when the view cannot place it, so the caller observes in full: a function with a VPC
   * placement the view never saw and that is not named (only a tag lookup could say whether it is the
   * pool's), or a pool function now in a subnet the view has not described. A function without a VPC
   * placement that the view does not know changes nothing.
   */
  applyFunction(pool: string, fn: FunctionState, named: boolean): boolean {
    const view = this.#byPool.get(pool);
    if (!view) return false;
    const { observation } = view;
    const previous = observation.functions.find(
      (known) => known.name === fn.name && known.version === '$LATEST',
    );
    const withoutVpc = observation.functionsWithoutVpc.includes(fn.name);
    const hasVpc = fn.subnetIds.length > 0;
    if (!previous && !withoutVpc && !named) return !hasVpc;
    const inPool = named || previous?.inPool === true || withoutVpc;
    const subnets = new Set(observation.subnets.map((subnet) => subnet.id));
    if (inPool && fn.subnetIds.some((subnetId) => !subnets.has(subnetId))) return false;

    const latest: ObservedFunction = {
      name: fn.name,
      version: '$LATEST',
      arn: fn.arn,
      subnetIds: fn.subnetIds,
      securityGroupIds: fn.securityGroupIds,
      inPool,
      ...(fn.lastModified ? { lastModified: fn.lastModified } : {}),
      ...(fn.lastUpdateStatus ? { lastUpdateStatus: fn.lastUpdateStatus } : {}),
      ...(fn.state ? { state: fn.state } : {}),
    };
    const functions = observation.functions.filter((known) => known !== previous);
    if (hasVpc) functions.push(latest);
    const functionsWithoutVpc = observation.functionsWithoutVpc.filter((name) => name !== fn.name);
    if (!hasVpc && inPool) functionsWithoutVpc.push(fn.name);
    this.#byPool.set(
      pool,
      viewOf({ ...observation, functions, functionsWithoutVpc }, view.observedAt, view.knownEniIds),
    );
    return true;
  }

  /**
   * The observation source for one reconcile: cached observations while `view` is given and nothing
   * unknown shows up, full ones (kept as the new view) from the first time something does, or always
   * without a view.
   */
  source(pool: string, view: PoolView | undefined, now: () => number): ViewSource {
    let full = view === undefined;
    return {
      cachedOnly: () => !full,
      observe: async (clients, request) => {
        if (!full && view) {
          const cached = await cachedObservation(clients, pool, view);
          if (cached) return cached;
          full = true;
        }
        const observation = await observe(clients, request);
        this.remember(pool, observation, now());
        return observation;
      },
    };
  }
}

/** Where the view places the combination of an ENI (subnet, security groups). */
export function membershipOf(
  view: PoolView,
  subnetId: string,
  securityGroupIds: readonly string[],
): Membership {
  const key = combinationKey(subnetId, securityGroupIds);
  return view.poolCombinations.has(key) ? 'pool' : view.usedCombinations.has(key) ? 'outside' : 'unknown';
}

/**
 * Whether a plan made from a cached observation left something a full observation might do: bind an
 * ENI the pool has no free IP for, by moving the IP of a retired ENI (only a full observation may) or
 * by allocating; or allocate missing spares.
 */
export function needsFullObservation(plan: Plan, allocate: boolean): boolean {
  const codes = new Set(plan.problems.map((problem) => problem.code));
  if (codes.has('PoolExhausted')) {
    return allocate || plan.spares.available > 0 || codes.has('RetirementUnconfirmed');
  }
  return allocate && codes.has('SparesShort');
}

/**
 * Addresses and ENIs read now, the rest from the view; undefined when an ENI of a combination the view
 * does not know shows up.
 */
async function cachedObservation(
  clients: AwsClients,
  pool: string,
  view: PoolView,
): Promise<Observation | undefined> {
  const fresh = await observeAddressesAndEnis(clients, pool, view.vpcIds, view.observation.addressInterfaces);
  const unknown = fresh.enis.some(
    (eni) =>
      !view.knownEniIds.has(eni.id) && membershipOf(view, eni.subnetId, eni.securityGroupIds) === 'unknown',
  );
  if (unknown) return undefined;
  return { ...view.observation, ...fresh, cached: true };
}

function viewOf(observation: Observation, observedAt: number, knownEniIds: ReadonlySet<string>): PoolView {
  const usedCombinations = new Set<string>();
  for (const fn of observation.functions) {
    for (const subnetId of fn.subnetIds) usedCombinations.add(combinationKey(subnetId, fn.securityGroupIds));
  }
  return {
    observedAt,
    observation,
    poolCombinations: poolCombinationKeys(observation.functions),
    usedCombinations,
    knownEniIds,
    subnetPublic: new Map(observation.subnets.map((subnet) => [subnet.id, subnet.routesToInternetGateway])),
    vpcIds: [...new Set(observation.subnets.map((subnet) => subnet.vpcId))].filter(Boolean).sort(),
  };
}
