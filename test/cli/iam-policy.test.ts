import {
  AllocateAddressCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
} from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RecordedCall, recordCalls } from '../../src/aws/call-recorder.js';
import { type AwsClients, createEventBridgeClient, createIamClient } from '../../src/aws/clients.js';
import { createKeeper, deleteKeeper, deleteKeeperRole, ensureKeeperRole } from '../../src/aws/keepers.js';
import { iamActionsFor, type PolicyDocument, type PolicyStatement } from '../../src/core/iam-policy.js';
import { keeperFunctionName } from '../../src/core/keeper.js';
import { LAST_SUBNET_TAG_KEY, POOL_TAG_KEY } from '../../src/core/pool.js';
import { reconcile } from '../../src/reconcile/reconcile.js';
import { createVpcFixture, LambdaSimulator } from '../../testbed/index.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import {
  type AuthorizationRequest,
  authorizationsFor,
  isAllowed,
  type WorldSnapshot,
} from '../support/iam-evaluator.js';
import { useLocalAws } from '../support/local-aws.js';

const localAws = useLocalAws({ eipQuota: 30 });
const POOL = 'shop';
const ACCOUNT = '123456789012';

async function printed(args: readonly string[]): Promise<PolicyDocument> {
  const run = await runCliInProcess(
    ['iam-policy', ...args, '--pool', POOL, '--account', ACCOUNT, '--region', 'us-east-1'],
    { clientOptions: localAws().clientOptions() },
  );
  expect(run.code).toBe(0);
  return run.json<PolicyDocument>();
}

const actionsOf = (policy: PolicyDocument | readonly PolicyStatement[]) =>
  new Set(('Statement' in policy ? policy.Statement : policy).flatMap((statement) => statement.Action));

describe('iam-policy: the document', () => {
  it('keeps reads separate from apply and release, never grants a wildcard action, and scopes writes to the pool', async () => {
    const read = await printed(['--access', 'read']);
    const write = await printed(['--access', 'write']);
    const release = await printed(['--access', 'release']);
    const keepers = await printed(['--access', 'keepers']);
    const controller = await printed(['--for', 'controller']);
    const all = await printed([]);

    expect([...actionsOf(read)].filter((action) => !/:(Describe|List|Get)/.test(action))).toEqual([]);
    expect(actionsOf(write).has('ec2:ReleaseAddress')).toBe(false);
    expect(actionsOf(release).has('ec2:AllocateAddress')).toBe(false);
    expect(actionsOf(release).has('ec2:ReleaseAddress')).toBe(true);
    expect(actionsOf(controller).has('ec2:ReleaseAddress')).toBe(false);
    expect(actionsOf(keepers).has('ec2:ReleaseAddress')).toBe(false);
    expect(actionsOf(all)).toEqual(new Set([...actionsOf(keepers), ...actionsOf(release)]));
    for (const policy of [read, write, release, keepers, controller]) {
      expect(policy.Version).toBe('2012-10-17');
      for (const statement of policy.Statement) {
        expect(statement.Action.some((action) => action.includes('*'))).toBe(false);
        const resources = typeof statement.Resource === 'string' ? [statement.Resource] : statement.Resource;
        const mutates = statement.Action.some((action) => !/:(Describe|List|Get)/.test(action));
        if (mutates) expect(resources).not.toContain('*');
        for (const resource of resources)
          expect(resource).toMatch(
            /^\*$|^arn:aws:[a-z0-9]+:us-east-1:123456789012:|^arn:aws:iam::123456789012:/,
          );
      }
      const onAddresses = policy.Statement.filter(
        (statement) => statement.Resource === `arn:aws:ec2:us-east-1:${ACCOUNT}:elastic-ip/*`,
      );
      for (const statement of onAddresses) expect(JSON.stringify(statement.Condition)).toContain(`"${POOL}"`);
    }
  });

  it('refuses --access with --for controller (exit 2), a malformed account and a malformed VPC id', async () => {
    const options = { clientOptions: localAws().clientOptions() };
    const controller = await runCliInProcess(
      ['iam-policy', '--for', 'controller', '--access', 'read'],
      options,
    );
    expect(controller.code).toBe(2);
    expect(controller.stderr).toMatch(/--access read applies to --for cli only/);
    const account = await runCliInProcess(['iam-policy', '--account', '12'], options);
    expect(account.code).toBe(2);
    expect(account.stderr).toMatch(/expected a 12-digit account id/);
    const vpc = await runCliInProcess(
      ['iam-policy', '--vpc', 'vpc-12345678', '--vpc', 'subnet-12345678'],
      options,
    );
    expect(vpc.code).toBe(2);
    expect(vpc.stderr).toMatch(
      /VPC id "subnet-12345678" is invalid: expected vpc- followed by 8 or 17 hex digits/,
    );
    expect(vpc.stdout).toBe('');
  });
});

