import type { AssociationEvent } from './local-aws.js';

/** What happened to a set of ENIs and addresses, read from the local AWS's association log. */
export interface AssociationAudit {
  /** A pool address pushed off one of the ENIs by a second association (EC2 keeps one per ENI). */
  readonly displacements: readonly AssociationEvent[];
  /** A pool address that left one of the ENIs any way at all: displaced, disassociated, moved away, dropped. */
  readonly takenOff: readonly AssociationEvent[];
  /** ENIs that held more than one pool address over the window, with the addresses in order. */
  readonly changed: ReadonlyMap<string, readonly string[]>;
  /** Pool addresses given back. */
  readonly released: readonly AssociationEvent[];
  /** Associations made, including idempotent ones (the same address on the same ENI again). */
  readonly associations: number;
}

/**
 * Audits association events for the ENIs that serve a pool and the pool's addresses. The end state alone
 * cannot show a displacement (EC2 never leaves two addresses on one ENI: the second pushes the first off),
 * so "an ENI that serves never has its IP taken or changed" is checked here, event by event.
 *
 * @param events the log's events of the window to audit (e.g. those with `seq` at or above a mark)
 * @param enis ENIs whose pool IP must never change nor go: those that serve traffic
 * @param poolAllocationIds the pool's addresses; other addresses are not audited
 * @param initial the pool address each ENI held when the window began
 */
export function auditAssociations(
  events: readonly AssociationEvent[],
  enis: ReadonlySet<string>,
  poolAllocationIds: ReadonlySet<string>,
  initial: ReadonlyMap<string, string> = new Map(),
): AssociationAudit {
  const pool = events.filter((event) => event.allocationId && poolAllocationIds.has(event.allocationId));
  const onEnis = (id: string | undefined) => id !== undefined && enis.has(id);
  const held = new Map<string, string[]>([...initial].map(([eni, allocationId]) => [eni, [allocationId]]));
  for (const event of pool) {
    if (event.event !== 'associated' || !onEnis(event.networkInterfaceId)) continue;
    const sequence = held.get(event.networkInterfaceId as string) ?? [];
    if (sequence.at(-1) !== event.allocationId) sequence.push(event.allocationId as string);
    held.set(event.networkInterfaceId as string, sequence);
  }
  return {
    displacements: pool.filter((event) => event.event === 'displaced' && onEnis(event.networkInterfaceId)),
    takenOff: pool.filter(
      (event) =>
        ((event.event === 'displaced' || event.event === 'disassociated' || event.event === 'dropped') &&
          onEnis(event.networkInterfaceId)) ||
        (event.event === 'associated' && onEnis(event.movedFrom)),
    ),
    changed: new Map([...held].filter(([, sequence]) => new Set(sequence).size > 1)),
    released: pool.filter((event) => event.event === 'released'),
    associations: pool.filter((event) => event.event === 'associated').length,
  };
}
