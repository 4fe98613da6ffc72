import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateSubnetCommand,
  DeleteNatGatewayCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { createIamClient } from '../../src/aws/clients.js';
import {
  type CloudTrailEvent,
  createLambdaWorld,
  createVpcFixture,
  ensureExecutionRole,
  ipsTakenFromServingEnis,
  LambdaSimulator,
  ResourceConflictError,
  Timeline,
  type VpcFixture,
} from '../../testbed/index.js';
import { useLocalAws } from '../support/local-aws.js';

const localAws = useLocalAws();
let clients: AwsClients;
let vpc: VpcFixture;
let sim: LambdaSimulator;
let events: CloudTrailEvent[];

const SWITCH = 90_000;

beforeEach(async () => {
  await localAws().reset();
  clients = localAws().clients();
  vpc = await createVpcFixture(clients.ec2, { securityGroups: 3 });
  sim = new LambdaSimulator({ localAws: localAws(), timings: { eniSwitchMs: SWITCH } });
  events = [];
  sim.onCloudTrailEvent((event) => events.push(event));
});

function subnet(index: number): string {
  return vpc.publicSubnetIds[index] as string;
}
function group(index: number): string {
  return vpc.securityGroupIds[index] as string;
}

async function lambdaEnis(): Promise<NetworkInterface[]> {
  const described = await clients.ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [
        { Name: 'interface-type', Values: ['lambda'] },
        { Name: 'vpc-id', Values: [vpc.vpcId] },
      ],
    }),
  );
  return described.NetworkInterfaces ?? [];
}

async function configuration(name: string) {
  return clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
}

async function bindNewAddress(networkInterfaceId: string): Promise<string> {
  const address = await clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  await clients.ec2.send(
    new AssociateAddressCommand({
      AllocationId: address.AllocationId,
      NetworkInterfaceId: networkInterfaceId,
      AllowReassociation: false,
    }),
  );
  return address.PublicIp as string;
}

describe('Hyperplane ENIs', () => {
  it('creates one ENI per (subnet, security-group set) and shares it between functions', async () => {
    await sim.createFunction({
      name: 'a',
      subnetIds: [subnet(0), subnet(1)],
      securityGroupIds: [group(0), group(1)],
    });
    // Same set in another order, with a repeat: the same combination.
    await sim.createFunction({
      name: 'b',
      subnetIds: [subnet(1), subnet(0)],
      securityGroupIds: [group(1), group(0), group(1)],
    });

    const enis = await lambdaEnis();
    expect(enis).toHaveLength(2);
    expect(new Set(enis.map((eni) => eni.SubnetId))).toEqual(new Set([subnet(0), subnet(1)]));
    for (const eni of enis) {
      expect(eni).toMatchObject({ InterfaceType: 'lambda', Status: 'in-use' });
      expect(eni.Description).toMatch(/^AWS Lambda VPC ENI-a-[0-9a-f-]{36}$/);
      expect(eni.Groups?.map((g) => g.GroupId).sort()).toEqual([group(0), group(1)].sort());
    }
    await sim.advance(SWITCH);
    expect([...sim.describe('a').servingEniIds].sort()).toEqual([...sim.describe('b').servingEniIds].sort());
  });

  it('gives a distinct security-group set its own ENIs, even in the same subnet', async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.createFunction({ name: 'b', subnetIds: [subnet(0)], securityGroupIds: [group(0), group(1)] });
    await sim.createFunction({ name: 'c', subnetIds: [subnet(0)], securityGroupIds: [group(1)] });
    expect(await lambdaEnis()).toHaveLength(3);
  });

  it('keeps a new function Pending until its ENIs are ready, then Active', async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    expect(await configuration('a')).toMatchObject({ State: 'Pending', StateReasonCode: 'Creating' });
    expect(sim.describe('a').servingEniIds).toEqual([]);

    await sim.advance(SWITCH - 1);
    expect((await configuration('a')).State).toBe('Pending');
    await sim.advance(1);
    expect((await configuration('a')).State).toBe('Active');
    expect(sim.describe('a').servingEniIds).toHaveLength(1);
  });

  it('reports the real VPC id through the Lambda API', async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    expect((await configuration('a')).VpcConfig?.VpcId).toBe(vpc.vpcId);
  });
});

