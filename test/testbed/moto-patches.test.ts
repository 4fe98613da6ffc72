import {
  type AccountAttributeName,
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateNatGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateTagsCommand,
  DeleteNatGatewayCommand,
  DeleteNetworkInterfaceCommand,
  DeleteTagsCommand,
  DescribeAccountAttributesCommand,
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DisassociateAddressCommand,
  type EC2Client,
  type NetworkInterfaceCreationType,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AwsClients,
  clientConfig,
  createEventBridgeClient,
  createIamClient,
} from '../../src/aws/clients.js';
import {
  addDualStack,
  createNetworkLoadBalancer,
  createVpcFixture,
  deleteLoadBalancer,
  type VpcFixture,
} from '../../testbed/index.js';
import { useLocalAws } from '../support/local-aws.js';

const localAws = useLocalAws();
let clients: AwsClients;
let vpc: VpcFixture;

beforeEach(async () => {
  await localAws().reset();
  await localAws().configure({ eipQuota: 5 });
  clients = localAws().clients();
  vpc = await createVpcFixture(clients.ec2);
});

async function lambdaEni(ec2: EC2Client, subnetId: string, groups: readonly string[]): Promise<string> {
  const created = await ec2.send(
    new CreateNetworkInterfaceCommand({
      SubnetId: subnetId,
      Groups: [...groups],
      Description: 'AWS Lambda VPC ENI-test-0000',
      InterfaceType: 'lambda' as string as NetworkInterfaceCreationType,
    }),
  );
  return created.NetworkInterface?.NetworkInterfaceId as string;
}

async function allocate(ec2: EC2Client): Promise<{ allocationId: string; publicIp: string }> {
  const address = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  return { allocationId: address.AllocationId as string, publicIp: address.PublicIp as string };
}

async function address(ec2: EC2Client, allocationId: string) {
  const described = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }));
  return described.Addresses?.[0];
}

async function eni(ec2: EC2Client, id: string) {
  const described = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
  return described.NetworkInterfaces?.[0];
}

/** An Elastic IP already bound to a Lambda ENI: what a NAT gateway or an NLB must not be given. */
async function addressOnLambdaEni() {
  const ip = await allocate(clients.ec2);
  const lambdaId = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
  await clients.ec2.send(
    new AssociateAddressCommand({
      AllocationId: ip.allocationId,
      NetworkInterfaceId: lambdaId,
      AllowReassociation: false,
    }),
  );
  return { ip, lambdaId };
}

function errorName(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'no error',
    (error: Error) => error.name,
  );
}