interface Recorded {
  readonly call: RecordedCall;
  readonly world: WorldSnapshot;
}

/** Every call made while `run` runs, with the addresses as they were around it. */
async function recording(
  run: (prepare: (clients: AwsClients) => AwsClients) => Promise<void>,
): Promise<Recorded[]> {
  const ec2 = localAws().clients().ec2;
  const describe = async () => (await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  const before = await describe();
  const interfaces = (await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [];
  const calls: RecordedCall[] = [];
  await run((clients) => recordCalls(clients, (call) => calls.push(call)));
  const after = await describe();
  // Associations as they were before; tags of addresses created meanwhile from after (set at creation).
  const created = after.filter((address) => !before.some((old) => old.AllocationId === address.AllocationId));
  const vpcOfInterface = Object.fromEntries(
    interfaces.map((eni) => [eni.NetworkInterfaceId ?? '', eni.VpcId ?? '']),
  );
  const world = {
    region: 'us-east-1',
    account: ACCOUNT,
    addresses: [...before, ...created],
    vpcOfInterface,
  };
  return calls.map((call) => ({ call, world }));
}

/**
 * A pool that needs every kind of change: a free pool IP with no subnet remembered (associate, then
 * tag), ENIs with none (allocate), then a VPC change that leaves a pool IP on a retired ENI (move),
 * and a version placed unlike $LATEST (the audit's alias check).
 */
async function scenario(apply: (step: string) => Promise<void>, reads: () => Promise<void> = async () => {}) {
  await localAws().reset();
  const clients = localAws().clients();
  const vpc = await createVpcFixture(clients.ec2, { securityGroups: 3 });
  const sim = new LambdaSimulator({ localAws: localAws(), timings: { eniDeletionDelayMs: 3_600_000 } });
  const [sg1, sg2, sg3] = vpc.securityGroupIds as [string, string, string];
  const [pub1, pub2] = vpc.publicSubnetIds as [string, string];
  const tags = { [POOL_TAG_KEY]: POOL };
  await sim.createFunction({ name: 'checkout', subnetIds: [pub1, pub2], securityGroupIds: [sg1], tags });
  await sim.createFunction({ name: 'legacy', subnetIds: [pub1], securityGroupIds: [sg2], tags });
  await sim.createFunction({ name: 'batch', subnetIds: [pub2], securityGroupIds: [sg1], tags });
  await sim.advance(90_000);
  await sim.publishVersion('batch');
  await sim.updateVpcConfig('batch', { subnetIds: [pub2], securityGroupIds: [sg3] });
  await sim.advance(90_000);
  await clients.ec2.send(
    new AllocateAddressCommand({
      Domain: 'vpc',
      TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: POOL_TAG_KEY, Value: POOL }] }],
    }),
  );
  await apply('first');
  await sim.updateVpcConfig('legacy', { subnetIds: [pub1], securityGroupIds: [sg3] });
  await sim.advance(90_000);
  await reads();
  await apply('move');
  const addresses = (await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  return { addresses, vpcId: vpc.vpcId };
}

