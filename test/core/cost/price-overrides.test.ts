import { describe, expect, it } from 'vitest';
import { parsePriceOverrides, resolvePrices } from '../../../src/core/cost/price-overrides.js';
import { PRICE_KEYS, PRICES } from '../../../src/core/cost/prices.js';
import { InputError } from '../../../src/core/errors.js';

function errorOf(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parsePriceOverrides', () => {
  it('accepts numbers and { value, source } figures', () => {
    const overrides = parsePriceOverrides(
      {
        asOf: '2026-12-01',
        regions: {
          'us-east-1': { natGatewayHourly: 0.05, publicIpv4Hourly: { value: 0.004, source: 'EDP' } },
        },
      },
      'p.json',
    );
    expect(overrides).toEqual({
      asOf: '2026-12-01',
      regions: {
        'us-east-1': { natGatewayHourly: { value: 0.05 }, publicIpv4Hourly: { value: 0.004, source: 'EDP' } },
      },
    });
  });

  it('names an unknown figure and lists the known ones', () => {
    const error = errorOf(() =>
      parsePriceOverrides({ regions: { 'us-east-1': { natGatewayHourley: 0.05 } } }, 'p.json'),
    );
    expect(error.code).toBe('InvalidPricesFile');
    expect(error.message).toContain('p.json');
    expect(error.message).toContain('regions.us-east-1.natGatewayHourley');
    expect(error.message).toContain('natGatewayHourly');
  });

  it('names a bad value, its key and the fix', () => {
    const error = errorOf(() =>
      parsePriceOverrides({ regions: { 'eu-west-1': { albHourly: -1 } } }, 'p.json'),
    );
    expect(error.message).toContain('regions.eu-west-1.albHourly');
    expect(error.message).toContain('got -1');
    expect(error.message).toContain('must be a number ≥ 0');
    const text = errorOf(() =>
      parsePriceOverrides({ regions: { 'eu-west-1': { albHourly: 'cheap' } } }, 'p.json'),
    );
    expect(text.message).toContain('got "cheap"');
  });

  it('rejects a Region key that is not a Region name, and a bad date', () => {
    expect(errorOf(() => parsePriceOverrides({ regions: { US: {} } }, 'p.json')).message).toContain('"US"');
    expect(errorOf(() => parsePriceOverrides({ asOf: 'today', regions: {} }, 'p.json')).message).toContain(
      'asOf must be a date',
    );
    expect(errorOf(() => parsePriceOverrides([], 'p.json')).message).toContain('JSON object');
    expect(errorOf(() => parsePriceOverrides({ region: {} }, 'p.json')).message).toContain('"region"');
  });
});

describe('resolvePrices', () => {
  it('gives the built-in figures when nothing overrides them', () => {
    const resolved = resolvePrices('eu-central-1');
    expect(resolved.prices).toEqual(PRICES.regions['eu-central-1']);
    expect(resolved.asOf).toBe(PRICES.asOf);
    expect(resolved.overridden).toEqual([]);
  });

  it('replaces only the overridden figures, and says where they came from', () => {
    const overrides = parsePriceOverrides({ regions: { 'us-east-1': { natGatewayHourly: 0.05 } } }, 'p.json');
    const resolved = resolvePrices('us-east-1', { overrides, origin: 'p.json' });
    expect(resolved.prices.natGatewayHourly).toMatchObject({ value: 0.05, source: '--prices p.json' });
    expect(resolved.prices.natGatewayPerGb).toEqual(PRICES.regions['us-east-1']?.natGatewayPerGb);
    expect(resolved.overridden).toEqual(['natGatewayHourly']);
  });

  it('names the known Regions for an unknown one without a prices file', () => {
    const error = errorOf(() => resolvePrices('mars-north-1'));
    expect(error.code).toBe('UnknownRegion');
    expect(error.message).toContain('mars-north-1');
    expect(error.message).toContain('us-east-1, us-west-2');
    expect(error.message).toContain('--prices');
  });

  it('prices a new Region from a file that gives every figure, and lists what a partial one misses', () => {
    const all = Object.fromEntries(PRICE_KEYS.map((key) => [key, 1]));
    const full = parsePriceOverrides({ asOf: '2027-01-01', regions: { 'me-central-1': all } }, 'p.json');
    const resolved = resolvePrices('me-central-1', { overrides: full, origin: 'p.json' });
    expect(resolved.asOf).toBe('2027-01-01');
    expect(resolved.prices.albHourly.value).toBe(1);

    const partial = parsePriceOverrides({ regions: { 'me-central-1': { albHourly: 1 } } }, 'p.json');
    const error = errorOf(() => resolvePrices('me-central-1', { overrides: partial, origin: 'p.json' }));
    expect(error.message).toContain('missing: publicIpv4Hourly');
  });
});