describe('ENIs', () => {
  it('honours InterfaceType: a lambda ENI reads in-use and attached to amazon-aws, like a Hyperplane ENI', async () => {
    const lambdaId = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    const plain = await clients.ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: vpc.publicSubnetIds[0] }),
    );

    const described = await eni(clients.ec2, lambdaId);
    expect(described).toMatchObject({ InterfaceType: 'lambda', Status: 'in-use', RequesterManaged: false });
    expect(described?.Attachment?.InstanceOwnerId).toBe('amazon-aws');
    expect(described?.Attachment?.AttachmentId).toMatch(/^ela-attach-/);
    expect(plain.NetworkInterface).toMatchObject({ InterfaceType: 'interface', Status: 'available' });

    const filtered = await clients.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'interface-type', Values: ['lambda'] }] }),
    );
    expect(filtered.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([lambdaId]);
  });

  it('drops the association of an Elastic IP when Lambda deletes its ENI; the address stays allocated', async () => {
    const id = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    const ip = await allocate(clients.ec2);
    await clients.ec2.send(
      new AssociateAddressCommand({
        AllocationId: ip.allocationId,
        NetworkInterfaceId: id,
        AllowReassociation: false,
      }),
    );
    // Lambda deletes its own ENIs (the simulator plays it with the service clients).
    await localAws()
      .serviceClients()
      .ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id }));

    const after = await address(clients.ec2, ip.allocationId);
    expect(after?.AllocationId).toBe(ip.allocationId);
    expect(after?.AssociationId).toBeUndefined();
    expect(after?.NetworkInterfaceId).toBeUndefined();
    const log = await localAws().associations();
    expect(log.events.at(-1)).toMatchObject({
      event: 'dropped',
      allocationId: ip.allocationId,
      networkInterfaceId: id,
    });
  });

  it('refuses to let the account delete an in-use Lambda ENI (InvalidNetworkInterface.InUse): only Lambda deletes it', async () => {
    // AWS: "InvalidNetworkInterface.InUse: The specified interface is currently in use and cannot be
    // deleted" (EC2 API error codes); a Lambda ENI's ela-attach attachment cannot be detached either.
    const id = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    const refused = clients.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id }));
    expect(await errorName(refused)).toBe('InvalidNetworkInterface.InUse');
    expect((await eni(clients.ec2, id))?.Status).toBe('in-use');

    // An ENI of the account's own (not Lambda's, not in use) is deleted as usual.
    const plain = await clients.ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: vpc.publicSubnetIds[0] }),
    );
    const plainId = plain.NetworkInterface?.NetworkInterfaceId as string;
    await clients.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: plainId }));
    expect(await errorName(eni(clients.ec2, plainId))).toBe('InvalidNetworkInterfaceID.NotFound');
  });

  it('pages DescribeNetworkInterfaces with MaxResults and NextToken, and rejects a page size under 5', async () => {
    const ids = new Set<string>();
    for (let index = 0; index < 12; index++) {
      ids.add(await lambdaEni(clients.ec2, vpc.publicSubnetIds[index % 2] as string, vpc.securityGroupIds));
    }
    const seen: string[] = [];
    let pages = 0;
    let token: string | undefined;
    do {
      const page = await clients.ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'interface-type', Values: ['lambda'] }],
          MaxResults: 5,
          NextToken: token,
        }),
      );
      pages++;
      expect(page.NetworkInterfaces?.length).toBeLessThanOrEqual(5);
      seen.push(...(page.NetworkInterfaces ?? []).map((n) => n.NetworkInterfaceId as string));
      token = page.NextToken;
    } while (token);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(ids);
    expect(seen).toHaveLength(12);

    expect(await errorName(clients.ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 4 })))).toBe(
      'InvalidParameterValue',
    );
  });
});

