import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EGRESS_STRATEGIES } from '../../../src/core/cost/cost-option.js';
import {
  type EgressInput,
  egressOptions,
  hyperplaneEip,
  ipv6DualStack,
  natGatewayPerAz,
  natGatewayRegional,
  natGatewaySingle,
  natInstance,
  noStaticIp,
} from '../../../src/core/cost/egress-options.js';
import { parsePriceOverrides, resolvePrices } from '../../../src/core/cost/price-overrides.js';

const east = resolvePrices('us-east-1').prices;
/** The issue's case: us-east-1, 2 AZs, 100 GB egress. */
const issueCase: EgressInput = { azs: 2, spares: 0, egressGb: 100 };

describe('egress formulas against hand-computed figures (us-east-1, 2 AZs, 100 GB)', () => {
  it('hyperplane: 2 IPs × $3.65 = $7.30, nothing per GB', () => {
    const option = hyperplaneEip(issueCase, east);
    expect(option.monthlyFixedUsd).toBeCloseTo(7.3, 10);
    expect(option.monthlyVariableUsd).toBe(0);
    expect(option.monthlyTotalUsd).toBeCloseTo(7.3, 10);
    expect(option.publicIps).toBe(2);
  });

  it('hyperplane counts spares: (2 + 3) × $3.65 = $18.25', () => {
    const option = hyperplaneEip({ ...issueCase, spares: 3 }, east);
    expect(option.monthlyFixedUsd).toBeCloseTo(18.25, 10);
    expect(option.publicIps).toBe(5);
    expect(option.notes.join(' ')).toContain('3 spare(s)');
  });

  it('NAT gateway per AZ: 2 × ($32.85 + $3.65) = $73.00 fixed, 100 × $0.045 = $4.50 variable', () => {
    const option = natGatewayPerAz(issueCase, east);
    expect(option.monthlyFixedUsd).toBeCloseTo(73, 10);
    expect(option.monthlyVariableUsd).toBeCloseTo(4.5, 10);
    expect(option.monthlyTotalUsd).toBeCloseTo(77.5, 10);
  });

  it('single NAT gateway: $32.85 + $3.65 = $36.50 fixed; 100 × ($0.045 + $0.02 × ½) = $5.50 variable', () => {
    const option = natGatewaySingle(issueCase, east);
    expect(option.monthlyFixedUsd).toBeCloseTo(36.5, 10);
    expect(option.perGbUsd).toBeCloseTo(0.055, 12);
    expect(option.monthlyVariableUsd).toBeCloseTo(5.5, 10);
    expect(option.traits.noGapOnFailure).toBe(false);
  });

  it('single NAT gateway in one AZ: no cross-AZ charge and no extra single point of failure', () => {
    const option = natGatewaySingle({ ...issueCase, azs: 1 }, east);
    expect(option.perGbUsd).toBeCloseTo(0.045, 12);
    expect(option.traits.noGapOnFailure).toBe(true);
  });

  it('regional NAT gateway: 2 AZs × ($32.85 + $3.65) = $73.00 fixed, $4.50 variable', () => {
    const option = natGatewayRegional(issueCase, east);
    expect(option.monthlyFixedUsd).toBeCloseTo(73, 10);
    expect(option.monthlyVariableUsd).toBeCloseTo(4.5, 10);
    expect(option.notes.join(' ')).toContain('not stated on the pricing page');
  });

  it('NAT instance: 2 × ($0.0042 × 730 + $3.65) = 2 × $6.716 = $13.432, nothing per GB', () => {
    const option = natInstance(issueCase, east);
    expect(option.monthlyFixedUsd).toBeCloseTo(13.432, 10);
    expect(option.monthlyVariableUsd).toBe(0);
    expect(option.notes.join(' ')).toContain('minutes');
  });

  it('NAT instance notes name its replacement downtime and its reassociation at boot', () => {
    const notes = natInstance(issueCase, east).notes.join(' ');
    expect(notes).toContain('about 5 minutes');
    expect(notes).toContain('AllowReassociation');
  });

  it('IPv6 dual-stack: $0 at any volume, no public IPv4, a /64 per AZ, and the caveats in its notes', () => {
    const option = ipv6DualStack({ ...issueCase, egressGb: 5000 });
    expect([option.monthlyFixedUsd, option.perGbUsd, option.monthlyTotalUsd, option.publicIps]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(option.traits.addressFamily).toBe('ipv6');
    const notes = option.notes.join(' ');
    expect(notes).toContain('2 /64 prefix(es)');
    expect(notes).toContain('The vendor must accept IPv6');
    expect(notes).toContain('IPv4-only destinations still need an IPv4 strategy');
  });

  it('no static IP: the $0 baseline that nothing can allow-list', () => {
    const option = noStaticIp(issueCase);
    expect(option.monthlyTotalUsd).toBe(0);
    expect(option.traits.staticIp).toBe(false);
  });

  it('Singapore prices its NAT gateways at $0.059: 2 × ($43.07 + $3.65) = $93.44 + 100 × $0.059', () => {
    const option = natGatewayPerAz(issueCase, resolvePrices('ap-southeast-1').prices);
    expect(option.monthlyFixedUsd).toBeCloseTo(2 * (0.059 * 730 + 3.65), 10);
    expect(option.monthlyFixedUsd).toBeCloseTo(93.44, 10);
    expect(option.monthlyVariableUsd).toBeCloseTo(5.9, 10);
  });

  it('follows an overridden price', () => {
    const overrides = parsePriceOverrides({ regions: { 'us-east-1': { natGatewayHourly: 0.05 } } }, 'p.json');
    const prices = resolvePrices('us-east-1', { overrides }).prices;
    expect(natGatewayPerAz(issueCase, prices).monthlyFixedUsd).toBeCloseTo(2 * (36.5 + 3.65), 10);
  });

  it('lists every strategy once, each noting that data transfer out is shown apart', () => {
    const options = egressOptions(issueCase, east);
    expect(options.map((option) => option.strategy).sort()).toEqual([...EGRESS_STRATEGIES].sort());
    for (const option of options) {
      expect(option.direction).toBe('egress');
      expect(option.notes.join(' ')).toContain('Data transfer out');
    }
  });
});

const inputs = fc.record({
  azs: fc.integer({ min: 1, max: 6 }),
  spares: fc.integer({ min: 0, max: 20 }),
  egressGb: fc.double({ min: 0, max: 1e7, noNaN: true }),
});

describe('egress formulas (properties)', () => {
  it('totals never decrease as egress grows, and fixed costs do not depend on it', () => {
    fc.assert(
      fc.property(inputs, fc.double({ min: 0, max: 1e6, noNaN: true }), (input, more) => {
        const before = egressOptions(input, east);
        const after = egressOptions({ ...input, egressGb: input.egressGb + more }, east);
        before.forEach((option, index) => {
          const later = after[index];
          expect(later?.monthlyTotalUsd).toBeGreaterThanOrEqual(option.monthlyTotalUsd - 1e-9);
          expect(later?.monthlyFixedUsd).toBe(option.monthlyFixedUsd);
        });
      }),
    );
  });

  it('total = fixed + per-GB × GB, and nothing is negative', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        for (const option of egressOptions(input, east)) {
          expect(option.monthlyTotalUsd).toBeCloseTo(
            option.monthlyFixedUsd + option.perGbUsd * input.egressGb,
            6,
          );
          expect(option.monthlyFixedUsd).toBeGreaterThanOrEqual(0);
          expect(option.monthlyVariableUsd).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('a NAT gateway per AZ always costs more than hyperplane IPs while spares stay under 9 per AZ', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        fc.pre(input.spares < input.azs * 9); // 36.50 per AZ vs 3.65 per IP: equal at 9 spares per AZ
        expect(natGatewayPerAz(input, east).monthlyTotalUsd).toBeGreaterThan(
          hyperplaneEip(input, east).monthlyTotalUsd,
        );
      }),
    );
  });
});
