import { AllocateAddressCommand, AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { type ApplyDocument, POOL, useEgressWorld } from '../support/egress-world.js';

const world = useEgressWorld();
/** Carriage return and "erase line": how a live progress line is redrawn and cleared. */
const CLEAR = '\r\u001b[2K';

interface ErrorDocument {
  error: { code: string; message: string; exitCode: number };
}
const { cli, addresses, createPoolFunctions } = world;

describe('apply', () => {
  it('binds every ENI of the pool on the first run and changes nothing on the second', async () => {
    await createPoolFunctions();
    const apply = ['apply', '--pool', POOL, '--function', 'reports', '--allocate', '--yes', '--json'];
    const first = await cli(apply);
    expect(first.code).toBe(0);
    const document = first.json<ApplyDocument>();
    expect(document.actions).toHaveLength(3);
    for (const action of document.actions) {
      expect(action).toMatchObject({ kind: 'allocate', allocationId: null, publicIp: null });
      expect(action.networkInterfaceId).toMatch(/^eni-/);
      expect(action.subnetId).toMatch(/^subnet-/);
    }
    expect(document.applied).toHaveLength(3);
    expect(document.converged).toBe(true);
    expect(document).not.toHaveProperty('error');
    // No terminal: no live progress line, each phase once as a plain line, each change logged.
    expect(first.stderr).not.toContain(CLEAR);
    expect(first.stderr.split('\n').filter((line) => line.endsWith('...'))).toEqual([
      `observing pool "${POOL}"...`,
      `applying pool "${POOL}"...`,
      `pool "${POOL}": verifying the result...`,
    ]);
    expect(first.stderr.match(/^ {2}done: allocate a new pool IP/gm)).toHaveLength(3);
    const pool = (await addresses()).filter((a) =>
      a.Tags?.some((t) => t.Key === POOL_TAG_KEY && t.Value === POOL),
    );
    // Three addresses, one on each ENI the plan named: as sets, not counts.
    expect(new Set(pool.map((a) => a.NetworkInterfaceId))).toEqual(
      new Set(document.actions.map((action) => action.networkInterfaceId)),
    );
    expect(pool).toHaveLength(3);

    const second = await cli(apply);
    expect(second.code).toBe(0);
    expect(second.json<ApplyDocument>()).toMatchObject({ actions: [], applied: [], converged: true });
    expect(second.json<ApplyDocument>().unchanged).toHaveLength(3);
    // The same addresses: nothing allocated, nothing released.
    expect((await addresses()).map((a) => a.AllocationId).sort()).toEqual(
      pool.map((a) => a.AllocationId).sort(),
    );
  });

  it('gives replacement ENIs the same IPs without allocating (idle reclaim)', async () => {
    await createPoolFunctions();
    await cli(['apply', '--pool', POOL, '--allocate', '--yes']);
    const before = (await cli(['ips', '--pool', POOL])).stdout;
    const oldEnis = world.sim().describe('checkout').servingEniIds;

    await world.sim().idleReclaim('checkout');
    await world.sim().idleReclaim('payments');
    await world.sim().invoke('checkout');
    await world.sim().invoke('payments');
    await world.sim().advance(90_000);
    expect(
      world
        .sim()
        .describe('checkout')
        .servingEniIds.some((id) => oldEnis.includes(id)),
    ).toBe(false);

    const run = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(run.code).toBe(0);
    const document = run.json<ApplyDocument>();
    expect(document.applied.map((a) => a.kind)).toEqual(['associate', 'associate']);
    expect((await cli(['ips', '--pool', POOL])).stdout).toBe(before);
    const egress = await world.sim().invoke('checkout');
    expect(egress.ok && egress.egressIps.every((ip) => ip && before.includes(ip))).toBe(true);
  });

  it('binds a scale-out ENI only with --allocate when the pool has no free IP, binding what it can meanwhile', async () => {
    await createPoolFunctions();
    await cli(['apply', '--pool', POOL, '--allocate', '--yes']);
    await world.sim().scaleOut('checkout');

    const without = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(without.code).toBe(1);
    expect(without.json<ApplyDocument>().problems.filter((p) => p.code === 'PoolExhausted')).toHaveLength(2);
    expect(without.stderr).toContain('PoolExhausted');
    // A failing run's document says so in `error`, with the problem's stable code, as any failure does.
    expect(without.json<ApplyDocument & ErrorDocument>().error).toMatchObject({
      code: 'PoolExhausted',
      message: expect.stringMatching(/has no Elastic IP.*\(and 1 more in "problems"\)$/),
      exitCode: 1,
    });

    const withAllocate = await cli([
      'apply',
      '--pool',
      POOL,
      '--allocate',
      '--max-ips',
      '3',
      '--yes',
      '--json',
    ]);
    expect(withAllocate.code).toBe(1);
    const document = withAllocate.json<ApplyDocument>();
    expect(document.applied).toHaveLength(1);
    expect(document.problems.find((p) => p.code === 'PoolExhausted')?.message).toContain('--max-ips 3');

    const raised = await cli(['apply', '--pool', POOL, '--allocate', '--yes', '--json']);
    expect(raised.code).toBe(0);
    expect(raised.json<ApplyDocument>().unchanged).toHaveLength(4);
  });

  it('never uses an untagged or other-pool IP, and reports an ENI that holds one', async () => {
    await createPoolFunctions();
    const untagged = await world.clients().ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await world.clients().ec2.send(
      new AllocateAddressCommand({
        Domain: 'vpc',
        TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: POOL_TAG_KEY, Value: 'other' }] }],
      }),
    );
    const [first] = world.sim().describe('checkout').servingEniIds;
    await world.clients().ec2.send(
      new AssociateAddressCommand({
        AllocationId: untagged.AllocationId,
        NetworkInterfaceId: first,
        AllowReassociation: false,
      }),
    );

    const run = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(run.code).toBe(1);
    const document = run.json<ApplyDocument>();
    expect(document.applied).toEqual([]);
    expect(document.problems.map((p) => p.code).sort()).toEqual([
      'ForeignAddress',
      'PoolExhausted',
      'SharedEni',
    ]);
    const other = (await addresses()).find((a) => a.Tags?.some((t) => t.Value === 'other'));
    expect(other?.AssociationId).toBeUndefined();
    expect(
      (await addresses()).find((a) => a.AllocationId === untagged.AllocationId)?.NetworkInterfaceId,
    ).toBe(first);
  });

  it('names the functions outside the pool that share a bound ENI, in plan and status', async () => {
    await createPoolFunctions();
    await cli(['apply', '--pool', POOL, '--allocate', '--yes']);
    const status = await cli(['status', '--pool', POOL]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('payments (not in pool)');
    expect(status.stdout).toContain('SharedEni');
    const plan = await cli(['plan', '--pool', POOL, '--json']);
    const shared = plan.json<ApplyDocument>().problems.filter((p) => p.code === 'SharedEni');
    expect(shared.map((p) => p.functions)).toEqual([['payments'], ['payments']]);
  });

  it('shows live progress on a terminal (stderr), with counts, and clears it before the result', async () => {
    await createPoolFunctions();
    const run = await runCliInProcess(['apply', '--pool', POOL, '--allocate', '--yes'], {
      clientOptions: world.localAws().clientOptions(),
      io: { stderrIsTty: true, stderrColumns: 120 },
    });
    expect(run.code).toBe(0);
    const redraws = run.stderr.split(CLEAR);
    expect(redraws).toContain(`⠋ observing pool "${POOL}" (0s)`);
    for (const counts of ['0/2', '2/2']) {
      expect(redraws).toContainEqual(
        expect.stringMatching(new RegExp(`^\\S applying pool "${POOL}": ${counts} \\(\\d+s\\)$`)),
      );
    }
    // Each change is still a line of its own, printed above the live line, which is gone at the end.
    expect(run.stderr.match(/ {2}done: allocate a new pool IP.*\n/g)).toHaveLength(2);
    expect(run.stderr.endsWith(CLEAR)).toBe(true);
    expect(run.stdout).toContain('Converged');
  });

  it('refuses to bind ENIs in a private subnet and exits 1 with SubnetNotPublic', async () => {
    await world.sim().createFunction({
      name: 'internal',
      subnetIds: world.vpc().privateSubnetIds,
      securityGroupIds: [world.vpc().securityGroupIds[0] as string],
      tags: { [POOL_TAG_KEY]: POOL },
    });
    await world.sim().advance(90_000);
    const run = await cli(['apply', '--pool', POOL, '--allocate', '--yes', '--json']);
    expect(run.code).toBe(1);
    const document = run.json<ApplyDocument>();
    expect(document.actions).toEqual([]);
    expect(document.problems.filter((p) => p.code === 'SubnetNotPublic')).toHaveLength(2);
    expect(await addresses()).toHaveLength(0);
  });
});