describe('Elastic IPs', () => {
  it('displaces the address an ENI already holds when a second one is associated', async () => {
    const id = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    const first = await allocate(clients.ec2);
    const second = await allocate(clients.ec2);
    for (const ip of [first, second]) {
      await clients.ec2.send(
        new AssociateAddressCommand({
          AllocationId: ip.allocationId,
          NetworkInterfaceId: id,
          AllowReassociation: false,
        }),
      );
    }
    expect((await address(clients.ec2, first.allocationId))?.NetworkInterfaceId).toBeUndefined();
    expect((await address(clients.ec2, second.allocationId))?.NetworkInterfaceId).toBe(id);
    expect((await eni(clients.ec2, id))?.Association?.PublicIp).toBe(second.publicIp);
    // The end state cannot show the displacement (one address per ENI, as in AWS); the log does.
    const log = await localAws().associations();
    expect(log.displacements).toBe(1);
    expect(log.events.map((event) => [event.event, event.allocationId, event.networkInterfaceId])).toEqual([
      ['associated', first.allocationId, id],
      ['displaced', first.allocationId, id],
      ['associated', second.allocationId, id],
    ]);
    expect(log.events[1]?.by).toBe(second.allocationId);
  });

  it('refuses to move a bound address without AllowReassociation, and leaves no IP behind when it moves', async () => {
    const from = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    const to = await lambdaEni(clients.ec2, vpc.publicSubnetIds[1] as string, vpc.securityGroupIds);
    const ip = await allocate(clients.ec2);
    await clients.ec2.send(
      new AssociateAddressCommand({
        AllocationId: ip.allocationId,
        NetworkInterfaceId: from,
        AllowReassociation: false,
      }),
    );

    const refused = clients.ec2.send(
      new AssociateAddressCommand({
        AllocationId: ip.allocationId,
        NetworkInterfaceId: to,
        AllowReassociation: false,
      }),
    );
    expect(await errorName(refused)).toBe('Resource.AlreadyAssociated');

    await clients.ec2.send(
      new AssociateAddressCommand({
        AllocationId: ip.allocationId,
        NetworkInterfaceId: to,
        AllowReassociation: true,
      }),
    );
    expect((await eni(clients.ec2, from))?.Association).toBeUndefined();
    expect((await eni(clients.ec2, to))?.Association?.PublicIp).toBe(ip.publicIp);
  });

  it('fails with Gateway.NotAttached on an ENI in a VPC without an internet gateway', async () => {
    const isolated = await createVpcFixture(clients.ec2, {
      cidr: '10.43.0.0/16',
      internetGateway: false,
      name: 'isolated',
    });
    const id = await lambdaEni(clients.ec2, isolated.publicSubnetIds[0] as string, isolated.securityGroupIds);
    const ip = await allocate(clients.ec2);
    const refused = clients.ec2.send(
      new AssociateAddressCommand({
        AllocationId: ip.allocationId,
        NetworkInterfaceId: id,
        AllowReassociation: false,
      }),
    );
    expect(await errorName(refused)).toBe('Gateway.NotAttached');
  });

  it('refuses to release an associated address with InvalidIPAddress.InUse', async () => {
    const id = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    const ip = await allocate(clients.ec2);
    const association = await clients.ec2.send(
      new AssociateAddressCommand({
        AllocationId: ip.allocationId,
        NetworkInterfaceId: id,
        AllowReassociation: false,
      }),
    );
    expect(
      await errorName(clients.ec2.send(new ReleaseAddressCommand({ AllocationId: ip.allocationId }))),
    ).toBe('InvalidIPAddress.InUse');

    await clients.ec2.send(new DisassociateAddressCommand({ AssociationId: association.AssociationId }));
    await clients.ec2.send(new ReleaseAddressCommand({ AllocationId: ip.allocationId }));
    const remaining = await clients.ec2.send(new DescribeAddressesCommand({}));
    expect(remaining.Addresses ?? []).toHaveLength(0);
  });

  it('enforces the per-Region quota with AddressLimitExceeded and reports it as vpc-max-elastic-ips', async () => {
    await localAws().configure({ eipQuota: 3 });
    for (let index = 0; index < 3; index++) await allocate(clients.ec2);
    expect(await errorName(allocate(clients.ec2))).toBe('AddressLimitExceeded');

    // Another Region has its own quota.
    const west = localAws().clients('us-west-2');
    await allocate(west.ec2);

    const attributes = await clients.ec2.send(
      new DescribeAccountAttributesCommand({
        AttributeNames: ['vpc-max-elastic-ips' as string as AccountAttributeName],
      }),
    );
    const quota = attributes.AccountAttributes?.find((a) => a.AttributeName === 'vpc-max-elastic-ips');
    expect(quota?.AttributeValues?.[0]?.AttributeValue).toBe('3');
  });

  it('omits InstanceId and NetworkInterfaceId of an unassociated address, as AWS does', async () => {
    const ip = await allocate(clients.ec2);
    const described = await address(clients.ec2, ip.allocationId);
    expect(described).toBeDefined();
    expect(described && 'InstanceId' in described).toBe(false);
    expect(described && 'NetworkInterfaceId' in described).toBe(false);
  });

  it('returns every address from DescribeAddresses in one response (the EC2 API has no paging for it)', async () => {
    await localAws().configure({ eipQuota: 20 });
    for (let index = 0; index < 12; index++) await allocate(clients.ec2);
    const described = await clients.ec2.send(new DescribeAddressesCommand({}));
    expect(described.Addresses).toHaveLength(12);
  });

  it('reports the network border group of an address: the Region, or the one AllocateAddress named', async () => {
    const plain = await allocate(clients.ec2);
    const local = await clients.ec2.send(
      new AllocateAddressCommand({ Domain: 'vpc', NetworkBorderGroup: 'us-east-1-bos-1' }),
    );
    expect((await address(clients.ec2, plain.allocationId))?.NetworkBorderGroup).toBe('us-east-1');
    expect((await address(clients.ec2, local.AllocationId as string))?.NetworkBorderGroup).toBe(
      'us-east-1-bos-1',
    );
  });
});

