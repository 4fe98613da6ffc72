import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applicationLoadBalancer,
  globalAcceleratorAlb,
  ingressOptions,
  nlbPoolIpsAlb,
} from '../../../src/core/cost/ingress-options.js';
import { resolvePrices } from '../../../src/core/cost/price-overrides.js';

const east = resolvePrices('us-east-1').prices;

describe('ingress formulas against hand-computed figures (us-east-1, 2 AZs, 100 GB)', () => {
  it('ALB: $0.0225 × 730 = $16.425 a month; 100 GB / 0.4 GB per LCU-hour = 250 LCU-hours × $0.008 = $2.00', () => {
    const alb = applicationLoadBalancer(east);
    expect(alb.monthlyFixedUsd).toBeCloseTo(16.425, 10);
    expect(alb.perGbUsd * 100).toBeCloseTo(2, 10);
  });

  it('Global Accelerator → ALB: $18.25 + $16.425 = $34.675 fixed; 100 × $0.015 + $2.00 = $3.50 variable', () => {
    const option = globalAcceleratorAlb({ azs: 2, ingressGb: 100 }, east);
    expect(option.monthlyFixedUsd).toBeCloseTo(34.675, 10);
    expect(option.monthlyVariableUsd).toBeCloseTo(3.5, 10);
    expect(option.direction).toBe('ingress');
    expect(option.notes.join(' ')).toContain('dominant direction');
  });

  it('NLB with pool IPs → ALB: $16.425 + 2 × $3.65 + $16.425 = $40.15 fixed; 100 × $0.006 + $2.00 = $2.60', () => {
    const option = nlbPoolIpsAlb({ azs: 2, ingressGb: 100 }, east);
    expect(option.monthlyFixedUsd).toBeCloseTo(40.15, 10);
    expect(option.monthlyVariableUsd).toBeCloseTo(2.6, 10);
    expect(option.publicIps).toBe(2);
  });

  it('totals never decrease as ingress grows (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (azs, gb, more) => {
          const before = ingressOptions({ azs, ingressGb: gb }, east);
          const after = ingressOptions({ azs, ingressGb: gb + more }, east);
          before.forEach((option, index) => {
            expect(after[index]?.monthlyTotalUsd).toBeGreaterThanOrEqual(option.monthlyTotalUsd - 1e-9);
          });
        },
      ),
    );
  });
});
