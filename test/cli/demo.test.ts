import { describe, expect, it } from 'vitest';
import { runBinary } from '../support/cli.js';

interface DemoJson {
  allowList: string[];
  allowListAfterChurn: string[];
  steps: { title: string; egress: Record<string, string[]>; enis: Record<string, string[]> }[];
  downtimeMs: Record<string, number>;
  controllerRuns: number;
}

describe('demo', () => {
  it('keeps every ENI bound through the real controller: same allow-list, every egress IP in it, no downtime', async () => {
    const run = await runBinary(['demo', '--json'], { timeoutMs: 120_000 });
    expect(run.code).toBe(0);
    const result = run.json<DemoJson>();
    const allowList = new Set(result.allowList);
    expect(allowList.size).toBe(5);
    expect(new Set(result.allowListAfterChurn)).toEqual(allowList);

    // Nothing but the controller bound an IP, on its schedule, while Lambda took 90 s per new ENI.
    expect(result.controllerRuns).toBeGreaterThan(0);
    expect(result.downtimeMs).toEqual({ checkout: 0, payments: 0, reports: 0 });
    const [bound, reclaimed, scaled] = result.steps;
    for (const step of result.steps) {
      for (const ips of Object.values(step.egress)) {
        for (const ip of ips) expect(result.allowList).toContain(ip);
      }
    }
    // Idle reclaim: new ENIs, bound again with the IPs the subnets had.
    expect(reclaimed?.enis.reports?.some((eni) => bound?.enis.reports?.includes(eni))).toBe(false);
    expect(new Set(reclaimed?.egress.reports)).toEqual(new Set(bound?.egress.reports));
    // Scale-out: a third ENI for checkout, bound from the spare.
    expect(scaled?.enis.checkout).toHaveLength(3);
    expect(new Set(Object.values(scaled?.egress ?? {}).flat()).size).toBe(5);
    expect(run.stderr).toContain('idle');
  });
});
