import { poolCombinationKeys } from '../core/combination.js';
import type { Observation } from '../core/model.js';

/** What the fast path needs to know about a pool, from the last full observation. */
export interface PoolKnowledge {
  /** When it was observed (ms since the epoch). */
  readonly observedAt: number;
  /** `subnet|sg,sg` keys of the combinations the pool's functions and versions use. */
  readonly poolCombinations: ReadonlySet<string>;
  /** Whether each of the pool's subnets routes 0.0.0.0/0 to an internet gateway. */
  readonly subnetPublic: ReadonlyMap<string, boolean>;
}

/**
 * The previous run's view of the pool, kept in the Lambda container between invocations. It is trusted
 * for one thing only — that a combination it lists belongs to the pool — and only while fresh (`ttlMs`):
 * combinations change only when a function's VPC placement or pool tag changes, and every scheduled run
 * refreshes it. A combination it does not list is never taken as "not in the pool" without asking
 * Lambda again, since the cache may predate the function.
 */
export class ObservationCache {
  readonly #ttlMs: number;
  readonly #byPool = new Map<string, PoolKnowledge>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  remember(pool: string, observation: Observation, now: number): void {
    this.#byPool.set(pool, {
      observedAt: now,
      poolCombinations: poolCombinationKeys(observation.functions),
      subnetPublic: new Map(observation.subnets.map((subnet) => [subnet.id, subnet.routesToInternetGateway])),
    });
  }

  /** The pool's knowledge if younger than the TTL. */
  fresh(pool: string, now: number): PoolKnowledge | undefined {
    const known = this.#byPool.get(pool);
    return known && now - known.observedAt < this.#ttlMs ? known : undefined;
  }
}
