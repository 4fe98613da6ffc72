import { ListRolesCommand } from '@aws-sdk/client-iam';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { createIamClient } from '../../src/aws/clients.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { createVpcFixture } from '../../testbed/index.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { POOL, useEgressWorld } from '../support/egress-world.js';

const world = useEgressWorld();
const { cli, addresses, sim, vpc } = world;
const SWITCH = 90_000;

interface ErrorDocument {
  error: { code: string; message: string; exitCode: number };
}
interface PrepareDocument {
  keepers: Array<{ name: string; subnetId: string; created: boolean }>;
  roleCreated: boolean;
  bound: boolean | null;
  next: string;
}
interface KeepersDocument {
  keepers: Array<{
    name: string;
    subnetId: string;
    securityGroupIds: string[];
    usedBy: string[];
    used: boolean;
  }>;
}

async function functionNames(): Promise<string[]> {
  const listed = await world.clients().lambda.send(new ListFunctionsCommand({}));
  return (listed.Functions ?? []).map((fn) => fn.FunctionName ?? '').sort();
}
async function roleNames(): Promise<string[]> {
  const iam = createIamClient(world.localAws().clientOptions());
  return ((await iam.send(new ListRolesCommand({}))).Roles ?? []).map((role) => role.RoleName ?? '');
}
async function poolAddresses() {
  return (await addresses()).filter((a) => a.Tags?.some((t) => t.Key === POOL_TAG_KEY && t.Value === POOL));
}

