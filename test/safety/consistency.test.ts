import { afterEach, describe, expect, it } from 'vitest';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { useLocalAws } from '../support/local-aws.js';
import { buildSafetyWorld, POOL, readState, violations } from '../support/safety-world.js';

const localAws = useLocalAws({ eipQuota: 40 });
afterEach(async () => {
  await localAws().configure({ consistency: {} });
});

function apply() {
  return runCliInProcess(['apply', '--pool', POOL, '--allocate', '--yes', '--json'], {
    clientOptions: localAws().clientOptions(),
  });
}

describe('eventual consistency', () => {
  it('an address EC2 does not know yet right after allocating it: bound when it shows, never allocated twice', async () => {
    const world = await buildSafetyWorld(localAws(), { moveAndFree: false, newFunctions: 2 });
    const needing = world.poolEnis().filter((eni) => !world.before.poolIpsByEni.has(eni));
    // Longer than one bind's retries last: the next round must still know the address is ours.
    await localAws().configure({ consistency: { newAddressCalls: 7 } });
    const run = await apply();
    expect(run.code, run.stderr).toBe(0);
    const after = await readState(localAws());
    expect(violations(world, after)).toEqual([]);
    for (const eni of world.poolEnis()) expect(after.poolIpsByEni.get(eni), eni).toHaveLength(1);
    expect(after.poolAddresses.length - world.before.poolAddresses.length).toBe(needing.length);
    const failed = run.json<{ failed: Array<{ code: string; endState: string }> }>().failed;
    expect(failed.map((failure) => failure.code)).toContain('InvalidAllocationID.NotFound');
    expect(failed.every((failure) => failure.endState === 'bound')).toBe(true);
  });

  it('an ENI describes do not show yet: nothing is allocated for it early, and a later run binds it once', async () => {
    const world = await buildSafetyWorld(localAws(), { moveAndFree: false, newFunctions: 0 });
    // Invisible to the first apply's describe and to the check below; the calls are counted, not timed.
    await localAws().configure({ consistency: { newEniCalls: 2 } });
    const [pub1] = world.sim.enis().map((eni) => eni.subnetId);
    const groups = world.sim.describe('checkout').config.securityGroupIds;
    await world.sim.createFunction({
      name: 'late',
      subnetIds: [pub1 as string],
      securityGroupIds: [...groups, ...world.sim.describe('reports').config.securityGroupIds],
      tags: { [POOL_TAG_KEY]: POOL },
    });
    const hidden = world.poolEnis().filter((eni) => !world.before.poolIpsByEni.has(eni));
    expect(hidden).toHaveLength(1);

    const early = await apply();
    expect(early.code, early.stderr).toBe(0);
    const ids = (state: { poolAddresses: ReadonlyArray<{ AllocationId?: string }> }) =>
      state.poolAddresses.map((address) => address.AllocationId).sort();
    expect(ids(await readState(localAws()))).toEqual(ids(world.before));

    const later = await apply();
    expect(later.code, later.stderr).toBe(0);
    const after = await readState(localAws());
    expect(after.poolIpsByEni.get(hidden[0] as string)).toHaveLength(1);
    expect(after.poolAddresses.length - world.before.poolAddresses.length).toBe(1);
    expect(violations(world, after)).toEqual([]);
  });
});
