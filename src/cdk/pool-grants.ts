import { Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import {
  controllerStatements,
  iamPolicy,
  type PolicyScope,
  type PolicyStatement,
} from '../core/iam-policy.js';

/** Options of `grantBind`. */
export interface PoolBindGrantOptions {
  /**
   * Also let the grantee allocate new Elastic IPs for the pool (tagged for it at allocation), as
   * `apply --allocate` and a controller with `allocate` do.
   *
   * @default false - binding, moving and tagging pool addresses only
   */
  readonly allocate?: boolean;
}

/**
 * What `plan`, `status`, `ips` and `audit` need (`iam-policy --access read`): reads only. Added to the
 * grantee's own policy.
 */
export function grantPoolRead(pool: IConstruct, poolName: string, grantee: IGrantable): Grant {
  return grantStatements(grantee, iamPolicy('cli-read', policyScope(pool, poolName)).Statement);
}

/**
 * What `apply` and the in-account controller need (`iam-policy --for controller`): the reconcile's reads,
 * and binding, moving and tagging the pool's addresses; allocating only with `allocate`. Never a release.
 */
export function grantPoolBind(
  pool: IConstruct,
  poolName: string,
  grantee: IGrantable,
  options: PoolBindGrantOptions = {},
): Grant {
  return grantStatements(
    grantee,
    controllerStatements(policyScope(pool, poolName), { allocate: options.allocate ?? false }),
  );
}

/** The pool's name, and the partition, Region and account of the pool's stack. */
function policyScope(pool: IConstruct, poolName: string): PolicyScope {
  const stack = Stack.of(pool);
  return { pool: poolName, partition: stack.partition, region: stack.region, account: stack.account };
}

/**
 * One grant of the project's statements, each as it is, on the grantee's policy. Without their Sids: two
 * pools granted to one role would otherwise repeat a Sid with different conditions, which IAM refuses.
 */
function grantStatements(grantee: IGrantable, statements: readonly PolicyStatement[]): Grant {
  const grants = statements.map((statement) =>
    Grant.addToPrincipal({
      grantee,
      actions: [...statement.Action],
      resourceArns: typeof statement.Resource === 'string' ? [statement.Resource] : [...statement.Resource],
      ...(statement.Condition === undefined
        ? {}
        : { conditions: statement.Condition as Record<string, Record<string, unknown>> }),
    }),
  );
  const [first, ...rest] = grants;
  if (first === undefined) throw new Error('a grant needs at least one statement');
  return rest.reduce((combined, grant) => combined.combine(grant), first);
}
