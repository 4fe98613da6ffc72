import { describe, expect, it } from 'vitest';
import { type CliRun, runBinary } from '../support/cli.js';
import { useLocalAws } from '../support/local-aws.js';
import { buildSafetyWorld, POOL, readState, violations } from '../support/safety-world.js';

const localAws = useLocalAws({ eipQuota: 40 });

interface ApplyReport {
  applied: Array<{ kind: string; allocationId: string; networkInterfaceId: string | null }>;
  failed: Array<{ kind: string; code: string; race: boolean }>;
  converged: boolean;
}

describe('concurrent runs', () => {
  it('four applies at once: every ENI ends with one pool IP, no binding undone, no crash, bounded allocation', async () => {
    const world = await buildSafetyWorld(localAws(), { newFunctions: 2 });
    const maxIps = 12;
    const env = { AWS_ENDPOINT_URL: localAws().endpoint };
    const args = ['apply', '--pool', POOL, '--allocate', '--max-ips', String(maxIps), '--yes', '--json'];
    const runs: CliRun[] = await Promise.all([1, 2, 3, 4].map(() => runBinary(args, { env })));
    const after = await readState(localAws());
    const context = runs.map((run) => `exit ${run.code}: ${run.stderr}`).join('\n---\n');

    expect(violations(world, after), context).toEqual([]);
    for (const run of runs) {
      // No crash: a clean exit code and one JSON report, whoever won each race.
      expect(run.code, context).toBe(0);
      expect(run.stderr, context).not.toMatch(/TypeError|ReferenceError|\n\s+at /);
      expect(run.json<ApplyReport>().converged).toBe(true);
    }
    for (const eni of world.poolEnis())
      expect(after.poolIpsByEni.get(eni), `${eni}\n${context}`).toHaveLength(1);
    // Every binding any run made still holds: no run displaced another's IP.
    for (const run of runs) {
      for (const done of run.json<ApplyReport>().applied) {
        if (!done.networkInterfaceId) continue;
        expect(after.poolIpsByEni.get(done.networkInterfaceId), context).toEqual([done.allocationId]);
      }
    }
    // Allocation can race (each run may allocate before seeing another's), but never past --max-ips,
    // and what was allocated beyond need is left free, in the pool, as a spare.
    expect(after.poolAddresses.length).toBeLessThanOrEqual(maxIps);
    const free = after.poolAddresses.filter((address) => !address.AssociationId).length;
    expect(after.poolAddresses.length - free).toBe(world.poolEnis().length);
    const plan = await runBinary(['plan', '--pool', POOL, '--spares', String(free), '--json'], { env });
    expect(plan.json<{ spares: { available: number } }>().spares.available).toBe(free);
  });

  it('a run killed right after its first binding: the next run converges with no extra allocation', async () => {
    const world = await buildSafetyWorld(localAws(), { moveAndFree: false, newFunctions: 4 });
    const needing = world.poolEnis().filter((eni) => !world.before.poolIpsByEni.has(eni)).length;
    expect(needing).toBeGreaterThanOrEqual(3);

    const killed = await runBinary(['apply', '--pool', POOL, '--allocate', '--yes'], {
      env: { AWS_ENDPOINT_URL: localAws().endpoint },
      onStderr: (stderr, child) => {
        if (stderr.includes('done:')) child.kill('SIGKILL');
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const between = await readState(localAws());
    expect(violations(world, between)).toEqual([]);

    const next = await runBinary(['apply', '--pool', POOL, '--allocate', '--yes', '--json'], {
      env: { AWS_ENDPOINT_URL: localAws().endpoint },
    });
    expect(next.code, next.stderr).toBe(0);
    const after = await readState(localAws());
    expect(violations(world, after)).toEqual([]);
    for (const eni of world.poolEnis()) expect(after.poolIpsByEni.get(eni)).toHaveLength(1);
    // One uninterrupted run allocates one address per ENI that needs one; so do the two together.
    expect(after.poolAddresses.length - world.before.poolAddresses.length).toBe(needing);
  });
});
