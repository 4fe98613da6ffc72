import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combinationKey } from '../../src/core/combination.js';
import { sharesHyperplaneEni } from '../../testbed/index.js';

describe("the simulator's rule for sharing a Hyperplane ENI", () => {
  // Few ids, so that repeats, reorderings and equal sets are common.
  const placement = fc.record({
    subnetId: fc.constantFrom('subnet-a', 'subnet-b'),
    securityGroupIds: fc.array(fc.constantFrom('sg-1', 'sg-2', 'sg-3'), { minLength: 1, maxLength: 5 }),
  });

  it("agrees with the product's combinationKey on every order and repetition of security-group ids", () => {
    fc.assert(
      fc.property(placement, placement, (a, b) => {
        const product =
          combinationKey(a.subnetId, a.securityGroupIds) === combinationKey(b.subnetId, b.securityGroupIds);
        expect(sharesHyperplaneEni(a, b)).toBe(product);
      }),
      { numRuns: 500 },
    );
  });

  it('tells apart a set and its subset, and the same set in another subnet', () => {
    const a = { subnetId: 'subnet-a', securityGroupIds: ['sg-2', 'sg-1', 'sg-2'] };
    expect(sharesHyperplaneEni(a, { subnetId: 'subnet-a', securityGroupIds: ['sg-1', 'sg-2'] })).toBe(true);
    expect(sharesHyperplaneEni(a, { subnetId: 'subnet-a', securityGroupIds: ['sg-1'] })).toBe(false);
    expect(sharesHyperplaneEni(a, { subnetId: 'subnet-b', securityGroupIds: ['sg-1', 'sg-2'] })).toBe(false);
  });
});