describe('iam-policy: every call the CLI and the controller make is allowed, and nothing else is granted', () => {
  const cliRuns: Record<'read' | 'write' | 'release', Recorded[]> = { read: [], write: [], release: [] };
  const controllerRuns: Recorded[] = [];
  const keeperRuns: Recorded[] = [];
  const kinds: Record<string, string[]> = {};
  // The VPC of each scenario's functions, for the policies narrowed with --vpc.
  const vpcs = { cli: '', controller: '' };

  beforeAll(async () => {
    const cli = (args: readonly string[], prepare: (clients: AwsClients) => AwsClients) =>
      runCliInProcess(args, { clientOptions: localAws().clientOptions(), prepare });
    const { addresses, vpcId } = await scenario(
      async (step) => {
        const calls = await recording(async (prepare) => {
          const run = await cli(['apply', '--pool', POOL, '--allocate', '--yes', '--json'], prepare);
          expect(run.code).toBe(0);
          kinds[step] = run.json<{ applied: { kind: string }[] }>().applied.map((action) => action.kind);
        });
        cliRuns.write.push(...calls);
      },
      async () => {
        // audit exits 1 here: the VPC change left an ENI without an IP, which is the point.
        const readCommands: Array<[string[], number]> = [
          [['plan'], 0],
          [['status'], 0],
          [['ips', '--direction', 'ingress'], 0],
          [['ips', '--family', 'all'], 0],
          [['audit'], 1],
          [['switch-check', '--to', 'nat'], 0],
        ];
        for (const [[command, ...rest], code] of readCommands) {
          const calls = await recording(async (prepare) => {
            expect((await cli([command as string, '--pool', POOL, ...rest], prepare)).code).toBe(code);
          });
          cliRuns.read.push(...calls);
        }
      },
    );
    vpcs.cli = vpcId;
    const bound = addresses.find((address) => address.NetworkInterfaceId)?.PublicIp as string;
    cliRuns.release.push(
      ...(await recording(async (prepare) => {
        expect((await cli(['release', '--pool', POOL, '--ip', bound, '--yes'], prepare)).code).toBe(0);
      })),
    );
    // unbind is a deliberate write, in the same class as apply.
    cliRuns.write.push(
      ...(await recording(async (prepare) => {
        expect((await cli(['unbind', '--pool', POOL, '--yes'], prepare)).code).toBe(0);
      })),
    );

    const controllerWorld = await scenario(async () => {
      const calls = await recording(async (prepare) => {
        const result = await reconcile(prepare(localAws().clients()), { pool: POOL, allocate: true });
        expect(result.converged).toBe(true);
      });
      controllerRuns.push(...calls);
    });
    vpcs.controller = controllerWorld.vpcId;

    // What prepare and prune do to IAM, EventBridge and Lambda: the pool's keeper role, a keeper and its
    // schedule, then both gone (prepare's reads and --wait's binds are the read and write runs above).
    const clients = localAws().clients();
    const vpc = await createVpcFixture(clients.ec2, {});
    const [subnetId] = vpc.publicSubnetIds as [string];
    const securityGroupIds = vpc.securityGroupIds.slice(0, 1);
    const calls: RecordedCall[] = [];
    const keeperClients = recordCalls(
      {
        lambda: clients.lambda,
        iam: createIamClient(localAws().clientOptions()),
        events: createEventBridgeClient(localAws().clientOptions()),
      },
      (call) => calls.push(call),
    );
    const role = await ensureKeeperRole(keeperClients.iam, {
      pool: POOL,
      region: 'us-east-1',
      partition: 'aws',
    });
    const name = keeperFunctionName(POOL, subnetId, securityGroupIds);
    const input = { pool: POOL, name, subnetId, securityGroupIds, roleArn: role.arn, region: 'us-east-1' };
    expect(await createKeeper(keeperClients, { ...input, sleep: async () => {} })).toBe(true);
    await deleteKeeper(keeperClients, name);
    expect(await deleteKeeperRole(keeperClients.iam, POOL)).toBe(true);
    const rolePaths = Object.fromEntries(
      calls
        .filter((call) => call.operation === 'CreateRole')
        .map((call) => {
          const { RoleName, Path } = call.input as { RoleName: string; Path?: string };
          return [RoleName, Path ?? '/'];
        }),
    );
    const world = { region: 'us-east-1', account: ACCOUNT, addresses: [], vpcOfInterface: {}, rolePaths };
    keeperRuns.push(...calls.map((call) => ({ call, world })));
  });

  it('the scenarios exercise allocate, associate, remember-subnet, move and release', () => {
    expect(kinds.first?.sort()).toEqual(['allocate', 'allocate', 'allocate', 'associate']);
    expect(kinds.move).toEqual(['move']);
    const operations = new Set(cliRuns.write.map(({ call }) => call.operation));
    for (const operation of ['CreateTags', 'DisassociateAddress', 'AllocateAddress', 'AssociateAddress'])
      expect(operations.has(operation)).toBe(true);
    expect(cliRuns.release.map(({ call }) => call.operation)).toContain('ReleaseAddress');
    const reads = new Set(cliRuns.read.map(({ call }) => call.operation));
    for (const operation of ['GetFunctionConfiguration', 'ListAliases', 'DescribeSecurityGroups'])
      expect(reads.has(operation)).toBe(true);
  });

  it.each([
    ['read', ['--access', 'read'], []],
    ['write', ['--access', 'write'], ['read']],
    ['release', ['--access', 'release'], ['read']],
  ] as const)(
    'cli %s: every call is allowed by its policy, and every statement is needed',
    async (name, args, alsoRuns) => {
      const policy = await printed(args);
      const runs = [...cliRuns[name], ...alsoRuns.flatMap((other) => cliRuns[other])];
      expectExactly(policy, runs);
    },
  );

  it("keepers: prepare's and prune's calls are allowed, every statement is needed, and nothing beyond the pool's keepers", async () => {
    expect(new Set(keeperRuns.map(({ call }) => call.service))).toEqual(
      new Set(['IAM', 'Lambda', 'EventBridge']),
    );
    const policy = await printed(['--access', 'keepers']);
    expectExactly(policy, [...keeperRuns, ...cliRuns.read, ...cliRuns.write]);
    const lambda = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
    const role = (path: string) => `arn:aws:iam::${ACCOUNT}:role${path}`;
    const denied: AuthorizationRequest[] = [
      { action: 'lambda:DeleteFunction', resource: lambda('checkout'), context: {} },
      { action: 'lambda:CreateFunction', resource: lambda('lsi-keeper-other-0123456789ab'), context: {} },
      { action: 'iam:DeleteRole', resource: role('/lambda-static-ip/keeper/lsi-keeper-other'), context: {} },
      { action: 'iam:PutRolePolicy', resource: role(`/lsi-keeper-${POOL}`), context: {} },
      {
        action: 'iam:PassRole',
        resource: role(`/lambda-static-ip/keeper/lsi-keeper-${POOL}`),
        context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      },
      {
        action: 'events:DeleteRule',
        resource: `arn:aws:events:us-east-1:${ACCOUNT}:rule/nightly`,
        context: {},
      },
    ];
    for (const request of denied) expect(isAllowed(policy, request), JSON.stringify(request)).toBe(false);
  });

  it('controller: every call is allowed by its policy, and every statement is needed', async () => {
    expectExactly(await printed(['--for', 'controller']), controllerRuns);
  });

  it("with --vpc: every call in the pool functions' VPC is still allowed, and an ENI elsewhere is not", async () => {
    const other = 'vpc-0123456789abcdef0';
    const all = await printed(['--vpc', vpcs.cli, '--vpc', other]);
    expectExactly(all, [...cliRuns.read, ...cliRuns.write, ...cliRuns.release, ...keeperRuns]);
    const controller = await printed(['--for', 'controller', '--vpc', vpcs.controller]);
    expectExactly(controller, controllerRuns);

    const onInterface = (action: string, vpcId: string): AuthorizationRequest => ({
      action,
      resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:network-interface/eni-1`,
      context: { 'ec2:Vpc': `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/${vpcId}` },
    });
    for (const action of ['ec2:AssociateAddress', 'ec2:DisassociateAddress']) {
      expect(isAllowed(all, onInterface(action, other)), action).toBe(true);
      expect(isAllowed(all, onInterface(action, 'vpc-fedcba9876543210f')), action).toBe(false);
      expect(isAllowed(controller, onInterface(action, other)), action).toBe(false);
    }
  });

  it('denies what the tool must never do, for the CLI (apply) and the controller', async () => {
    const write = await printed(['--access', 'write']);
    const controller = await printed(['--for', 'controller']);
    const address = (pool: string) => `arn:aws:ec2:us-east-1:${ACCOUNT}:elastic-ip/eipalloc-${pool}`;
    const denied: AuthorizationRequest[] = [
      {
        action: 'ec2:AssociateAddress',
        resource: address('x'),
        context: { [`ec2:ResourceTag/${POOL_TAG_KEY}`]: 'other' },
      },
      { action: 'ec2:AssociateAddress', resource: address('y'), context: {} },
      {
        action: 'ec2:AssociateAddress',
        resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`,
        context: {},
      },
      {
        action: 'ec2:CreateTags',
        resource: address('z'),
        context: {
          [`ec2:ResourceTag/${POOL_TAG_KEY}`]: POOL,
          [`aws:RequestTag/${POOL_TAG_KEY}`]: 'other',
          'aws:TagKeys': [POOL_TAG_KEY],
        },
      },
      {
        action: 'ec2:AllocateAddress',
        resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:elastic-ip/*`,
        context: {
          'aws:TagKeys': [LAST_SUBNET_TAG_KEY],
          [`aws:RequestTag/${LAST_SUBNET_TAG_KEY}`]: 'subnet-1',
        },
      },
      {
        action: 'ec2:ReleaseAddress',
        resource: address('w'),
        context: { [`ec2:ResourceTag/${POOL_TAG_KEY}`]: POOL },
      },
    ];
    for (const request of denied) {
      expect(isAllowed(write, request), JSON.stringify(request)).toBe(false);
      expect(isAllowed(controller, request), JSON.stringify(request)).toBe(false);
    }
  });
});

/** Each recorded call is allowed, every action granted was used, and every statement allowed some call. */
function expectExactly(policy: PolicyDocument, runs: readonly Recorded[]): void {
  const requests = runs.flatMap(({ call, world }) => authorizationsFor(call, world));
  for (const request of requests) expect(isAllowed(policy, request), JSON.stringify(request)).toBe(true);
  const used = new Set(runs.flatMap(({ call }) => iamActionsFor(call)));
  expect([...actionsOf(policy)].sort()).toEqual([...used].sort());
  for (const statement of policy.Statement) {
    const alone = { ...policy, Statement: [statement] };
    expect(
      requests.some((request) => isAllowed(alone, request)),
      statement.Sid,
    ).toBe(true);
  }
}
