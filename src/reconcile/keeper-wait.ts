import { describePoolAddresses } from '../aws/addresses.js';
import type { AwsClients } from '../aws/clients.js';
import { getFunctionState } from '../aws/function-state.js';
import { type CombinationBinding, combinationBindings } from '../aws/keepers.js';
import { StaticIpError } from '../core/errors.js';
import { reconcile } from './reconcile.js';

export interface KeeperWaitOptions {
  readonly pool: string;
  /** The keepers' function names. */
  readonly names: readonly string[];
  /** The placement the keepers hold: one combination per subnet, with exactly these security groups. */
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  /** Allocate new tagged addresses when the pool has too few free. */
  readonly allocate: boolean;
  /** Allocation ids the binds must leave alone (see ReconcileRequest.reserved). @default none */
  readonly reserved?: readonly string[];
  readonly timeoutMs: number;
  /** Between two looks at the keepers. */
  readonly pollMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Each look's progress: the combinations bound so far, or how many keepers are not Active yet. */
  readonly progress?: (state: { bound: number; total: number } | { pending: number }) => void;
  /** After each bind (the local test bed records it on its timeline). */
  readonly afterBind?: () => Promise<void>;
  /** Appended to the timeout's message: how to go on. @default none */
  readonly onTimeout?: string;
}

/** When the wait ended: every keeper Active from `activeAt` on, every ENI bound at `boundAt`. */
export interface KeeperWaitResult {
  readonly activeAt: number;
  readonly boundAt: number;
  readonly bindings: readonly CombinationBinding[];
}

/**
 * Waits until every keeper is Active and every ENI of its combination holds a pool IP, binding them
 * through the same reconcile as `apply` (allocating only when allowed): what `prepare --wait` does, and
 * the field test's keeper scenario before its change. Throws `KeeperFailed` for a keeper Lambda could not
 * place, `PoolExhausted` when no free IP is left to bind, `KeeperWaitTimeout` after `timeoutMs`.
 */
export async function waitForKeepers(
  clients: AwsClients,
  options: KeeperWaitOptions,
): Promise<KeeperWaitResult> {
  const deadline = options.now() + options.timeoutMs;
  let activeAt: number | undefined;
  for (;;) {
    const states = await Promise.all(options.names.map((name) => getFunctionState(clients.lambda, name)));
    const failed = states.find((state) => state.state === 'Failed');
    if (failed) {
      throw new StaticIpError(
        'KeeperFailed',
        `keeper ${failed.name} is Failed (Lambda could not create its ENIs); see \`aws lambda get-function-configuration --function-name ${failed.name}\` (StateReason), fix it, delete the keeper and run prepare again`,
      );
    }
    const active = states.filter((state) => state.state === 'Active').length;
    if (active === states.length) {
      activeAt ??= options.now();
      const result = await reconcile(
        clients,
        {
          pool: options.pool,
          functions: [],
          keepers: options.names,
          allocate: options.allocate,
          ...(options.reserved ? { reserved: options.reserved } : {}),
          now: options.now(),
        },
        { sleep: options.sleep },
      );
      await options.afterBind?.();
      // Free IPs taken meanwhile (or none to allocate): waiting longer would not help.
      const exhausted = result.finalPlan.problems.find(
        (problem) => problem.severity === 'error' && problem.code === 'PoolExhausted',
      );
      if (exhausted) throw new StaticIpError('PoolExhausted', exhausted.message);
      const bindings = await combinationBindings(clients.ec2, {
        poolAddresses: await describePoolAddresses(clients.ec2, options.pool),
        subnetIds: options.subnetIds,
        securityGroupIds: options.securityGroupIds,
      });
      const unbound = bindings.filter((binding) => binding.enis === 0 || binding.needed > 0);
      options.progress?.({ bound: bindings.length - unbound.length, total: bindings.length });
      if (unbound.length === 0) return { activeAt, boundAt: options.now(), bindings };
    } else {
      options.progress?.({ pending: states.length - active });
    }
    if (options.now() + options.pollMs > deadline) {
      throw new StaticIpError(
        'KeeperWaitTimeout',
        `the keepers' ENIs did not all hold pool IPs within ${Math.round(options.timeoutMs / 1000)} s (${active}/${states.length} keepers Active)${options.onTimeout ? `; ${options.onTimeout}` : ''}`,
      );
    }
    await options.sleep(options.pollMs);
  }
}
