import { StaticIpError } from '../core/errors.js';
import { compareIps } from '../core/ip-order.js';
import type { Plan, Problem } from '../core/plan.js';
import { validatePoolName } from '../core/pool.js';

/**
 * The custom resource's meaning, apart from the Lambda plumbing: its physical id, when a deployment
 * step is complete, and what it reports back to CloudFormation.
 */

const PHYSICAL_ID_PREFIX = 'lambda-static-ip:';

/** Stable for a pool: the same pool is the same resource; renaming the pool replaces it. */
export function physicalResourceId(pool: string): string {
  return `${PHYSICAL_ID_PREFIX}${pool}`;
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

/** A failed completion as the error CloudFormation shows: each problem, and how the properties map. */
export function completionError(pool: string, problems: readonly Problem[]): StaticIpError {
  const lines = problems.map((problem) => `${problem.code}: ${problem.message}`);
  return new StaticIpError(
    problems[0]?.code ?? 'NotConverged',
    `pool "${pool}" cannot bind every ENI of its functions: ${lines.join(' | ')} (the custom resource's Allocate, MaxIps and Spares properties are the --allocate, --max-ips and --spares named here)`,
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