describe('VPC configuration change', () => {
  it('creates the new ENIs first, keeps traffic on the old ones while InProgress, then switches and deletes them', async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0), subnet(1)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    const before = [...sim.describe('a').servingEniIds].sort();

    await sim.updateVpcConfig('a', { subnetIds: [subnet(0), subnet(1)], securityGroupIds: [group(1)] });
    expect(await configuration('a')).toMatchObject({ State: 'Active', LastUpdateStatus: 'InProgress' });
    expect(await lambdaEnis()).toHaveLength(4);
    expect([...sim.describe('a').servingEniIds].sort()).toEqual(before);

    await expect(
      sim.updateVpcConfig('a', { subnetIds: [subnet(0)], securityGroupIds: [group(2)] }),
    ).rejects.toBeInstanceOf(ResourceConflictError);

    await sim.advance(SWITCH);
    expect((await configuration('a')).LastUpdateStatus).toBe('Successful');
    const after = sim.describe('a').servingEniIds;
    expect(after).toHaveLength(2);
    expect(after.some((id) => before.includes(id))).toBe(false);
    // The old combination's ENIs carry nothing now; Lambda deletes them after the deletion delay.
    await sim.advance(sim.timings.eniDeletionDelayMs);
    expect((await lambdaEnis()).map((eni) => eni.NetworkInterfaceId).sort()).toEqual([...after].sort());
  });

  it('keeps ENIs nothing uses for the deletion delay, 20 minutes by default as AWS documents', async () => {
    expect(sim.timings.eniDeletionDelayMs).toBe(20 * 60_000);
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    await sim.updateVpcConfig('a', { subnetIds: [subnet(0)], securityGroupIds: [group(1)] });
    await sim.advance(SWITCH);
    expect(await lambdaEnis()).toHaveLength(2);
    expect(sim.enis().filter((eni) => eni.deletingAt !== undefined)).toHaveLength(1);
    await sim.advance(20 * 60_000 - 1);
    expect(await lambdaEnis()).toHaveLength(2);
    await sim.advance(1);
    expect(await lambdaEnis()).toHaveLength(1);
  });

  it('keeps the ENIs of a published version after $LATEST moves away', async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    expect(await sim.publishVersion('a')).toBe('1');
    await sim.updateVpcConfig('a', { subnetIds: [subnet(0)], securityGroupIds: [group(1)] });
    await sim.advance(SWITCH);
    expect(await lambdaEnis()).toHaveLength(2);

    const versions = await clients.lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
    const published = versions.Functions?.find((f) => f.FunctionName === 'a' && f.Version === '1');
    expect(published?.VpcConfig?.SecurityGroupIds).toEqual([group(0)]);
  });
});

describe('scale-out, idle reclaim and delete', () => {
  it('adds a second ENI to a combination, with no Elastic IP, serving after the switch delay', async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    const [original] = sim.describe('a').servingEniIds;
    await bindNewAddress(original as string);

    const [added] = await sim.scaleOut('a');
    expect(sim.enisOf(subnet(0), [group(0)])).toHaveLength(2);
    const described = (await lambdaEnis()).find((eni) => eni.NetworkInterfaceId === added);
    expect(described?.Association).toBeUndefined();
    expect(sim.describe('a').servingEniIds).toEqual([original]);

    await sim.advance(SWITCH);
    expect([...sim.describe('a').servingEniIds].sort()).toEqual([original, added].sort());
  });

  it('reclaims an idle function: Inactive, ENIs deleted, then new ENIs with new ids on the next invoke', async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    const [old] = sim.describe('a').servingEniIds;
    const ip = await bindNewAddress(old as string);
    expect(await sim.invoke('a')).toEqual({ ok: true, egressIps: [ip] });

    await sim.idleReclaim('a');
    expect(await configuration('a')).toMatchObject({ State: 'Inactive', StateReasonCode: 'Idle' });
    expect(await lambdaEnis()).toHaveLength(0);

    expect(await sim.invoke('a')).toEqual({ ok: false, error: 'ResourceNotReadyException' });
    expect((await configuration('a')).State).toBe('Pending');
    const fresh = await lambdaEnis();
    expect(fresh).toHaveLength(1);
    expect(fresh[0]?.NetworkInterfaceId).not.toBe(old);
    expect(fresh[0]?.Association).toBeUndefined();

    await sim.advance(SWITCH);
    expect((await configuration('a')).State).toBe('Active');
    expect(await sim.invoke('a')).toEqual({ ok: true, egressIps: [undefined] });
  });

  it('keeps an ENI another active function shares when one function is reclaimed or deleted', async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.createFunction({ name: 'b', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.createFunction({ name: 'c', subnetIds: [subnet(1)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);

    await sim.idleReclaim('a');
    expect(await lambdaEnis()).toHaveLength(2);
    await sim.deleteFunction('b');
    // a is Inactive and b is gone: nothing active uses subnet 0 any more.
    await sim.advance(sim.timings.eniDeletionDelayMs);
    expect((await lambdaEnis()).map((eni) => eni.SubnetId)).toEqual([subnet(1)]);
    await sim.deleteFunction('c');
    await sim.advance(sim.timings.eniDeletionDelayMs);
    expect(await lambdaEnis()).toHaveLength(0);
  });
});

describe('functions created through the Lambda API (adopt)', () => {
  it('plays them like its own: Pending then Active on ENIs shared with its functions, retired when deleted', async () => {
    await sim.createFunction({ name: 'own', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    const [shared] = sim.describe('own').servingEniIds;
    const role = await ensureExecutionRole(createIamClient(localAws().clientOptions()), 'adopt-test');
    const create = (name: string, subnetId: string) =>
      clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: role,
          Code: { ZipFile: Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]) },
          VpcConfig: { SubnetIds: [subnetId], SecurityGroupIds: [group(0)] },
        }),
      );
    await create('same-combination', subnet(0));
    await create('new-combination', subnet(1));
    expect((await sim.adopt()).sort()).toEqual(['new-combination', 'same-combination']);
    expect(await sim.adopt()).toEqual([]);
    // The known combination is reused at once; the new one waits for its ENI.
    expect(sim.describe('new-combination').state).toBe('Pending');
    expect((await lambdaEnis()).map((eni) => eni.SubnetId).sort()).toEqual([subnet(0), subnet(1)].sort());
    await sim.advance(SWITCH);
    expect(sim.describe('same-combination')).toMatchObject({ state: 'Active', servingEniIds: [shared] });
    expect(sim.describe('new-combination').state).toBe('Active');
    const state = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'new-combination' }),
    );
    expect(state.State).toBe('Active');

    await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: 'new-combination' }));
    await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: 'same-combination' }));
    await sim.adopt();
    expect(sim.functionNames()).toEqual(['own']);
    await sim.advance(sim.timings.eniDeletionDelayMs);
    // subnet 1's ENI retired; the one 'own' still uses stays.
    expect((await lambdaEnis()).map((eni) => eni.NetworkInterfaceId)).toEqual([shared]);
  });
});