describe('speed patches (no fidelity change)', () => {
  it('describes each resource with its own tags only, in the order they were set, and drops a deleted tag', async () => {
    const first = await allocate(clients.ec2);
    const second = await allocate(clients.ec2);
    const eniId = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    await clients.ec2.send(
      new CreateTagsCommand({
        Resources: [first.allocationId, eniId],
        Tags: [
          { Key: 'b', Value: '1' },
          { Key: 'a', Value: '2' },
        ],
      }),
    );
    await clients.ec2.send(
      new CreateTagsCommand({ Resources: [second.allocationId], Tags: [{ Key: 'c', Value: '3' }] }),
    );
    await clients.ec2.send(new DeleteTagsCommand({ Resources: [first.allocationId], Tags: [{ Key: 'b' }] }));

    expect((await address(clients.ec2, first.allocationId))?.Tags).toEqual([{ Key: 'a', Value: '2' }]);
    expect((await address(clients.ec2, second.allocationId))?.Tags).toEqual([{ Key: 'c', Value: '3' }]);
    expect((await eni(clients.ec2, eniId))?.TagSet).toEqual([
      { Key: 'b', Value: '1' },
      { Key: 'a', Value: '2' },
    ]);
  });
});

describe('eventual consistency (off unless configured)', () => {
  afterEach(async () => {
    await localAws().configure({ consistency: {} });
  });

  it('hides a new address from DescribeAddresses and AssociateAddress for the configured calls', async () => {
    const id = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    await localAws().configure({ consistency: { newAddressCalls: 2 } });
    const ip = await allocate(clients.ec2);
    const listed = async () =>
      ((await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? []).map((a) => a.AllocationId);
    expect(await listed()).toEqual([]);
    const associate = () =>
      clients.ec2.send(
        new AssociateAddressCommand({
          AllocationId: ip.allocationId,
          NetworkInterfaceId: id,
          AllowReassociation: false,
        }),
      );
    expect(await errorName(associate())).toBe('InvalidAllocationID.NotFound');
    expect(await listed()).toEqual([ip.allocationId]);
    expect(await errorName(associate())).toBe('no error');
  });

  it('hides a new ENI from DescribeNetworkInterfaces for the configured time; naming it is NotFound', async () => {
    await localAws().configure({ consistency: { ms: 400 } });
    const id = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    expect(await errorName(eni(clients.ec2, id))).toBe('InvalidNetworkInterfaceID.NotFound');
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await eni(clients.ec2, id))?.NetworkInterfaceId).toBe(id);
  });
});

