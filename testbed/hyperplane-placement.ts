/**
 * Lambda's own rule for sharing a Hyperplane ENI, written here apart from the product's
 * `combinationKey`, so that the simulator cannot agree with the product by construction: two placements
 * share an ENI when they are in the same subnet and their security groups form the same *set* (order and
 * repetition do not matter to Lambda).
 */
export interface HyperplanePlacement {
  readonly subnetId: string;
  readonly securityGroupIds: Iterable<string>;
}

export function sharesHyperplaneEni(a: HyperplanePlacement, b: HyperplanePlacement): boolean {
  if (a.subnetId !== b.subnetId) return false;
  const left = new Set(a.securityGroupIds);
  const right = new Set(b.securityGroupIds);
  return left.size === right.size && [...left].every((group) => right.has(group));
}

/** The security groups as Lambda passes them to EC2: each once, in the order first given. */
export function distinctGroups(securityGroupIds: Iterable<string>): string[] {
  return [...new Set(securityGroupIds)];
}
