import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { createControllerHandler, type EventRunResponse } from '../../src/handlers/controller.js';
import { lambdaContext } from '../../testbed/index.js';
import { allocateAddress } from '../support/addresses.js';
import { type CliRun, runBinary } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { useLocalAws } from '../support/local-aws.js';
import {
  buildSafetyWorld,
  type EndState,
  POOL,
  readState,
  type SafetyWorld,
  violations,
} from '../support/safety-world.js';

const localAws = useLocalAws({ eipQuota: 40 });
afterEach(async () => {
  await localAws().configure({ staleReads: {} });
});

/**
 * EC2 is eventually consistent (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html):
 * each DescribeAddresses and DescribeNetworkInterfaces below answers association state up to this old,
 * drawn from the seed. A run's own observation, its check before binding and its final look may each
 * miss what another run (or itself) just did.
 */
const STALE_READS = { maxMs: 500 } as const;

/** One invocation of the in-account controller from its schedule, as Lambda would run it. */
function controllerRun(maxIps: number, id: string): Promise<EventRunResponse> {
  const handler = createControllerHandler({
    clients: localAws().clients(),
    environment: { LSI_POOL: POOL, LSI_ALLOCATE: 'true', LSI_MAX_IPS: String(maxIps) },
    log: () => {},
  });
  const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {}, resources: [] };
  return handler(scheduled, lambdaContext({ requestId: id })) as Promise<EventRunResponse>;
}

/** What must hold after any number of concurrent runs, stale reads or not. */
async function expectSafeAndConverged(
  world: SafetyWorld,
  maxIps: number,
  context: string,
): Promise<EndState> {
  const after = await readState(localAws());
  // No serving ENI's IP taken, displaced or changed (from the association log), nothing released.
  expect(violations(world, after), context).toEqual([]);
  // Every pool ENI ends with exactly one pool IP.
  for (const eni of world.poolEnis())
    expect(after.poolIpsByEni.get(eni), `${eni}\n${context}`).toHaveLength(1);
  // Allocation can race (each run may allocate before it sees another's), never past --max-ips, and what
  // was allocated beyond need is left free, in the pool, as a spare.
  expect(after.poolAddresses.length).toBeLessThanOrEqual(maxIps);
  const free = after.poolAddresses.filter((address) => !address.AssociationId).length;
  expect(after.poolAddresses.length - free).toBe(world.poolEnis().length);
  return after;
}

/** Allocations one run reports: never two for the same ENI. */
function allocationsByEni(applied: ApplyReport['applied']): number[] {
  const counts = new Map<string, number>();
  for (const done of applied) {
    if (done.kind === 'allocate' && done.networkInterfaceId)
      counts.set(done.networkInterfaceId, (counts.get(done.networkInterfaceId) ?? 0) + 1);
  }
  return [...counts.values()];
}

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

  it('four applies and the controller at once, under stale reads: no serving IP taken, one IP per ENI, nothing released', async () => {
    const world = await buildSafetyWorld(localAws(), { newFunctions: 2 });
    const maxIps = 12;
    const env = { AWS_ENDPOINT_URL: localAws().endpoint };
    const args = ['apply', '--pool', POOL, '--allocate', '--max-ips', String(maxIps), '--yes', '--json'];
    await localAws().configure({ staleReads: { ...STALE_READS, seed: 7 } });
    const [runs, controller] = await Promise.all([
      Promise.all([1, 2, 3, 4].map(() => runBinary(args, { env }))),
      controllerRun(maxIps, 'stale-1'),
    ]);
    const { staleAnswers } = await localAws().associations();
    await localAws().configure({ staleReads: {} });
    const context = runs.map((run) => `exit ${run.code}: ${run.stderr}`).join('\n---\n');

    // The runs did see old state: the guarantees below were kept under stale reads, not around them.
    expect(staleAnswers).toBeGreaterThan(0);
    await expectSafeAndConverged(world, maxIps, context);
    for (const run of runs) {
      expect(run.code, context).toBe(0);
      expect(run.json<ApplyReport>().converged).toBe(true);
      expect(allocationsByEni(run.json<ApplyReport>().applied).every((count) => count === 1)).toBe(true);
    }
    expect(controller.converged).toBe(true);
  });

  it('eight runs at once, CLI and controller mixed, under stale reads: the same guarantees; and the checks can fail', async () => {
    const world = await buildSafetyWorld(localAws(), { newFunctions: 3 });
    const maxIps = 20;
    const args = ['apply', '--pool', POOL, '--allocate', '--max-ips', String(maxIps), '--yes', '--json'];
    await localAws().configure({ staleReads: { ...STALE_READS, seed: 11 } });
    const [applies, controllers] = await Promise.all([
      Promise.all(
        Array.from({ length: 6 }, () => runCliInProcess(args, { clientOptions: localAws().clientOptions() })),
      ),
      Promise.all([controllerRun(maxIps, 'stale-a'), controllerRun(maxIps, 'stale-b')]),
    ]);
    const { staleAnswers } = await localAws().associations();
    await localAws().configure({ staleReads: {} });
    expect(staleAnswers).toBeGreaterThan(0);
    const context = applies.map((run) => `exit ${run.code}: ${run.stderr}`).join('\n---\n');

    await expectSafeAndConverged(world, maxIps, context);
    for (const run of applies) {
      expect(run.code, context).toBe(0);
      expect(allocationsByEni(run.json<ApplyReport>().applied).every((count) => count === 1)).toBe(true);
    }
    for (const controller of controllers) expect(controller.converged).toBe(true);

    // The same checks catch what the product must never do: a second pool IP bound to a serving ENI
    // (EC2 displaces the first, so the end state still shows one IP per ENI; the log shows the change).
    const spare = await allocateAddress(localAws().clients().ec2, { [POOL_TAG_KEY]: POOL });
    const serving = [...world.serving.keys()][0] as string;
    await localAws()
      .clients()
      .ec2.send(
        new AssociateAddressCommand({
          AllocationId: spare.id,
          NetworkInterfaceId: serving,
          AllowReassociation: false,
        }),
      );
    expect((await readState(localAws())).poolIpsByEni.get(serving)).toEqual([spare.id]);
    const broken = violations(world, await readState(localAws()));
    expect(broken).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`displaced from ${serving}`))]),
    );
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
