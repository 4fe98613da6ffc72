import { StaticIpError } from '../core/errors.js';
import { compareIps } from '../core/ip-order.js';
import type { Plan, Problem } from '../core/plan.js';
import { validatePoolName } from '../core/pool.js';

/**
 * The custom resource's meaning, apart from the Lambda plumbing: its physical id, when a deployment
 * step is complete, and what it reports back to CloudFormation.
 */

const PHYSICAL_ID_PREFIX = 'lambda-static-ip:';
const KEEPERS_SUFFIX = ':keepers';

/**
 * Stable for a pool: the same pool is the same resource; renaming the pool replaces it. The wait before
 * the functions (`keepers`) has its own id, which names no pool to unbind.
 */
export function physicalResourceId(pool: string, stage: 'binding' | 'keepers' = 'binding'): string {
  return `${PHYSICAL_ID_PREFIX}${pool}${stage === 'keepers' ? KEEPERS_SUFFIX : ''}`;
}

/** Whether a physical id is a keepers wait's, whose Delete has nothing to undo. */
export function isKeepersWaitId(id: string | undefined): boolean {
  return Boolean(id?.startsWith(PHYSICAL_ID_PREFIX) && id.endsWith(KEEPERS_SUFFIX));
}

/**
 * The pool a physical id names, or undefined for an id this controller never returned (a Create that
 * failed before reporting one: CloudFormation's RequestId, or the Provider framework's marker).
 */
export function poolOfPhysicalId(id: string | undefined): string | undefined {
  if (!id?.startsWith(PHYSICAL_ID_PREFIX)) return undefined;
  try {
    return validatePoolName(id.slice(PHYSICAL_ID_PREFIX.length));
  } catch {
    return undefined;
  }
}

export type Completion =
  | { readonly status: 'complete' }
  | { readonly status: 'pending'; readonly reasons: readonly string[] }
  | { readonly status: 'failed'; readonly problems: readonly Problem[] };

/**
 * Whether every ENI of the pool's functions holds a pool IP, judged on a plan made after applying.
 *
 * - Any error problem fails the step (PoolExhausted, SubnetNotPublic, ForeignAddress, FunctionNotInVpc):
 *   waiting will not fix it. One exception: a PoolExhausted that an in-flight VPC update will cure, as
 *   many IPs as are missing sitting on ENIs whose retirement is not yet confirmed.
 * - A pool combination with no ENI yet (NoEniYet), or actions still to apply, is pending.
 */
export function assessCompletion(plan: Plan): Completion {
  const errors = plan.problems.filter((problem) => problem.severity === 'error');
  const exhausted = errors.filter((problem) => problem.code === 'PoolExhausted');
  const retiring = plan.problems.filter((problem) => problem.code === 'RetirementUnconfirmed').length;
  const transient = exhausted.length > 0 && exhausted.length <= retiring;
  const fatal = errors.filter((problem) => !(transient && problem.code === 'PoolExhausted'));
  if (fatal.length > 0) return { status: 'failed', problems: fatal };

  const reasons: string[] = [];
  if (transient) {
    reasons.push(
      `${exhausted.length} ENI(s) wait for the IP of an ENI that a function update still uses (${ids(exhausted)})`,
    );
  }
  for (const problem of plan.problems.filter((p) => p.code === 'NoEniYet')) reasons.push(problem.message);
  if (plan.actions.length > 0) reasons.push(`${plan.actions.length} change(s) still to apply`);
  return reasons.length > 0 ? { status: 'pending', reasons } : { status: 'complete' };
}

/**
 * A failed completion as the error CloudFormation shows: how many IPs are missing when the pool ran out,
 * each problem, and how the properties map. Before the functions (`keepers`), it also says that no
 * function was touched.
 */
export function completionError(
  pool: string,
  problems: readonly Problem[],
  stage: 'binding' | 'keepers' = 'binding',
): StaticIpError {
  const lines = problems.map((problem) => `${problem.code}: ${problem.message}`);
  const missing = problems.filter((problem) => problem.code === 'PoolExhausted').length;
  const need =
    missing > 0
      ? `this change needs ${missing} more IP(s) in pool "${pool}" than it has free; add ${missing} address(es) to the pool (or let it allocate). `
      : '';
  const before =
    stage === 'keepers'
      ? ' Nothing was changed on your functions: this check runs before them, and the rollback deletes only the new keepers.'
      : '';
  return new StaticIpError(
    missing > 0 ? 'PoolExhausted' : (problems[0]?.code ?? 'NotConverged'),
    `${need}pool "${pool}" cannot bind every ENI of ${stage === 'keepers' ? 'its keepers' : 'its functions'}: ${lines.join(' | ')} (the custom resource's Allocate, MaxIps and Spares properties are the --allocate, --max-ips and --spares named here).${before}`,
  );
}

/** The wait ran out: says what was still missing. */
export function waitTimeoutError(pool: string, waitedMs: number, reasons: readonly string[]): StaticIpError {
  return new StaticIpError(
    'WaitTimedOut',
    `gave up after ${Math.round(waitedMs / 1000)} s waiting for every ENI of pool "${pool}" to hold a pool IP: ${reasons.join(' | ')}; raise the WaitSeconds property if Lambda is slow to create ENIs`,
  );
}

/**
 * Resource attributes (Fn::GetAtt): the pool, its whole allow-list (every pool IP, bound or free, sorted,
 * comma-separated: what a vendor must allow), and how many ENIs hold a pool IP.
 */
export function resourceData(plan: Plan): Record<string, string> {
  const ips = plan.addresses.map((address) => address.publicIp).sort(compareIps);
  return {
    Pool: plan.pool,
    AllowList: ips.join(','),
    PoolSize: String(ips.length),
    BoundEnis: String(plan.unchanged.length),
  };
}

function ids(problems: readonly Problem[]): string {
  return problems.map((problem) => problem.networkInterfaceId ?? '?').join(', ');
}
