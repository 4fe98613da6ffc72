import type { IConstruct } from 'constructs';
import { atDeploy, type HyperplaneSettings } from './hyperplane-settings.js';
import { type IStaticIpPool, morePoolAddresses } from './static-ip-pool.js';

/** Why the pool cannot serve the functions, with the code of the synth error. */
export interface PoolSizeProblem {
  readonly code: 'MaxIpsTooLow' | 'PoolTooSmall';
  readonly message: string;
}

/**
 * The pool must serve the functions with the addresses other consumers do not hold (those are reserved
 * for them): without `allocate`, an IP per combination plus the spares; with it, `maxIps` (which counts
 * every address of the pool) must leave room for both. Asked when the construct is created, with the
 * consumers known then, and again at synth, once every consumer exists. A pool imported by name has no
 * size the app knows: only `maxIps` is checked then, and the deployment checks the rest (`PoolExhausted`).
 * Nor is anything checked when `spares` (or, with `allocate`, `maxIps`) is a deploy-time value: the
 * deployment checks that too.
 *
 * @param consumer the `HyperplaneEgress`, whose own holding (none) is left out
 */
export function poolSizeProblem(
  consumer: IConstruct,
  pool: IStaticIpPool,
  combinations: number,
  settings: HyperplaneSettings,
): PoolSizeProblem | undefined {
  if (atDeploy(settings.spares) || (settings.allocate && atDeploy(settings.maxIps))) return undefined;
  const holders = pool.holders.filter((holder) => holder.consumer !== consumer.node.path);
  const held = holders.reduce((sum, holder) => sum + holder.addresses.length, 0);
  const holding = holders.map((holder) => `${holder.consumer} holds ${holder.addresses.length}`).join(', ');
  const needed = combinations + settings.spares;
  const need = `${combinations} (subnet, security-group set) combination(s) + ${settings.spares} spare(s)`;
  if (settings.allocate) {
    if (settings.maxIps >= held + needed) return undefined;
    const others =
      held > 0
        ? ` plus the ${held} address(es) other consumers of pool "${pool.poolName}" hold (${holding}), which count towards maxIps`
        : '';
    return {
      code: 'MaxIpsTooLow',
      message: `maxIps ${settings.maxIps} is below the ${needed} IPs the functions need (${need})${others}; raise maxIps to ${held + needed} or lower spares`,
    };
  }
  const size = pool.addresses?.length;
  if (size === undefined || size - held >= needed) return undefined;
  const grow = morePoolAddresses(pool, held + needed - size, held + needed);
  const reserved =
    held > 0
      ? `, of which ${holding} (the controller leaves those alone): ${size - held} left for the functions, which`
      : ', and the functions';
  return {
    code: 'PoolTooSmall',
    message: `pool "${pool.poolName}" (${pool.node.path}) has ${size} address(es)${reserved} need ${needed} (${need}); ${grow}, lower spares, or set allocate${held > 0 ? ', or give the other consumers a pool of their own' : ''}`,
  };
}
