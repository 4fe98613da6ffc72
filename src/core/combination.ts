/**
 * Lambda shares one Hyperplane ENI between every function and version placed in the same subnet with
 * exactly the same set of security groups. This key names that combination.
 */
export function combinationKey(subnetId: string, securityGroupIds: readonly string[]): string {
  return `${subnetId}|${normaliseGroups(securityGroupIds).join(',')}`;
}

/** Sorted and without duplicates: the order of security groups never matters to Lambda. */
export function normaliseGroups(securityGroupIds: readonly string[]): string[] {
  return [...new Set(securityGroupIds)].sort();
}

/** `name` for $LATEST, `name:version` for a published version. */
export function functionLabel(fn: { readonly name: string; readonly version: string }): string {
  return fn.version === '$LATEST' ? fn.name : `${fn.name}:${fn.version}`;
}

/** The combinations the pool's functions and versions use: their ENIs must hold pool IPs. */
export function poolCombinationKeys(
  functions: ReadonlyArray<{
    readonly inPool: boolean;
    readonly subnetIds: readonly string[];
    readonly securityGroupIds: readonly string[];
  }>,
): Set<string> {
  const keys = new Set<string>();
  for (const fn of functions) {
    if (!fn.inPool) continue;
    for (const subnetId of fn.subnetIds) keys.add(combinationKey(subnetId, fn.securityGroupIds));
  }
  return keys;
}
