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
