import { compareIps } from './ip-order.js';
import type { AddressView, Plan } from './plan.js';

/** The egress strategy a pool's functions move to. */
export type SwitchTarget = 'nat' | 'hyperplane';

/**
 * - `spares`: enough free pool IPs for the new holders while the old ones keep theirs: no interruption
 *   beyond Lambda's own switch.
 * - `free-first`: the old holders must give their IPs up first (unbind, or delete the NAT gateways): egress
 *   stops for minutes.
 * - `too-small`: the pool cannot serve the target even with every IP freed.
 */
export type SwitchPath = 'spares' | 'free-first' | 'too-small';

export interface SwitchReadiness {
  readonly pool: string;
  readonly region: string;
  readonly to: SwitchTarget;
  /** IPs the target needs: one per NAT gateway, or one per Lambda ENI (combination) after the move. */
  readonly needed: number;
  /** Free pool IPs, lowest first: the spares the new holders can take now. */
  readonly free: readonly Pick<AddressView, 'allocationId' | 'publicIp'>[];
  /** The free IPs to give the new holders (the first `needed` of `free`), when there are enough. */
  readonly take: readonly Pick<AddressView, 'allocationId' | 'publicIp'>[];
  /** Pool IPs on the pool functions' Lambda ENIs (freed by unbind, or by Lambda after the move). */
  readonly onLambdaEnis: number;
  readonly onNatGateways: number;
  /** On NAT instances (fck-nat): freed, like the gateways', when they go. */
  readonly onNatInstances: number;
  readonly onLoadBalancers: number;
  /** IPs the old holders give back when they let go: the Lambda ENIs' for `nat`, the NAT devices' for `hyperplane`. */
  readonly freeable: number;
  /** On retired Lambda ENIs, or bound elsewhere: not available to the target now. */
  readonly unavailable: number;
  readonly path: SwitchPath;
}

/**
 * Whether a pool can move its functions to `to` without an interruption, from a plan of the pool (the
 * functions to move named in it). Pure: the CLI's `switch-check` renders the answer and the steps.
 *
 * NAT gateways need `gateways` free IPs when they are created (an associated one makes the gateway fail
 * with `Resource.AlreadyAssociated`). Lambda ENIs after a move to public subnets need one IP per
 * (subnet, security-group set) combination; the plan's pool combinations are the estimate, which holds
 * when the public subnets mirror the private ones (one per zone).
 */
export function switchReadiness(plan: Plan, to: SwitchTarget, needed: number): SwitchReadiness {
  const count = (state: AddressView['state']) =>
    plan.addresses.filter((address) => address.state === state).length;
  const free = plan.addresses
    .filter((address) => address.state === 'free')
    .map(({ allocationId, publicIp }) => ({ allocationId, publicIp }))
    .sort((a, b) => compareIps(a.publicIp, b.publicIp));
  const onLambdaEnis = count('bound');
  const onNatGateways = count('on-nat-gateway');
  const onNatInstances = count('on-nat-instance');
  const onLoadBalancers = count('on-load-balancer');
  const unavailable = count('on-retired-eni') + count('elsewhere');
  // What the old holders give back when they let go: the functions' ENIs, or the NAT devices.
  const freeable = to === 'nat' ? onLambdaEnis : onNatGateways + onNatInstances;
  const path: SwitchPath =
    free.length >= needed ? 'spares' : free.length + freeable >= needed ? 'free-first' : 'too-small';
  return {
    pool: plan.pool,
    region: plan.region,
    to,
    needed,
    free,
    take: path === 'spares' ? free.slice(0, needed) : [],
    onLambdaEnis,
    onNatGateways,
    onNatInstances,
    onLoadBalancers,
    freeable,
    unavailable,
    path,
  };
}
