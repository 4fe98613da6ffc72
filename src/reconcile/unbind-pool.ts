import { disassociateAll } from '../aws/addresses.js';
import type { AwsClients } from '../aws/clients.js';
import { type ObserveInput, observe } from '../aws/observe.js';
import { plan } from '../core/plan.js';
import { validatePoolName } from '../core/pool.js';

/** One association `unbindPool` removed (or found already gone). */
export interface Unbound {
  readonly networkInterfaceId: string;
  readonly allocationId: string;
  readonly publicIp: string;
  readonly associationId: string;
  /** False when the association had disappeared before the call: nothing left to undo. */
  readonly removed: boolean;
}

export interface UnbindResult {
  readonly pool: string;
  readonly region: string;
  readonly unbound: readonly Unbound[];
}

/**
 * Undoes what reconcile did for a pool (the custom resource's Delete, `lambda-static-ip unbind`): disassociates the pool's addresses from the Lambda ENIs its
 * functions use, by the association ids just observed. Nothing else is touched: not addresses of other
 * pools or without the tag, not pool IPs on ENIs that only other functions use, not anything bound to
 * an instance. Nothing is ever released: the pool stays allocated and allow-listed.
 *
 * Named functions that no longer exist are left out rather than failing (`missingFunctions`, default
 * `ignore`), so this can run while a stack is torn down in any order.
 */
export async function unbindPool(
  clients: AwsClients,
  request: Pick<ObserveInput, 'pool' | 'functions' | 'missingFunctions'>,
): Promise<UnbindResult> {
  validatePoolName(request.pool);
  const observation = await observe(clients, {
    ...request,
    missingFunctions: request.missingFunctions ?? 'ignore',
  });
  const current = plan(observation, { pool: request.pool, allocate: false, maxIps: 0, spares: 0 });
  const enis = new Map(observation.enis.map((eni) => [eni.id, eni]));
  const targets: Array<Omit<Unbound, 'removed'>> = [];
  for (const view of current.enis) {
    if (view.role !== 'pool' || view.address !== 'pool') continue;
    const association = enis.get(view.networkInterfaceId)?.association;
    if (!association?.associationId || !association.allocationId) continue;
    targets.push({
      networkInterfaceId: view.networkInterfaceId,
      allocationId: association.allocationId,
      publicIp: association.publicIp,
      associationId: association.associationId,
    });
  }
  const outcome = await disassociateAll(
    clients.ec2,
    targets.map((target) => target.associationId),
  );
  const removed = new Set(outcome.disassociated);
  return {
    pool: request.pool,
    region: observation.region,
    unbound: targets.map((target) => ({ ...target, removed: removed.has(target.associationId) })),
  };
}