describe('prepare, keepers and prune', () => {
  it("binds a keeper's ENI before a function moves onto it: the function gets that ENI and its pool IP, with no gap; prune deletes only the unused keeper", async () => {
    const [s0, s1] = vpc().publicSubnetIds as [string, string];
    const [sg1, sg2] = vpc().securityGroupIds as [string, string];
    const prepare = (subnet: string, ...more: string[]) =>
      cli(['prepare', '--pool', POOL, '--subnet', subnet, '--security-group', sg1, '--json', ...more]);

    // An empty pool and no --allocate: nothing is created.
    const exhausted = await prepare(s0);
    expect(exhausted.code).toBe(1);
    expect(exhausted.json<ErrorDocument>().error.code).toBe('PoolExhausted');
    expect(exhausted.json<ErrorDocument>().error.message).toContain('--allocate');
    expect(await functionNames()).toEqual([]);

    const created = await prepare(s0, '--allocate', '--debug');
    expect(created.code).toBe(0);
    // --debug traces the IAM and EventBridge calls too, not only the clients every command has.
    for (const call of ['IAM.CreateRole', 'EventBridge.PutRule', 'Lambda.CreateFunction'])
      expect(created.stderr).toMatch(new RegExp(`${call} \\d+ ms ok`));
    const [keeper] = created.json<PrepareDocument>().keepers;
    expect(created.json<PrepareDocument>()).toMatchObject({ roleCreated: true, bound: null });
    expect(keeper).toMatchObject({ subnetId: s0, created: true });
    expect(await functionNames()).toEqual([keeper?.name]);

    // Lambda creates the keeper's ENI; a second prepare --wait finds the keeper, binds its ENI, and says what next.
    expect(await sim().adopt()).toEqual([keeper?.name]);
    await sim().advance(SWITCH);
    const waited = await prepare(s0, '--allocate', '--wait');
    expect(waited.code).toBe(0);
    expect(waited.json<PrepareDocument>()).toMatchObject({ bound: true, roleCreated: false });
    expect(waited.json<PrepareDocument>().keepers).toEqual([{ ...keeper, created: false }]);
    expect(waited.json<PrepareDocument>().next).toContain(`SubnetIds=${s0},SecurityGroupIds=${sg1}`);
    const keeperEnis = sim().describe(keeper?.name as string).servingEniIds;
    expect(keeperEnis).toHaveLength(1);
    const bound = (await poolAddresses()).find((a) => a.NetworkInterfaceId === keeperEnis[0]);
    expect(bound?.PublicIp).toBeDefined();

    // A user function, bound where it is, then moved onto the keeper's combination.
    await sim().createFunction({
      name: 'api',
      subnetIds: [s0],
      securityGroupIds: [sg2],
      tags: { [POOL_TAG_KEY]: POOL },
    });
    await sim().advance(SWITCH);
    expect((await cli(['apply', '--pool', POOL, '--allocate', '--yes', '--json'])).code).toBe(0);
    await sim().advance(1_000);
    const boundFrom = sim().clock.now();
    await sim().updateVpcConfig('api', { subnetIds: [s0], securityGroupIds: [sg1] });
    await sim().advance(SWITCH + sim().timings.eniDeletionDelayMs);
    expect(sim().describe('api').servingEniIds).toEqual(keeperEnis);
    const [served] = sim().timeline.entries('api').at(-1)?.serving ?? [];
    expect(served?.publicIp).toBe(bound?.PublicIp);
    const gaps = sim()
      .timeline.outages('api', sim().clock.now())
      .filter((outage) => outage.to > boundFrom);
    expect(gaps).toEqual([]);

    // A second keeper nobody uses.
    const unusedRun = await prepare(s1, '--allocate');
    const unusedName = unusedRun.json<PrepareDocument>().keepers[0]?.name as string;
    await sim().adopt();
    await sim().advance(SWITCH);
    expect((await prepare(s1, '--allocate', '--wait')).code).toBe(0);
    const unusedEni = sim().describe(unusedName).servingEniIds[0];
    const unusedIp = (await poolAddresses()).find((a) => a.NetworkInterfaceId === unusedEni);
    expect(unusedIp).toBeDefined();

    const listed = await cli(['keepers', '--pool', POOL, '--json']);
    expect(listed.code).toBe(0);
    const byName = Object.fromEntries(listed.json<KeepersDocument>().keepers.map((k) => [k.name, k]));
    expect(Object.keys(byName).sort()).toEqual([keeper?.name, unusedName].sort());
    expect(byName[keeper?.name as string]).toMatchObject({
      subnetId: s0,
      securityGroupIds: [sg1],
      usedBy: ['api'],
      used: true,
    });
    expect(byName[unusedName]).toMatchObject({
      subnetId: s1,
      securityGroupIds: [sg1],
      usedBy: [],
      used: false,
    });

    // status counts the keeper as a keeper, never as a user's function.
    const status = await cli(['status', '--pool', POOL, '--json']);
    const shared = status
      .json<{ enis: Array<{ networkInterfaceId: string; poolFunctions: string[]; keepers: string[] }> }>()
      .enis.find((eni) => eni.networkInterfaceId === keeperEnis[0]);
    expect(shared).toMatchObject({ poolFunctions: ['api'], keepers: [keeper?.name] });

    // Without --yes and no terminal: says what it would delete, deletes nothing.
    const dry = await cli(['prune', '--pool', POOL, '--json']);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain(unusedName);
    expect(await functionNames()).toEqual(['api', keeper?.name, unusedName].sort());

    const pruned = await cli(['prune', '--pool', POOL, '--yes', '--json']);
    expect(pruned.code).toBe(0);
    expect(pruned.json()).toMatchObject({ deleted: [unusedName], kept: [keeper?.name], roleDeleted: false });
    expect(await functionNames()).toEqual(['api', keeper?.name].sort());
    // Lambda retires the unused keeper's ENI; its pool IP comes back free (the IP is kept, never released).
    await sim().adopt();
    await sim().advance(sim().timings.eniDeletionDelayMs);
    const after = (await poolAddresses()).find((a) => a.AllocationId === unusedIp?.AllocationId);
    expect(after).toBeDefined();
    expect(after?.NetworkInterfaceId).toBeUndefined();
    expect(sim().describe('api').servingEniIds).toEqual(keeperEnis);
  });

  it('refuses bad input before creating anything, naming the value and the fix', async () => {
    const [s0] = vpc().publicSubnetIds as [string];
    const [private0] = vpc().privateSubnetIds as [string];
    const [sg1] = vpc().securityGroupIds as [string];
    const other = await createVpcFixture(world.clients().ec2, { cidr: '10.43.0.0/16' });
    const cases: Array<{ subnets: string[]; groups: string[]; code: string; names: string }> = [
      {
        subnets: [s0, other.publicSubnetIds[0] as string],
        groups: [sg1],
        code: 'SubnetsInSeveralVpcs',
        names: other.vpcId,
      },
      {
        subnets: ['subnet-0123456789abcdef0'],
        groups: [sg1],
        code: 'UnknownSubnet',
        names: 'subnet-0123456789abcdef0',
      },
      {
        subnets: [s0],
        groups: ['sg-0123456789abcdef0'],
        code: 'UnknownSecurityGroup',
        names: 'sg-0123456789abcdef0',
      },
      { subnets: [private0], groups: [sg1], code: 'SubnetNotPublic', names: private0 },
      {
        subnets: Array.from({ length: 17 }, (_, i) => `subnet-${String(i).padStart(17, '0')}`),
        groups: [sg1],
        code: 'TooManySubnets',
        names: '17 subnets',
      },
      {
        subnets: [s0],
        groups: Array.from({ length: 6 }, (_, i) => `sg-${String(i).padStart(17, '0')}`),
        code: 'TooManySecurityGroups',
        names: '6 security groups',
      },
    ];
    for (const bad of cases) {
      // In process: six process starts saved, the same program.
      const run = await runCliInProcess(
        [
          'prepare',
          '--pool',
          POOL,
          ...bad.subnets.flatMap((id) => ['--subnet', id]),
          ...bad.groups.flatMap((id) => ['--security-group', id]),
          '--allocate',
          '--json',
        ],
        { clientOptions: world.localAws().clientOptions() },
      );
      expect({ code: run.code, error: run.json<ErrorDocument>().error.code }).toEqual({
        code: 2,
        error: bad.code,
      });
      expect(run.json<ErrorDocument>().error.message).toContain(bad.names);
    }
    expect(await functionNames()).toEqual([]);
    expect((await roleNames()).filter((name) => name.startsWith('lsi-keeper'))).toEqual([]);
    expect(await poolAddresses()).toEqual([]);
  });
});
