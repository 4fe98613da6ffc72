import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breakEven,
  breakEvens,
  natGatewayNeverBreaksEven,
  totalAt,
} from '../../../src/core/cost/break-even.js';
import { type CostOption, costOption } from '../../../src/core/cost/cost-option.js';
import { egressOptions } from '../../../src/core/cost/egress-options.js';
import { resolvePrices } from '../../../src/core/cost/price-overrides.js';

const east = resolvePrices('us-east-1').prices;
const options = egressOptions({ azs: 2, spares: 0, egressGb: 100 }, east);
const byStrategy = (strategy: string) => options.find((option) => option.strategy === strategy) as CostOption;

function line(strategy: CostOption['strategy'], fixed: number, perGb: number): CostOption {
  return costOption(
    {
      strategy,
      label: strategy,
      direction: 'egress',
      monthlyFixedUsd: fixed,
      perGbUsd: perGb,
      publicIps: 1,
      traits: { staticIp: true, supportedByAws: true, noGapOnFailure: true, addressFamily: 'ipv4' },
      summary: '',
      notes: [],
    },
    0,
  );
}

describe('breakEven', () => {
  it('single vs per-AZ NAT gateway (2 AZs): (73.00 − 36.50) / (0.055 − 0.045) = 3,650 GB, both $237.25', () => {
    const entry = breakEven(byStrategy('nat-gateway-per-az'), byStrategy('nat-gateway-single'));
    expect(entry.kind).toBe('crosses');
    expect(entry.strategies).toEqual(['nat-gateway-single', 'nat-gateway-per-az']);
    expect(entry.gb).toBeCloseTo(3650, 6);
    expect(entry.monthlyUsd).toBeCloseTo(237.25, 6);
    expect(entry.summary).toContain('3,650 GB');
  });

  it('a NAT gateway never breaks even with hyperplane IPs: $65.70 more at 0 GB and $0.045 more per GB', () => {
    const entry = breakEven(byStrategy('nat-gateway-per-az'), byStrategy('hyperplane-eip'));
    expect(entry).toMatchObject({
      kind: 'never',
      gb: null,
      strategies: ['hyperplane-eip', 'nat-gateway-per-az'],
    });
    expect(entry.summary).toContain('$65.70 a month more at 0 GB');
    expect(entry.summary).toContain('$0.045/GB more');
  });

  it('says when two strategies cost the same at every volume (regional and per-AZ gateways)', () => {
    const entry = breakEven(byStrategy('nat-gateway-regional'), byStrategy('nat-gateway-per-az'));
    expect(entry.kind).toBe('equal');
  });

  it('pairs every static IPv4 option of a direction, leaving out the baseline and the $0 IPv6 option', () => {
    const entries = breakEvens(options);
    expect(entries).toHaveLength(10); // 5 static IPv4 egress options, 5 × 4 / 2 pairs
    expect(entries.flatMap((entry) => entry.strategies)).not.toContain('no-static-ip');
    expect(entries.flatMap((entry) => entry.strategies)).not.toContain('ipv6-dual-stack');
  });

  it('states that no NAT gateway breaks even on price, and against which strategies', () => {
    expect(natGatewayNeverBreaksEven(options, breakEvens(options))).toBe(
      'No NAT gateway ever breaks even on price: Hyperplane ENI Elastic IPs and NAT instance per AZ cost less at every volume.',
    );
  });

  it('says nothing of the kind when a NAT gateway does cross a cheaper line', () => {
    const cheapGateway = [line('hyperplane-eip', 10, 0), line('nat-gateway-per-az', 20, -0.01)];
    expect(natGatewayNeverBreaksEven(cheapGateway, breakEvens(cheapGateway))).toBeNull();
  });

  it('at the crossing both cost the same, and the order flips either side (property)', () => {
    const amount = fc.double({ min: 0, max: 1000, noNaN: true });
    const rate = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(amount, rate, amount, rate, (fixedA, rateA, fixedB, rateB) => {
        const a = line('hyperplane-eip', fixedA, rateA);
        const b = line('nat-instance', fixedB, rateB);
        const entry = breakEven(a, b);
        const [cheap, dear] = entry.strategies.map((strategy) => (strategy === a.strategy ? a : b)) as [
          CostOption,
          CostOption,
        ];
        expect(totalAt(cheap, 0)).toBeLessThanOrEqual(totalAt(dear, 0) + 1e-8);
        if (entry.kind === 'crosses') {
          const gb = entry.gb as number;
          expect(gb).toBeGreaterThanOrEqual(0);
          expect(Math.abs(totalAt(cheap, gb) - totalAt(dear, gb))).toBeLessThan(
            1e-6 * Math.max(1, totalAt(cheap, gb)),
          );
          expect(totalAt(dear, gb * 2 + 1)).toBeLessThanOrEqual(totalAt(cheap, gb * 2 + 1) + 1e-8);
        } else if (entry.kind === 'never') {
          for (const gb of [0, 10, 1e3, 1e6])
            expect(totalAt(cheap, gb)).toBeLessThanOrEqual(totalAt(dear, gb) + 1e-6);
        }
      }),
    );
  });
});
