import { describe, expect, it } from 'vitest';
import { knownRegions, PRICE_KEYS, PRICES } from '../../../src/core/cost/prices.js';

describe('the built-in price table', () => {
  it('is dated and covers us-east-1 and at least four other Regions', () => {
    expect(PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(knownRegions()).toContain('us-east-1');
    expect(knownRegions().length).toBeGreaterThanOrEqual(5);
  });

  it('gives every figure, with a unit and a source, in every Region', () => {
    for (const region of knownRegions()) {
      const prices = PRICES.regions[region];
      for (const key of PRICE_KEYS) {
        const figure = prices?.[key];
        expect(figure, `${region}.${key}`).toBeDefined();
        expect(figure?.value, `${region}.${key}`).toBeGreaterThanOrEqual(0);
        expect(figure?.unit, `${region}.${key}`).not.toBe('');
        expect(figure?.source, `${region}.${key}`).toContain('https://aws.amazon.com/');
      }
    }
  });

  it('holds the figures the issue and the AWS facts state', () => {
    const east = PRICES.regions['us-east-1'];
    expect(east?.publicIpv4Hourly.value).toBe(0.005);
    expect(east?.natGatewayHourly.value).toBe(0.045);
    expect(east?.natGatewayPerGb.value).toBe(0.045);
    expect(east?.natInstanceHourly.value).toBe(0.0042);
    expect(east?.globalAcceleratorHourly.value).toBe(0.025);
    expect(east?.albHourly.value).toBe(0.0225);
    expect(east?.albLcuHourly.value).toBe(0.008);
    expect(east?.nlbNlcuHourly.value).toBe(0.006);
    expect(PRICES.regions['ap-southeast-1']?.natGatewayHourly.value).toBe(0.059);
    expect(PRICES.regions['ap-southeast-1']?.natGatewayPerGb.value).toBe(0.059);
  });

  it('prices a public IPv4 address the same everywhere', () => {
    for (const region of knownRegions()) expect(PRICES.regions[region]?.publicIpv4Hourly.value).toBe(0.005);
  });
});
