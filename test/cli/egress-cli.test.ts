import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { createVpcFixture, LambdaSimulator, type VpcFixture } from '../../testbed/index.js';
import { type CliRun, runBinary } from '../support/cli.js';
import { useLocalAws } from '../support/local-aws.js';

const localAws = useLocalAws({ eipQuota: 20 });
let clients: AwsClients;
let vpc: VpcFixture;
let sim: LambdaSimulator;
const POOL = 'shop';
const poolTag = { [POOL_TAG_KEY]: POOL };

beforeEach(async () => {
  await localAws().reset();
  clients = localAws().clients();
  vpc = await createVpcFixture(clients.ec2, { securityGroups: 3 });
  sim = new LambdaSimulator({ localAws: localAws() });
});

function cli(args: readonly string[]): Promise<CliRun> {
  return runBinary(args, { env: { AWS_ENDPOINT_URL: localAws().endpoint } });
}

async function addresses() {
  return (await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
}

async function createPoolFunctions() {
  const [sg1, sg2] = vpc.securityGroupIds as [string, string];
  await sim.createFunction({
    name: 'checkout',
    subnetIds: vpc.publicSubnetIds,
    securityGroupIds: [sg1],
    tags: poolTag,
  });
  await sim.createFunction({ name: 'payments', subnetIds: vpc.publicSubnetIds, securityGroupIds: [sg1] });
  await sim.createFunction({
    name: 'reports',
    subnetIds: [vpc.publicSubnetIds[0] as string],
    securityGroupIds: [sg2],
  });
  await sim.advance(90_000);
}

interface ApplyDocument {
  actions: Array<{
    kind: string;
    allocationId: string | null;
    publicIp: string | null;
    networkInterfaceId: string;
    subnetId: string;
  }>;
  applied: Array<{ kind: string; allocationId: string; publicIp: string; networkInterfaceId: string }>;
  unchanged: Array<{ networkInterfaceId: string; publicIp: string; functions: string[] }>;
  problems: Array<{ code: string; severity: string; message: string; functions?: string[] }>;
  converged: boolean;
}

describe('apply', () => {
  it('binds every ENI of the pool on the first run and changes nothing on the second', async () => {
    await createPoolFunctions();
    const first = await cli([
      'apply',
      '--pool',
      POOL,
      '--function',
      'reports',
      '--allocate',
      '--yes',
      '--json',
    ]);
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
    const pool = (await addresses()).filter((a) =>
      a.Tags?.some((t) => t.Key === POOL_TAG_KEY && t.Value === POOL),
    );
    expect(pool).toHaveLength(3);
    expect(pool.every((a) => a.NetworkInterfaceId?.startsWith('eni-'))).toBe(true);

    const second = await cli([
      'apply',
      '--pool',
      POOL,
      '--function',
      'reports',
      '--allocate',
      '--yes',
      '--json',
    ]);
    expect(second.code).toBe(0);
    expect(second.json<ApplyDocument>()).toMatchObject({ actions: [], applied: [], converged: true });
    expect(second.json<ApplyDocument>().unchanged).toHaveLength(3);
    expect(await addresses()).toHaveLength(3);
  });

  it('gives replacement ENIs the same IPs without allocating (idle reclaim)', async () => {
    await createPoolFunctions();
    await cli(['apply', '--pool', POOL, '--allocate', '--yes']);
    const before = (await cli(['ips', '--pool', POOL])).stdout;
    const oldEnis = sim.describe('checkout').servingEniIds;

    await sim.idleReclaim('checkout');
    await sim.idleReclaim('payments');
    await sim.invoke('checkout');
    await sim.invoke('payments');
    await sim.advance(90_000);
    expect(sim.describe('checkout').servingEniIds.some((id) => oldEnis.includes(id))).toBe(false);

    const run = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(run.code).toBe(0);
    const document = run.json<ApplyDocument>();
    expect(document.applied.map((a) => a.kind)).toEqual(['associate', 'associate']);
    expect((await cli(['ips', '--pool', POOL])).stdout).toBe(before);
    const egress = await sim.invoke('checkout');
    expect(egress.ok && egress.egressIps.every((ip) => ip && before.includes(ip))).toBe(true);
  });

  it('binds a scale-out ENI only with --allocate when the pool has no free IP, binding what it can meanwhile', async () => {
    await createPoolFunctions();
    await cli(['apply', '--pool', POOL, '--allocate', '--yes']);
    await sim.scaleOut('checkout');

    const without = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(without.code).toBe(1);
    expect(without.json<ApplyDocument>().problems.filter((p) => p.code === 'PoolExhausted')).toHaveLength(2);
    expect(without.stderr).toContain('PoolExhausted');

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
    const untagged = await clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await clients.ec2.send(
      new AllocateAddressCommand({
        Domain: 'vpc',
        TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: POOL_TAG_KEY, Value: 'other' }] }],
      }),
    );
    const [first] = sim.describe('checkout').servingEniIds;
    await clients.ec2.send(
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

  it('refuses to bind ENIs in a private subnet and exits 1 with SubnetNotPublic', async () => {
    await sim.createFunction({
      name: 'internal',
      subnetIds: vpc.privateSubnetIds,
      securityGroupIds: [vpc.securityGroupIds[0] as string],
      tags: poolTag,
    });
    await sim.advance(90_000);
    const run = await cli(['apply', '--pool', POOL, '--allocate', '--yes', '--json']);
    expect(run.code).toBe(1);
    const document = run.json<ApplyDocument>();
    expect(document.actions).toEqual([]);
    expect(document.problems.filter((p) => p.code === 'SubnetNotPublic')).toHaveLength(2);
    expect(await addresses()).toHaveLength(0);
  });
});