describe('timeline', () => {
  it('records which ENI served each function and whether it had an Elastic IP, to the millisecond', async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    const start = sim.clock.now();
    await sim.advance(30_000);
    const [eni] = sim.describe('a').servingEniIds;
    const ip = await bindNewAddress(eni as string);
    await sim.sample();
    await sim.advance(60_000);

    expect(sim.timeline.outages('a', sim.clock.now())).toEqual([
      { functionName: 'a', from: start, to: start + 30_000, networkInterfaceIds: [eni] },
    ]);
    expect(sim.timeline.downtimeMs('a', sim.clock.now())).toBe(30_000);
    expect(sim.timeline.egressIps('a')).toEqual([ip]);
  });

  it('counts a scale-out ENI without an IP as downtime from the moment it takes traffic', async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    await bindNewAddress(sim.describe('a').servingEniIds[0] as string);
    await sim.sample();
    const [added] = await sim.scaleOut('a');
    await sim.advance(SWITCH + 10_000);
    await bindNewAddress(added as string);
    await sim.sample();
    expect(sim.timeline.downtimeMs('a', sim.clock.now())).toBe(10_000);
  });
});

describe('timeline: egress through a NAT gateway', () => {
  it("counts an ENI without an IP in a subnet routed to an available NAT gateway as egress from the gateway's address", async () => {
    const address = await clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const natId = (
      await clients.ec2.send(
        new CreateNatGatewayCommand({ SubnetId: subnet(0), AllocationId: address.AllocationId }),
      )
    ).NatGateway?.NatGatewayId as string;
    const privateSubnet = vpc.privateSubnetIds[0] as string;
    await sim.createFunction({ name: 'a', subnetIds: [privateSubnet], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    const start = sim.clock.now();
    await sim.advance(20_000);
    // No route yet: a private subnet gives no way out.
    await clients.ec2.send(
      new CreateRouteCommand({
        RouteTableId: vpc.routeTableIds[privateSubnet],
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: natId,
      }),
    );
    await sim.sample();
    await sim.advance(30_000);
    const routed = start + 20_000;
    expect(sim.timeline.entries('a').at(-1)?.serving).toEqual([
      {
        networkInterfaceId: sim.describe('a').servingEniIds[0],
        subnetId: privateSubnet,
        publicIp: address.PublicIp,
        allocationId: address.AllocationId,
        via: 'nat-gateway',
        natGatewayId: natId,
      },
    ]);
    expect(await sim.invoke('a')).toEqual({ ok: true, egressIps: [address.PublicIp] });

    // A deleted gateway carries nothing, although the route stays (a blackhole in AWS).
    await clients.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    await sim.sample();
    await sim.advance(10_000);
    expect(sim.timeline.outages('a', sim.clock.now()).map(({ from, to }) => [from, to])).toEqual([
      [start, routed],
      [routed + 30_000, routed + 40_000],
    ]);
    expect(sim.timeline.egressIps('a')).toEqual([address.PublicIp]);
  });
});

describe('timeline: egress follows the routes', () => {
  it('gives an Elastic IP on an ENI in a private subnet no egress: nothing routes it to the internet', async () => {
    const privateSubnet = vpc.privateSubnetIds[0] as string;
    await sim.createFunction({ name: 'a', subnetIds: [privateSubnet], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    const [eni] = sim.describe('a').servingEniIds;
    const start = sim.clock.now();
    // EC2 accepts the association (the VPC has an internet gateway); only this subnet does not route to it.
    await bindNewAddress(eni as string);
    await sim.sample();
    await sim.advance(60_000);

    expect(sim.timeline.entries('a').at(-1)?.serving).toEqual([
      { networkInterfaceId: eni, subnetId: privateSubnet },
    ]);
    expect(sim.timeline.outages('a', sim.clock.now()).at(-1)?.to).toBe(start + 60_000);
    expect(sim.timeline.egressIps('a')).toEqual([]);
    expect(await sim.invoke('a')).toEqual({ ok: true, egressIps: [undefined] });
  });

  it('gives no egress through a NAT gateway that sits in a private subnet itself', async () => {
    const [privateA, privateB] = vpc.privateSubnetIds as [string, string];
    const address = await clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const natId = (
      await clients.ec2.send(
        new CreateNatGatewayCommand({ SubnetId: privateB, AllocationId: address.AllocationId }),
      )
    ).NatGateway?.NatGatewayId as string;
    await clients.ec2.send(
      new CreateRouteCommand({
        RouteTableId: vpc.routeTableIds[privateA],
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: natId,
      }),
    );
    await sim.createFunction({ name: 'a', subnetIds: [privateA], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH + 30_000);
    expect(sim.timeline.downtimeMs('a', sim.clock.now())).toBe(30_000);
    expect(sim.timeline.egressIps('a')).toEqual([]);
  });

  it("follows the VPC's main route table for a subnet that has no route table of its own", async () => {
    const created = await clients.ec2.send(
      new CreateSubnetCommand({ VpcId: vpc.vpcId, CidrBlock: '10.42.200.0/24' }),
    );
    const bare = created.Subnet?.SubnetId as string;
    await sim.createFunction({ name: 'a', subnetIds: [bare], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    const ip = await bindNewAddress(sim.describe('a').servingEniIds[0] as string);
    await sim.sample();
    // The main table routes only within the VPC: no way out yet.
    expect(sim.timeline.egressIps('a')).toEqual([]);

    const tables = await clients.ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpc.vpcId] },
          { Name: 'association.main', Values: ['true'] },
        ],
      }),
    );
    await clients.ec2.send(
      new CreateRouteCommand({
        RouteTableId: tables.RouteTables?.[0]?.RouteTableId,
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: vpc.internetGatewayId,
      }),
    );
    await sim.sample();
    expect(sim.timeline.egressIps('a')).toEqual([ip]);
  });
});

describe('versions and aliases on the timeline', () => {
  it('keeps a version and its alias serving on their older ENIs after $LATEST moves, and shows each', async () => {
    await sim.createFunction({ name: 'api', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    const [old] = sim.describe('api').servingEniIds;
    const ip = await bindNewAddress(old as string);
    const version = await sim.publishVersion('api');
    await sim.setAlias('api', 'live', version);
    await sim.updateVpcConfig('api', { subnetIds: [subnet(0)], securityGroupIds: [group(1)] });
    await sim.advance(SWITCH);

    const [fresh] = sim.describe('api').servingEniIds;
    expect(fresh).not.toBe(old);
    const serving = (name: string) =>
      sim.timeline
        .entries(name)
        .at(-1)
        ?.serving.map((eni) => [eni.networkInterfaceId, eni.publicIp]);
    expect(sim.timeline.functionNames()).toEqual(['api', `api:${version}`, 'api:live']);
    expect(serving('api')).toEqual([[fresh, undefined]]);
    expect(serving(`api:${version}`)).toEqual([[old, ip]]);
    expect(serving('api:live')).toEqual([[old, ip]]);

    // Still in use by the version: Lambda never deletes it, however long it waits.
    await sim.advance(sim.timings.eniDeletionDelayMs + 1);
    expect(sim.enis().map((eni) => eni.id)).toContain(old);
    expect(sim.timeline.downtimeMs(`api:${version}`, sim.clock.now())).toBe(0);

    // The alias moved to $LATEST serves from the new ENI, which has no IP: the timeline shows it.
    await sim.setAlias('api', 'live', '$LATEST');
    await sim.advance(10_000);
    expect(serving('api:live')).toEqual([[fresh, undefined]]);
    expect(sim.timeline.downtimeMs('api:live', sim.clock.now())).toBe(10_000);
  });
});

describe('CloudTrail events', () => {
  it("emits CreateNetworkInterface / DeleteNetworkInterface for Lambda's ENIs and the user's Lambda calls", async () => {
    await sim.createFunction({ name: 'a', subnetIds: [subnet(0)], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    await sim.updateVpcConfig('a', { subnetIds: [subnet(0)], securityGroupIds: [group(1)] });
    await sim.advance(SWITCH + sim.timings.eniDeletionDelayMs);

    const names = events.map((event) => `${event.source}:${event.detail.eventName}`);
    expect(names).toEqual([
      'aws.lambda:CreateFunction20150331',
      'aws.ec2:CreateNetworkInterface',
      'aws.lambda:UpdateFunctionConfiguration20150331v2',
      'aws.ec2:CreateNetworkInterface',
      'aws.ec2:DeleteNetworkInterface',
    ]);
    const created = events[3]?.detail.responseElements as { networkInterface: Record<string, unknown> };
    expect(created.networkInterface).toMatchObject({ interfaceType: 'lambda', subnetId: subnet(0) });
    expect(sim.describe('a').servingEniIds).toEqual([created.networkInterface.networkInterfaceId]);
  });
});

describe('ipsTakenFromServingEnis', () => {
  it('counts an IP that leaves, or is swapped on, an ENI while it serves, and nothing else', () => {
    const timeline = new Timeline();
    const eni = (networkInterfaceId: string, publicIp?: string) => ({
      networkInterfaceId,
      subnetId: 'subnet-a',
      ...(publicIp ? { publicIp, allocationId: `eipalloc-${publicIp}` } : {}),
    });
    timeline.record(0, 'api', [eni('eni-1')]);
    timeline.record(1, 'api', [eni('eni-1', '1.1.1.1')]);
    timeline.record(2, 'api', [eni('eni-2')]);
    timeline.record(3, 'api', [eni('eni-2', '1.1.1.1')]);
    expect(ipsTakenFromServingEnis(timeline)).toBe(0);
    timeline.record(4, 'api', [eni('eni-2')]);
    timeline.record(5, 'api', [eni('eni-2', '2.2.2.2')]);
    timeline.record(6, 'api', [eni('eni-2', '3.3.3.3')]);
    expect(ipsTakenFromServingEnis(timeline)).toBe(2);
  });
});

describe('createLambdaWorld', () => {
  it('builds VPC, security groups, an execution role and Active VPC functions with their ENIs in one call', async () => {
    await localAws().reset();
    const world = await createLambdaWorld(localAws(), {
      name: 'world',
      functions: [
        { name: 'api', pool: 'shop' },
        { name: 'worker', securityGroups: [0] },
        { name: 'internal', subnets: 'private', securityGroups: [1] },
      ],
    });
    expect(world.roleArn).toMatch(/^arn:aws:iam::\d{12}:role\/lsi-fixture-execution$/);
    expect(world.functions.map((fn) => [fn.name, fn.state])).toEqual([
      ['api', 'Active'],
      ['internal', 'Active'],
      ['worker', 'Active'],
    ]);
    // api and worker share one ENI per public subnet; internal has its own in each private subnet.
    const enis =
      (
        await localAws()
          .clients()
          .ec2.send(
            new DescribeNetworkInterfacesCommand({
              Filters: [
                { Name: 'interface-type', Values: ['lambda'] },
                { Name: 'vpc-id', Values: [world.vpc.vpcId] },
              ],
            }),
          )
      ).NetworkInterfaces ?? [];
    expect(enis).toHaveLength(world.vpc.publicSubnetIds.length + world.vpc.privateSubnetIds.length);
    const config = await localAws()
      .clients()
      .lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'api' }));
    expect(config).toMatchObject({
      Role: world.roleArn,
      State: 'Active',
      VpcConfig: { VpcId: world.vpc.vpcId },
    });
  });
});
