import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataTransferOut } from '../../../src/core/cost/data-transfer-out.js';
import { resolvePrices } from '../../../src/core/cost/price-overrides.js';

const east = resolvePrices('us-east-1').prices;
const singapore = resolvePrices('ap-southeast-1').prices;

describe('dataTransferOut', () => {
  it('is free up to the 100 GB allowance', () => {
    expect(dataTransferOut(0, east)).toEqual({ gb: 0, freeGb: 100, billableGb: 0, monthlyUsd: 0 });
    expect(dataTransferOut(100, east).monthlyUsd).toBe(0);
  });

  it('charges $0.09/GB after the allowance: 1,000 GB → (1,000 − 100) × 0.09 = $81.00', () => {
    const dto = dataTransferOut(1000, east);
    expect(dto.billableGb).toBe(900);
    expect(dto.monthlyUsd).toBeCloseTo(81, 10);
  });

  it('steps down a tier after 10 TB: 20,000 GB → 10,140 × 0.09 + 9,760 × 0.085 = $1,742.20', () => {
    expect(dataTransferOut(20_000, east).monthlyUsd).toBeCloseTo(10_140 * 0.09 + 9_760 * 0.085, 8);
    expect(dataTransferOut(20_000, east).monthlyUsd).toBeCloseTo(1742.2, 8);
  });

  it('uses every tier above 150 TB', () => {
    const gb = 200_000;
    const expected = 10_140 * 0.09 + 40 * 1024 * 0.085 + 100 * 1024 * 0.07 + (gb - 150 * 1024) * 0.05;
    expect(dataTransferOut(gb, east).monthlyUsd).toBeCloseTo(expected, 6);
  });

  it('uses the Region’s own rates', () => {
    expect(dataTransferOut(1100, singapore).monthlyUsd).toBeCloseTo(1000 * 0.12, 10);
  });

  it('never decreases as traffic grows (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (gb, more) => {
          expect(dataTransferOut(gb + more, east).monthlyUsd).toBeGreaterThanOrEqual(
            dataTransferOut(gb, east).monthlyUsd - 1e-9,
          );
        },
      ),
    );
  });
});