describe('stale reads (off unless configured)', () => {
  afterEach(async () => {
    await localAws().configure({ staleReads: {} });
  });

  it('answers DescribeAddresses and DescribeNetworkInterfaces as of one earlier moment each, as EC2’s eventual consistency may', async () => {
    // AWS: "the result of an API command you run that affects your Amazon EC2 resources might not be
    // immediately visible to all subsequent commands you run" (EC2 developer guide, eventual consistency).
    const id = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    const [first, second] = [await allocate(clients.ec2), await allocate(clients.ec2)];
    await localAws().configure({ staleReads: { maxMs: 5_000, seed: 3 } });
    // The states the ENI goes through, in order: nothing, first, nothing, second.
    const bind = (allocationId: string) =>
      clients.ec2.send(
        new AssociateAddressCommand({
          AllocationId: allocationId,
          NetworkInterfaceId: id,
          AllowReassociation: false,
        }),
      );
    const firstAssociation = await bind(first.allocationId);
    await clients.ec2.send(new DisassociateAddressCommand({ AssociationId: firstAssociation.AssociationId }));
    await bind(second.allocationId);
    const states = [[], [first.allocationId], [], [second.allocationId]].map((held) => JSON.stringify(held));

    const seen = new Set<string>();
    for (let index = 0; index < 12; index++) {
      // One describe is one moment: the addresses it lists, its filter and the ENI side of each association
      // agree with one of the states the ENI went through, never a mix of two.
      const all = (await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
      const onEni = all.filter((a) => a.NetworkInterfaceId === id).map((a) => a.AllocationId);
      expect(states).toContain(JSON.stringify(onEni));
      for (const a of all.filter((candidate) => candidate.NetworkInterfaceId === id))
        expect(a.AssociationId).toMatch(/^eipassoc-/);
      const filtered = await clients.ec2.send(
        new DescribeAddressesCommand({ Filters: [{ Name: 'network-interface-id', Values: [id] }] }),
      );
      expect(states).toContain(JSON.stringify((filtered.Addresses ?? []).map((a) => a.AllocationId)));
      const association = (await eni(clients.ec2, id))?.Association;
      expect(states).toContain(JSON.stringify(association?.AllocationId ? [association.AllocationId] : []));
      if (association)
        expect(association.PublicIp).toBe(
          association.AllocationId === first.allocationId ? first.publicIp : second.publicIp,
        );
      seen.add(JSON.stringify(onEni));
    }
    // Some answers were behind the current state, and the local AWS counted them.
    expect([...seen].some((state) => state !== states[3])).toBe(true);
    expect((await localAws().associations()).staleAnswers).toBeGreaterThan(0);

    // Writes act on the truth: the first address is free now, whatever a describe says.
    await bind(first.allocationId).catch(() => undefined);
    // Callers playing AWS itself read the truth; so does everyone once stale reads are off again.
    const truth = localAws().serviceClients();
    expect((await eni(truth.ec2, id))?.Association?.AllocationId).toBe(first.allocationId);
    await localAws().configure({ staleReads: {} });
    expect((await eni(clients.ec2, id))?.Association?.AllocationId).toBe(first.allocationId);
  });

  it('draws the same staleness for the same calls with the same seed, and says it in each answer', async () => {
    const id = await lambdaEni(clients.ec2, vpc.publicSubnetIds[0] as string, vpc.securityGroupIds);
    const reader = localAws().clients().ec2;
    const drawn: string[] = [];
    reader.middlewareStack.add(
      (next) => async (args) => {
        const output = await next(args);
        drawn.push((output.response as { headers: Record<string, string> }).headers['x-lsi-stale-ms'] ?? '');
        return output;
      },
      { step: 'deserialize', name: 'recordStaleness' },
    );
    const draws = async (seed: number) => {
      drawn.length = 0;
      await localAws().configure({ staleReads: { maxMs: 1_000, seed } });
      for (let index = 0; index < 6; index++) await eni(reader, id);
      return [...drawn];
    };
    const once = await draws(5);
    expect(once.every((ms) => Number(ms) >= 0 && Number(ms) <= 1_000)).toBe(true);
    expect(await draws(5)).toEqual(once);
    expect(await draws(6)).not.toEqual(once);
  });

  it('refuses a malformed setting with a message naming it', async () => {
    const response = await fetch(`${localAws().endpoint}/_testbed/config`, {
      method: 'POST',
      body: JSON.stringify({ staleReads: { maxMs: -1 } }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/staleReads takes non-negative integers/);
  });
});

describe('NAT gateways', () => {
  async function natGateway(allocationId: string) {
    const created = await clients.ec2.send(
      new CreateNatGatewayCommand({ SubnetId: vpc.publicSubnetIds[0], AllocationId: allocationId }),
    );
    return created.NatGateway?.NatGatewayId as string;
  }
  async function describeGateway(id: string) {
    return (await clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }))).NatGateways?.[0];
  }

  it('holds its Elastic IP on its own ENI: interface type nat_gateway, in-use, managed by AWS, no instance', async () => {
    const ip = await allocate(clients.ec2);
    const id = await natGateway(ip.allocationId);

    const held = await address(clients.ec2, ip.allocationId);
    expect(held?.AssociationId).toMatch(/^eipassoc-/);
    expect(held?.InstanceId).toBeUndefined();
    const gatewayEni = await eni(clients.ec2, held?.NetworkInterfaceId as string);
    expect(gatewayEni).toMatchObject({
      InterfaceType: 'nat_gateway',
      Description: `Interface for NAT Gateway ${id}`,
      Status: 'in-use',
      RequesterManaged: true,
    });
    expect(gatewayEni?.Association?.AllocationId).toBe(ip.allocationId);
    expect((await describeGateway(id))?.State).toBe('available');
  });

  it('ends failed with Resource.AlreadyAssociated, taking nothing, when its Elastic IP is bound elsewhere', async () => {
    const { ip, lambdaId } = await addressOnLambdaEni();
    const id = await natGateway(ip.allocationId);
    expect(await describeGateway(id)).toMatchObject({
      State: 'failed',
      FailureCode: 'Resource.AlreadyAssociated',
      FailureMessage: `Elastic IP address ${ip.allocationId} is already associated`,
    });
    expect((await address(clients.ec2, ip.allocationId))?.NetworkInterfaceId).toBe(lambdaId);
  });

  it('is created and ends failed with Gateway.NotAttached in a VPC without an internet gateway', async () => {
    // AWS (NatGateway API reference): FailureCode Gateway.NotAttached, FailureMessage "Network vpc-xxxxxxxx
    // has no Internet gateway attached"; the call itself succeeds.
    const isolated = await createVpcFixture(clients.ec2, {
      cidr: '10.44.0.0/16',
      internetGateway: false,
      name: 'no-igw',
    });
    const ip = await allocate(clients.ec2);
    const created = await clients.ec2.send(
      new CreateNatGatewayCommand({ SubnetId: isolated.publicSubnetIds[0], AllocationId: ip.allocationId }),
    );
    const id = created.NatGateway?.NatGatewayId as string;
    expect(id).toMatch(/^nat-/);
    expect(await describeGateway(id)).toMatchObject({
      State: 'failed',
      FailureCode: 'Gateway.NotAttached',
      FailureMessage: `Network ${isolated.vpcId} has no Internet gateway attached`,
    });
    // It holds nothing: the address stays free.
    expect((await address(clients.ec2, ip.allocationId))?.AssociationId).toBeUndefined();
  });

  it('disassociates its Elastic IP when deleted and removes its ENI; the address stays allocated', async () => {
    const ip = await allocate(clients.ec2);
    const id = await natGateway(ip.allocationId);
    const gatewayEni = (await address(clients.ec2, ip.allocationId))?.NetworkInterfaceId as string;
    await clients.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: id }));

    expect((await describeGateway(id))?.State).toBe('deleted');
    const after = await address(clients.ec2, ip.allocationId);
    expect(after?.AllocationId).toBe(ip.allocationId);
    expect(after?.AssociationId).toBeUndefined();
    expect(
      await errorName(
        clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [gatewayEni] })),
      ),
    ).toBe('InvalidNetworkInterfaceID.NotFound');
  });
});

