import { listAliases } from '../aws/aliases.js';
import type { AwsClients } from '../aws/clients.js';
import { elasticIpLimit } from '../aws/elastic-ip-limit.js';
import { type ObserveInput, observe } from '../aws/observe.js';
import { describeSecurityGroups } from '../aws/security-groups.js';
import { type AuditReport, audit, versionsWithOtherVpc } from '../core/audit.js';
import { ipv6CheckFor } from '../core/audit-ipv6.js';
import { plan } from '../core/plan.js';
import { validatePoolName } from '../core/pool.js';

export interface AuditRequest extends ObserveInput {
  /** Free IPs the user means to keep; more than these is a cost finding. @default 0 */
  readonly spares?: number;
  /** Allocation ids another consumer of the pool holds or is about to take: not free, not spares. */
  readonly reserved?: readonly string[];
  /**
   * Check IPv6 egress too (`true`), or not (`false`). @default - checked when some pool function already
   * allows IPv6 (`Ipv6AllowedForDualStack`)
   */
  readonly ipv6?: boolean;
}

/**
 * observe → plan → audit: the read-only sibling of reconcile. Besides the reconcile's own reads it makes
 * one paged DescribeSecurityGroups for the pool functions' groups, one DescribeAccountAttributes, and a
 * ListAliases only for pool functions that have a version placed unlike $LATEST (usually none). It
 * changes nothing.
 */
export async function auditPool(clients: AwsClients, request: AuditRequest): Promise<AuditReport> {
  validatePoolName(request.pool);
  const observation = await observe(clients, request);
  const planned = plan(observation, {
    pool: request.pool,
    allocate: false,
    maxIps: 0,
    spares: request.spares ?? 0,
    reserved: request.reserved ?? [],
  });
  const poolGroups = observation.functions.filter((fn) => fn.inPool).flatMap((fn) => fn.securityGroupIds);
  const drifted = versionsWithOtherVpc(observation.functions).map((fn) => fn.name);
  const [securityGroups, eipQuota, aliases] = await Promise.all([
    describeSecurityGroups(clients, poolGroups),
    elasticIpLimit(clients),
    drifted.length > 0 ? listAliases(clients, drifted) : Promise.resolve([]),
  ]);
  return audit({
    observation,
    plan: planned,
    securityGroups,
    ...(eipQuota === undefined ? {} : { eipQuota }),
    aliases,
    ipv6: ipv6CheckFor(request.ipv6, observation.functions),
  });
}
