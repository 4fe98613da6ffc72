import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { egressOptions } from '../../../src/core/cost/egress-options.js';
import { ingressOptions } from '../../../src/core/cost/ingress-options.js';
import { parsePriceOverrides, resolvePrices } from '../../../src/core/cost/price-overrides.js';
import { PRICE_KEYS } from '../../../src/core/cost/prices.js';
import { recommend } from '../../../src/core/cost/recommendation.js';

const east = resolvePrices('us-east-1').prices;

describe('recommend', () => {
  it('recommends hyperplane IPs for the issue’s case, naming the caveat and the supported alternative', () => {
    const result = recommend(egressOptions({ azs: 2, spares: 0, egressGb: 100 }, east), 'egress');
    expect(result.strategy).toBe('hyperplane-eip');
    expect(result.alternative).toBe('nat-gateway-per-az');
    expect(result.reason).toContain('$7.30');
    expect(result.reason).toContain('saves $70.20 (91%)');
    expect(result.reason).toContain('not supported by AWS');
    expect(result.reason).toContain('AWS support');
  });

  it('recommends the supported, gap-free option when the cheaper one saves too little to be worth its caveat', () => {
    // NAT gateways at a hundredth of a cent an hour: the single gateway becomes the cheapest, saving only
    // $2.72 over one per AZ (2 × $3.723 − ($3.723 + 100 GB × $0.01)), not enough to accept that one AZ failure stops all egress.
    const overrides = parsePriceOverrides(
      {
        regions: {
          'us-east-1': {
            natGatewayHourly: 0.0001,
            natGatewayPerGb: 0,
            regionalNatGatewayHourly: 0.0001,
            regionalNatGatewayPerGb: 0,
          },
        },
      },
      'p.json',
    );
    const prices = resolvePrices('us-east-1', { overrides }).prices;
    const result = recommend(egressOptions({ azs: 2, spares: 0, egressGb: 100 }, prices), 'egress');
    expect(result.strategy).toBe('nat-gateway-per-az');
    expect(result.alternative).toBe('nat-gateway-single');
    expect(result.reason).toContain('NAT gateway, single would save only $2.72');
  });

  it('for ingress, picks the cheaper option and says what the other offers', () => {
    const small = recommend(ingressOptions({ azs: 2, ingressGb: 0 }, east), 'ingress');
    expect(small.strategy).toBe('global-accelerator-alb');
    expect(small.reason).toContain('NLB with pool IPs');
    const large = recommend(ingressOptions({ azs: 2, ingressGb: 10_000 }, east), 'ingress');
    expect(large.strategy).toBe('nlb-pool-ips-alb');
  });

  it('never recommends going without a static IP, nor IPv6 in place of IPv4, whatever the prices and inputs (property)', () => {
    const price = fc.double({ min: 0, max: 1, noNaN: true });
    const prices = fc.record(
      Object.fromEntries(PRICE_KEYS.map((key) => [key, price])) as Record<string, typeof price>,
    );
    fc.assert(
      fc.property(
        prices,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 10 }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (figures, azs, spares, egressGb) => {
          // Ratios (GB per LCU-hour) must be positive for the ALB formula; keep them realistic.
          const regionFigures = { ...figures, albLambdaGbPerLcuHour: 0.4, nlbGbPerNlcuHour: 1 };
          const overrides = parsePriceOverrides({ regions: { 'us-east-1': regionFigures } }, 'p.json');
          const resolved = resolvePrices('us-east-1', { overrides }).prices;
          const result = recommend(egressOptions({ azs, spares, egressGb }, resolved), 'egress');
          // IPv6 costs $0 and so is always cheapest, but cannot reach IPv4-only destinations.
          for (const excluded of ['no-static-ip', 'ipv6-dual-stack']) {
            expect(result.strategy).not.toBe(excluded);
            expect(result.alternative).not.toBe(excluded);
          }
        },
      ),
    );
  });
});