describe('Network Load Balancers', () => {
  it("put each subnet mapping's Elastic IP on an ELB net/ ENI of type network_load_balancer, and drop them when deleted", async () => {
    const [first, second] = [await allocate(clients.ec2), await allocate(clients.ec2)];
    const [subnetA, subnetB] = vpc.publicSubnetIds as [string, string];
    const { arn } = await createNetworkLoadBalancer(localAws(), {
      name: 'ingress',
      subnetMappings: [
        { subnetId: subnetA, allocationId: first.allocationId },
        { subnetId: subnetB, allocationId: second.allocationId },
      ],
    });
    for (const ip of [first, second]) {
      const held = await address(clients.ec2, ip.allocationId);
      expect(held?.AssociationId).toMatch(/^eipassoc-/);
      const nlbEni = await eni(clients.ec2, held?.NetworkInterfaceId as string);
      expect(nlbEni).toMatchObject({ InterfaceType: 'network_load_balancer', Status: 'in-use' });
      expect(nlbEni?.Description).toMatch(/^ELB net\/ingress\/[0-9a-f]+$/);
    }

    await deleteLoadBalancer(localAws(), arn);
    for (const ip of [first, second]) {
      expect((await address(clients.ec2, ip.allocationId))?.AssociationId).toBeUndefined();
    }
  });

  it('refuses an Elastic IP that is not free with ResourceInUse', async () => {
    const { ip, lambdaId } = await addressOnLambdaEni();
    const attempt = createNetworkLoadBalancer(localAws(), {
      name: 'taken',
      subnetMappings: [{ subnetId: vpc.publicSubnetIds[0] as string, allocationId: ip.allocationId }],
    });
    expect(await errorName(attempt)).toBe('ResourceInUse');
    expect((await address(clients.ec2, ip.allocationId))?.NetworkInterfaceId).toBe(lambdaId);
  });
});

