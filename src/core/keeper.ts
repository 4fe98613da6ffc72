import { createHash } from 'node:crypto';
import { combinationKey, functionLabel, normaliseGroups } from './combination.js';
import type { ObservedFunction } from './model.js';

/**
 * A keeper: a tiny function of ours with exactly one (subnet, security-group set) of a pool's functions.
 * Lambda keeps one Hyperplane ENI per such combination and shares it with every function that uses it,
 * so the keeper makes Lambda create the combination's ENI before any user function needs it, and its
 * invocations on a schedule keep that ENI from being reclaimed as idle. A deployment that moves a
 * function onto a combination only after the keeper's ENI holds a pool IP finds it bound: no downtime,
 * whatever the event delays. For the reconcile a keeper is a pool function like any other; reports never
 * count it as a user's function.
 */

/** Marks a keeper (beside `lambda-static-ip:pool=<pool>`); its value is the combination, for people. */
export const KEEPER_TAG_KEY = 'lambda-static-ip:keeper';

/** Lambda's limits on one function's VpcConfig. */
export const MAX_FUNCTION_SUBNETS = 16;
export const MAX_FUNCTION_SECURITY_GROUPS = 5;

/** How often a keeper is invoked when nobody says: well inside Lambda's idle window ("consecutive weeks"). */
export const DEFAULT_KEEPER_INTERVAL_MINUTES = 24 * 60;

/** The longest keeper interval allowed: a week, half the idle period users report (~14 days). */
export const MAX_KEEPER_INTERVAL_MINUTES = 7 * 24 * 60;

/**
 * The keeper's whole code (CommonJS `index.js`, handler `index.handler`): being invoked is its job, so it
 * does nothing, makes no call and needs no permission beyond its ENI and its logs.
 */
export const KEEPER_HANDLER_SOURCE =
  "exports.handler = async () => ({ kept: true, by: 'lambda-static-ip keeper' });\n";

/**
 * The keeper tag's value: `subnet-…/sg-…+sg-…`. Tag values allow letters, digits, spaces and `_ . : / = + - @`,
 * so the separators are `/` and `+`. Informational: the function's own VpcConfig is the truth.
 */
export function keeperTagValue(subnetId: string, securityGroupIds: readonly string[]): string {
  return `${subnetId}/${normaliseGroups(securityGroupIds).join('+')}`;
}

/**
 * The name `lambda-static-ip prepare` gives the keeper of a combination: `lsi-keeper-<pool>-<hash>`, at most
 * 64 characters (Lambda's limit), the same for the same combination in any order of security groups.
 */
export function keeperFunctionName(
  pool: string,
  subnetId: string,
  securityGroupIds: readonly string[],
): string {
  const hash = createHash('sha256')
    .update(keeperTagValue(subnetId, securityGroupIds))
    .digest('hex')
    .slice(0, 12);
  return `${keeperNamePrefix(pool)}${hash}`;
}

/**
 * `lsi-keeper-<pool>-`: how every keeper function of the pool (and its schedule rule, named the same)
 * begins, for policies that scope them by name.
 */
export function keeperNamePrefix(pool: string): string {
  // Pool names may hold '.', which function names may not; 12 characters of hash follow.
  const safe = pool.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64 - 'lsi-keeper-'.length - 13);
  return `lsi-keeper-${safe}-`;
}

/**
 * Every role `prepare` creates lives under this IAM path, so `prune` deletes only roles the CLI made
 * (never one passed with --role).
 */
export const KEEPER_ROLE_PATH = '/lambda-static-ip/keeper/';

/** The role of a pool's keepers that the CLI creates: `lsi-keeper-<pool>`, under KEEPER_ROLE_PATH. */
export function keeperRoleName(pool: string): string {
  return `lsi-keeper-${pool.replace(/[^A-Za-z0-9+=,.@_-]/g, '-')}`.slice(0, 64);
}

/** A keeper as `keepers` and `prune` see it: its combination, and the pool functions that use it. */
export interface KeeperUse {
  readonly name: string;
  readonly subnetId: string;
  /** Sorted, without duplicates. */
  readonly securityGroupIds: readonly string[];
  /** Pool functions (and versions, `name:version`) whose placement includes the combination; keepers never. */
  readonly usedBy: readonly string[];
}

/** What each of the pool's keepers keeps, and who still needs it. A keeper with several subnets is one entry per subnet. */
export function keeperUses(functions: readonly ObservedFunction[]): KeeperUse[] {
  const users = functions.filter((fn) => fn.inPool && !fn.keeper);
  const uses: KeeperUse[] = [];
  for (const keeper of functions.filter((fn) => fn.inPool && fn.keeper && fn.version === '$LATEST')) {
    for (const subnetId of keeper.subnetIds) {
      const key = combinationKey(subnetId, keeper.securityGroupIds);
      const usedBy = users
        .filter((fn) => fn.subnetIds.some((subnet) => combinationKey(subnet, fn.securityGroupIds) === key))
        .map(functionLabel);
      uses.push({ name: keeper.name, subnetId, securityGroupIds: keeper.securityGroupIds, usedBy });
    }
  }
  return uses.sort((a, b) => a.name.localeCompare(b.name) || a.subnetId.localeCompare(b.subnetId));
}