describe('exit codes and output discipline', () => {
  it('plan exits 0, or 3 with --detailed-exitcode while changes are pending, and prints one JSON document', async () => {
    await createPoolFunctions();
    const plain = await cli(['plan', '--pool', POOL, '--allocate']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('allocate');
    expect(plain.stderr).toContain('observing');

    const detailed = await cli(['plan', '--pool', POOL, '--allocate', '--detailed-exitcode', '--json']);
    expect(detailed.code).toBe(3);
    const document = detailed.json<ApplyDocument>();
    expect(Object.keys(document)).toEqual(expect.arrayContaining(['actions', 'unchanged', 'problems']));
    expect(document.actions).toHaveLength(2);
    expect(await addresses()).toHaveLength(0);

    await cli(['apply', '--pool', POOL, '--allocate', '--yes']);
    expect((await cli(['plan', '--pool', POOL, '--detailed-exitcode'])).code).toBe(0);
  });

  it('apply without --yes and no terminal exits 2 and changes nothing', async () => {
    await createPoolFunctions();
    const run = await cli(['apply', '--pool', POOL, '--allocate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no terminal to confirm on.*pass --yes/);
    expect(await addresses()).toHaveLength(0);
  });

  it.each([
    [['plan', '--pool', POOL, '--function', 'nope'], /function nope was not found in us-east-1/],
    [
      ['plan', '--pool', POOL, '--function', 'arn:aws:lambda:eu-west-1:123456789012:function:checkout'],
      /is in eu-west-1.*--region eu-west-1/,
    ],
    [['plan', '--pool', POOL, '--function', 'arn:aws:lambda:us-east-1:123:function:x'], /malformed/],
    [['plan', '--pool', 'bad pool'], /pool name "bad pool" is invalid/],
    [['plan', '--pool', POOL, '--max-ips', 'many'], /--max-ips.*expected a whole number, got "many"/],
    [['plan', '--pool', POOL, '--spares', '-1'], /--spares.*must be 0-1000, got -1/],
    [['plan'], /required option '--pool <name>' not specified/],
    [['plan', '--pool', POOL, '--frobnicate'], /unknown option '--frobnicate'/],
    [['release', '--pool', POOL], /nothing was released.*pass --yes/],
  ])('exits 2 for bad input: %j', async (args, message) => {
    await createPoolFunctions();
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('exits 2 for a function without VPC configuration, naming it and the fix', async () => {
    await createPoolFunctions();
    const { CreateFunctionCommand } = await import('@aws-sdk/client-lambda');
    const { CreateRoleCommand } = await import('@aws-sdk/client-iam');
    const { createIamClient } = await import('../../src/aws/clients.js');
    const role = await createIamClient(localAws().clientOptions()).send(
      new CreateRoleCommand({ RoleName: 'plain', AssumeRolePolicyDocument: '{}' }),
    );
    await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'plain',
        Runtime: 'nodejs22.x',
        Role: role.Role?.Arn,
        Handler: 'index.handler',
        Code: { ZipFile: Buffer.from('x') },
      }),
    );
    const run = await cli(['apply', '--pool', POOL, '--function', 'plain', '--yes', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/function plain has no VPC configuration.*attach it to public subnets/);
    expect(run.json<{ error: { code: string } }>().error.code).toBe('FunctionNotInVpc');
  });

  it('exits 1 with a readable message when the endpoint is unreachable', async () => {
    const run = await runBinary(['plan', '--pool', POOL], {
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed.*unreachable/);
  });

  it('documents the exit codes in --help, and every command has --help', async () => {
    const help = await runBinary(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*0 {2}success[\s\S]*3 {2}plan --detailed-exitcode/);
    for (const command of ['plan', 'apply', 'status', 'ips', 'unbind', 'switch-check', 'release', 'demo']) {
      const run = await runBinary([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: lambda-static-ip ${command}`);
    }
  });
});

describe('ips and release', () => {
  it('prints the allow-list sorted, as text, CIDR or JSON', async () => {
    await createPoolFunctions();
    await cli(['apply', '--pool', POOL, '--allocate', '--spares', '1', '--yes']);
    const text = (await cli(['ips', '--pool', POOL])).stdout.trim().split('\n');
    expect(text).toHaveLength(3);
    const numeric = (ip: string) => ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
    expect([...text].sort((a, b) => numeric(a) - numeric(b))).toEqual(text);
    expect((await cli(['ips', '--pool', POOL, '--format', 'cidr'])).stdout.trim().split('\n')).toEqual(
      text.map((ip) => `${ip}/32`),
    );
    expect((await cli(['ips', '--pool', POOL, '--json'])).json<{ ips: string[] }>().ips).toEqual(text);
  });

  it('releases only with --yes, disassociating first, and refuses an IP outside the pool', async () => {
    await createPoolFunctions();
    await cli(['apply', '--pool', POOL, '--allocate', '--yes']);
    const [ip] = (await cli(['ips', '--pool', POOL])).stdout.trim().split('\n');

    const outside = await cli(['release', '--pool', POOL, '--ip', '192.0.2.1', '--yes']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/192.0.2.1 is not an IP of pool "shop".*nothing was released/);

    const run = await cli(['release', '--pool', POOL, '--ip', ip as string, '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(run.json<{ released: Array<{ publicIp: string }> }>().released.map((r) => r.publicIp)).toEqual([
      ip,
    ]);
    expect((await addresses()).map((a) => a.PublicIp)).not.toContain(ip);
    expect(await addresses()).toHaveLength(1);
  });
});

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
