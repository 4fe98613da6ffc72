import { describe, expect, it } from 'vitest';
import { runBinary } from '../support/cli.js';

describe('demo', () => {
  it('binds a pool, survives idle reclaim and scale-out with the same allow-list and no downtime', async () => {
    const run = await runBinary(['demo', '--json'], { timeoutMs: 120_000 });
    expect(run.code).toBe(0);
    const result = run.json<{
      allowList: string[];
      allowListAfterChurn: string[];
      downtimeMs: Record<string, number>;
    }>();
    expect(result.allowList).toHaveLength(5);
    expect(result.allowListAfterChurn).toEqual(result.allowList);
    expect(Object.values(result.downtimeMs)).toEqual([0, 0, 0]);
    expect(run.stderr).toContain('idle');
  });
});
