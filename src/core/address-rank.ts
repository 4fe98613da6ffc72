/**
 * Which pool IP an ENI prefers, among addresses of equal standing: rendezvous (highest random weight)
 * hashing of (ENI id, allocation id). Each ENI has its own fixed order of every address, unrelated to the
 * order of any other ENI, and it does not depend on which other addresses exist or are free.
 *
 * Why: EC2 has no compare-and-swap on the ENI side of an association (a second address silently displaces
 * the first), and concurrent runs may observe different, stale states. When every run picks, for a given
 * ENI, the first free address in that ENI's own order, runs whose views differ only by other addresses
 * (bound meanwhile, or new) still pick the same one; the second run's AssociateAddress, sent with
 * AllowReassociation=false, then binds what is already there or fails with Resource.AlreadyAssociated,
 * instead of displacing the first run's binding. Pure: no clock, no randomness.
 */

/** The ENI's weight for an address: higher is preferred. Deterministic, 32 bits. */
export function rendezvousWeight(networkInterfaceId: string, allocationId: string): number {
  // FNV-1a over both ids (a separator keeps ("ab","c") apart from ("a","bc")), then an avalanche step
  // so that ids differing in one character get unrelated weights.
  let hash = 0x811c9dc5;
  const key = `${networkInterfaceId}\u0000${allocationId}`;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * The address this ENI prefers among `candidates` (highest weight; equal weights by allocation id), or
 * undefined when there is none.
 */
export function preferredFor<T extends { readonly allocationId: string }>(
  networkInterfaceId: string,
  candidates: readonly T[],
): T | undefined {
  let best: T | undefined;
  let bestWeight = -1;
  for (const candidate of candidates) {
    const weight = rendezvousWeight(networkInterfaceId, candidate.allocationId);
    if (
      weight > bestWeight ||
      (weight === bestWeight && best !== undefined && candidate.allocationId < best.allocationId)
    ) {
      best = candidate;
      bestWeight = weight;
    }
  }
  return best;
}
