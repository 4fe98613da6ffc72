import { describe, expect, it } from 'vitest';
import { buildCostReport, costDocument, validateCostInputs } from '../../../src/core/cost/cost-report.js';
import { formatUsd, roundCents } from '../../../src/core/cost/money.js';
import { resolvePrices } from '../../../src/core/cost/price-overrides.js';
import { InputError } from '../../../src/core/errors.js';

const issueCase = { azs: 2, spares: 0, egressGb: 100, ingressGb: 0 };

describe('validateCostInputs', () => {
  it.each([
    [{ ...issueCase, azs: 0 }, 'azs must be a whole number from 1 to 6, got 0'],
    [{ ...issueCase, azs: 7 }, 'got 7'],
    [{ ...issueCase, azs: 1.5 }, 'got 1.5'],
    [{ ...issueCase, spares: -1 }, 'spares must be a whole number, 0 or more, got -1'],
    [{ ...issueCase, egressGb: -5 }, 'egressGb must be a number of GB from 0 to 1000000000, got -5'],
    [{ ...issueCase, ingressGb: Number.NaN }, 'ingressGb must be a number of GB'],
  ])('rejects %o, naming the value', (inputs, message) => {
    expect(() => validateCostInputs(inputs)).toThrow(InputError);
    expect(() => validateCostInputs(inputs)).toThrow(message);
  });
});

describe('money', () => {
  it('rounds half up to the cent, after clearing float noise', () => {
    expect(roundCents(0.0225 * 730 + 0.025 * 730)).toBe(34.68);
    expect(roundCents(0.045 * 730)).toBe(32.85);
    expect(formatUsd(1234.5)).toBe('$1,234.50');
  });
});

describe('buildCostReport and costDocument', () => {
  const report = buildCostReport(issueCase, resolvePrices('us-east-1'));
  const document = costDocument(report) as {
    region: string;
    pricesAsOf: string;
    inputs: Record<string, number>;
    dataTransferOut: { monthlyUsd: number; note: string };
    options: {
      strategy: string;
      direction: string;
      monthlyFixedUsd: number;
      monthlyTotalUsd: number;
      notes: string[];
    }[];
    breakEven: { kind: string }[];
    recommendation: { egress: { strategy: string }; ingress: { strategy: string } };
    prices: Record<string, { value: number; source: string }>;
  };

  it('reports the Region, the date of the prices and the inputs', () => {
    expect(document.region).toBe('us-east-1');
    expect(document.pricesAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(document.inputs).toMatchObject({ ...issueCase, hoursPerMonth: 730, hyperplaneIps: 2 });
  });

  it('holds every option with money rounded to cents: the issue’s $73.00 and $7.30', () => {
    const fixed = Object.fromEntries(
      document.options.map((option) => [option.strategy, option.monthlyFixedUsd]),
    );
    expect(fixed['nat-gateway-per-az']).toBe(73);
    expect(fixed['hyperplane-eip']).toBe(7.3);
    expect(fixed['global-accelerator-alb']).toBe(34.68);
    expect(document.options.filter((option) => option.direction === 'ingress')).toHaveLength(2);
    for (const option of document.options) expect(option.notes.length).toBeGreaterThan(0);
  });

  it('shows data transfer out once, apart from the options', () => {
    expect(document.dataTransferOut.monthlyUsd).toBe(0);
    expect(document.dataTransferOut.note).toContain('shown once');
    const withTraffic = buildCostReport({ ...issueCase, egressGb: 1000 }, resolvePrices('us-east-1'));
    expect(withTraffic.dataTransferOut.monthlyUsd).toBeCloseTo(81, 10);
    const hyperplane = withTraffic.options.find((option) => option.strategy === 'hyperplane-eip');
    expect(hyperplane?.monthlyTotalUsd).toBeCloseTo(7.3, 10); // no data transfer out inside
  });

  it('carries break-evens, a recommendation per direction, and every price with its source', () => {
    expect(document.breakEven.length).toBeGreaterThan(0);
    expect(document.recommendation.egress.strategy).toBe('hyperplane-eip');
    expect(document.recommendation.ingress.strategy).toBe('global-accelerator-alb');
    expect(document.prices.natGatewayHourly?.value).toBe(0.045);
    expect(document.prices.natGatewayHourly?.source).toContain('https://');
  });
});
