import { createHash } from 'node:crypto';
import { normaliseGroups } from './combination.js';

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
  // Pool names may hold '.', which function names may not.
  const safe = pool.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64 - 'lsi-keeper-'.length - 13);
  return `lsi-keeper-${safe}-${hash}`;
}