describe('Lambda', () => {
  async function role(): Promise<string> {
    const iam = createIamClient(localAws().clientOptions());
    const created = await iam.send(
      new CreateRoleCommand({ RoleName: `r-${Date.now()}`, AssumeRolePolicyDocument: '{}' }),
    );
    return created.Role?.Arn as string;
  }

  async function createFunction(name: string, roleArn: string, subnetIds: readonly string[]) {
    return clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Role: roleArn,
        Handler: 'index.handler',
        Code: { ZipFile: Buffer.from('code') },
        VpcConfig: { SubnetIds: [...subnetIds], SecurityGroupIds: [...vpc.securityGroupIds] },
      }),
    );
  }

  it("reports VpcConfig.VpcId as the subnets' VPC and refuses unknown subnets", async () => {
    const roleArn = await role();
    await createFunction('placed', roleArn, vpc.publicSubnetIds);
    const config = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'placed' }));
    expect(config.VpcConfig?.VpcId).toBe(vpc.vpcId);

    expect(await errorName(createFunction('lost', roleArn, ['subnet-0000000000000000f']))).toBe(
      'InvalidParameterValueException',
    );
  });

  it('pages ListFunctions at 50 per call with NextMarker', async () => {
    const roleArn = await role();
    for (let index = 0; index < 53; index++)
      await createFunction(`fn-${index}`, roleArn, vpc.publicSubnetIds);
    const first = await clients.lambda.send(new ListFunctionsCommand({}));
    expect(first.Functions).toHaveLength(50);
    expect(first.NextMarker).toBeDefined();
    const second = await clients.lambda.send(new ListFunctionsCommand({ Marker: first.NextMarker }));
    expect(second.Functions).toHaveLength(3);
    expect(second.NextMarker).toBeUndefined();
    const names = [...(first.Functions ?? []), ...(second.Functions ?? [])].map((f) => f.FunctionName);
    expect(new Set(names)).toEqual(new Set(Array.from({ length: 53 }, (_, index) => `fn-${index}`)));
    expect(names).toHaveLength(53);
  });

  it('reports the State and LastUpdateStatus the simulator sets through GetFunctionConfiguration only', async () => {
    await createFunction('phased', await role(), vpc.publicSubnetIds);
    await localAws().setFunctionState(
      { region: localAws().region, functionName: 'phased' },
      { State: 'Pending', StateReasonCode: 'Creating', LastUpdateStatus: 'InProgress' },
    );
    const pending = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'phased' }),
    );
    expect(pending).toMatchObject({
      State: 'Pending',
      StateReasonCode: 'Creating',
      LastUpdateStatus: 'InProgress',
    });
    // Like AWS, ListFunctions leaves the state fields out: only GetFunction(Configuration) has them.
    const listed = await clients.lambda.send(new ListFunctionsCommand({}));
    const entry = listed.Functions?.find((f) => f.FunctionName === 'phased');
    expect(entry).toBeDefined();
    expect(entry?.State).toBeUndefined();
    expect(entry?.LastUpdateStatus).toBeUndefined();

    await localAws().setFunctionState({ region: localAws().region, functionName: 'phased' }, {});
    const cleared = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'phased' }),
    );
    expect(cleared).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful' });
  });
});

describe('IPv6 (dual-stack egress)', () => {
  it('reports a subnet IPv6 CIDR block with Ipv6CidrBlockState.State "associated", as AWS does', async () => {
    const dualStack = await addDualStack(clients.ec2, vpc, { routes: false });
    const subnetId = vpc.privateSubnetIds[0] as string;
    const described = await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    expect(described.Subnets?.[0]?.Ipv6CidrBlockAssociationSet).toEqual([
      {
        AssociationId: expect.stringMatching(/^subnet-cidr-assoc-/),
        Ipv6CidrBlock: dualStack.ipv6CidrBlocks[subnetId],
        Ipv6CidrBlockState: { State: 'associated' },
      },
    ]);
  });
});

describe('EventBridge', () => {
  it('runs a schedule-only rule on its schedule: no event reaches its target, while a pattern rule still matches', async () => {
    const options = localAws().clientOptions();
    const events = createEventBridgeClient(options);
    const sqs = new SQSClient(clientConfig(options));
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'matched' }))).QueueUrl as string;
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await events.send(new PutRuleCommand({ Name: 'daily', ScheduleExpression: 'rate(1 day)' }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'daily',
        Targets: [{ Id: 'fn', Arn: `arn:aws:lambda:${localAws().region}:123456789012:function:kept` }],
      }),
    );
    await events.send(new PutRuleCommand({ Name: 'pattern', EventPattern: '{"source":["test.source"]}' }));
    await events.send(new PutTargetsCommand({ Rule: 'pattern', Targets: [{ Id: 'q', Arn: queueArn }] }));

    const put = await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'test.source', DetailType: 't', Detail: '{}' }] }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages?.map((message) => JSON.parse(message.Body ?? '{}').source)).toEqual([
      'test.source',
    ]);
  });
});
