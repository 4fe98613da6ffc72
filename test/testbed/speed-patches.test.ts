import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateNetworkInterfaceCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DisassociateAddressCommand,
  type NetworkInterfaceCreationType,
} from '@aws-sdk/client-ec2';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  ListFunctionsCommand,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIamClient } from '../../src/aws/clients.js';
import { createVpcFixture, ensureExecutionRole, type LocalAws, startLocalAws } from '../../testbed/index.js';

/**
 * The `_speed_up_*` patches in testbed/moto/patches.py claim to change no answer. One scripted sequence of
 * calls, run against a local AWS with them and one without (both seeded, so moto draws the same ids),
 * must give the same responses once timestamps are set aside.
 */

let fast: LocalAws | undefined;
let plain: LocalAws | undefined;
beforeAll(async () => {
  [fast, plain] = await Promise.all([startLocalAws(), startLocalAws({ speedPatches: false })]);
});
afterAll(async () => {
  await Promise.all([fast?.stop(), plain?.stop()]);
});

const TAG = { Key: 'team', Value: 'payments' };

/** The responses of a fixed sequence of EC2, Lambda and tagging calls, in order, with their names. */
async function script(aws: LocalAws): Promise<Array<[string, unknown]>> {
  await aws.reset();
  // moto draws ids, IPs and revision ids from one seeded generator: the same seed, the same draws.
  await fetch(`${aws.endpoint}/moto-api/seed?a=20261130`, { method: 'POST' });
  const { ec2, lambda, tagging } = aws.clients();
  const out: Array<[string, unknown]> = [];
  const record = async <T>(name: string, call: Promise<T>): Promise<T> => {
    const { $metadata: _, ...response } = (await call) as T & { $metadata?: unknown };
    out.push([name, response]);
    return response as T;
  };

  const vpc = await createVpcFixture(ec2, { securityGroups: 2 });
  const [subnetA, subnetB] = vpc.publicSubnetIds as [string, string];
  const enis: string[] = [];
  for (let index = 0; index < 7; index++) {
    const created = await record(
      'CreateNetworkInterface',
      ec2.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: index % 2 === 0 ? subnetA : subnetB,
          Groups: [vpc.securityGroupIds[index % 2] as string],
          Description: `AWS Lambda VPC ENI-fn-${index}`,
          InterfaceType: 'lambda' as string as NetworkInterfaceCreationType,
          TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'n', Value: `${index}` }] }],
        }),
      ),
    );
    enis.push(created.NetworkInterface?.NetworkInterfaceId as string);
  }
  const addresses: string[] = [];
  for (let index = 0; index < 5; index++) {
    const allocated = await record(
      'AllocateAddress',
      ec2.send(
        new AllocateAddressCommand({
          Domain: 'vpc',
          TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: index < 3 ? [TAG] : [] }],
        }),
      ),
    );
    addresses.push(allocated.AllocationId as string);
  }
  const associations: string[] = [];
  for (let index = 0; index < 3; index++) {
    const bound = await record(
      'AssociateAddress',
      ec2.send(
        new AssociateAddressCommand({
          AllocationId: addresses[index],
          NetworkInterfaceId: enis[index],
          AllowReassociation: false,
        }),
      ),
    );
    associations.push(bound.AssociationId as string);
  }
  await record(
    'CreateTags',
    ec2.send(new CreateTagsCommand({ Resources: [addresses[3] as string, enis[4] as string], Tags: [TAG] })),
  );
  await record(
    'DeleteTags',
    ec2.send(new DeleteTagsCommand({ Resources: [addresses[0] as string], Tags: [{ Key: TAG.Key }] })),
  );
  await record(
    'DisassociateAddress',
    ec2.send(new DisassociateAddressCommand({ AssociationId: associations[1] })),
  );

  await record('DescribeAddresses', ec2.send(new DescribeAddressesCommand({})));
  await record(
    'DescribeAddresses tag filter',
    ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: `tag:${TAG.Key}`, Values: [TAG.Value] }] })),
  );
  await record(
    'DescribeAddresses network-interface-id',
    ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'network-interface-id', Values: enis }] })),
  );
  await record(
    'DescribeAddresses ids',
    ec2.send(new DescribeAddressesCommand({ AllocationIds: addresses.slice(1, 4) })),
  );
  let token: string | undefined;
  do {
    const page = await record(
      'DescribeNetworkInterfaces page',
      ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [
            { Name: 'interface-type', Values: ['lambda'] },
            { Name: 'vpc-id', Values: [vpc.vpcId] },
          ],
          MaxResults: 5,
          NextToken: token,
        }),
      ),
    );
    token = page.NextToken;
  } while (token);
  await record(
    'DescribeNetworkInterfaces filters',
    ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: 'subnet-id', Values: [subnetA] },
          { Name: 'tag:n', Values: ['0', '2', '4'] },
        ],
      }),
    ),
  );
  await record(
    'DescribeNetworkInterfaces ids',
    ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: enis.slice(0, 3) })),
  );
  await record(
    'DescribeRouteTables',
    ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.vpcId] }] })),
  );
  await record(
    'DescribeSubnets',
    ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetA, subnetB] }] })),
  );

  const role = await ensureExecutionRole(createIamClient(aws.clientOptions()), 'speed-patches');
  for (let index = 0; index < 3; index++) {
    await record(
      'CreateFunction',
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: `fn-${index}`,
          Runtime: 'nodejs22.x',
          Role: role,
          Handler: 'index.handler',
          Code: { ZipFile: Buffer.from(`code-${index}`) },
          VpcConfig: { SubnetIds: [subnetA], SecurityGroupIds: [vpc.securityGroupIds[0] as string] },
          Tags: index === 1 ? {} : { [TAG.Key]: TAG.Value },
        }),
      ),
    );
  }
  await record('PublishVersion', lambda.send(new PublishVersionCommand({ FunctionName: 'fn-0' })));
  let marker: string | undefined;
  do {
    const page = await record(
      'ListFunctions page',
      lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL', MaxItems: 2, Marker: marker })),
    );
    marker = page.NextMarker;
  } while (marker);
  await record(
    'GetFunctionConfiguration',
    lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fn-2' })),
  );
  let pageToken: string | undefined;
  do {
    const page = await record(
      'GetResources page',
      tagging.send(
        new GetResourcesCommand({
          ResourceTypeFilters: ['lambda:function'],
          TagFilters: [{ Key: TAG.Key, Values: [TAG.Value] }],
          ResourcesPerPage: 1,
          PaginationToken: pageToken,
        }),
      ),
    );
    pageToken = page.PaginationToken || undefined;
  } while (pageToken);
  return out;
}

/** Timestamps set aside: dates, and the ISO-8601 strings Lambda reports (LastModified). */
function normalised(responses: Array<[string, unknown]>): unknown {
  return JSON.parse(
    JSON.stringify(responses, (_, value) => {
      if (value instanceof Date) return '<time>';
      if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(value)) return '<time>';
      return value;
    }),
    (key, value) => (key === 'LaunchTime' || key === 'AttachTime' ? '<time>' : value),
  );
}

describe('speed-only patches', () => {
  it('change no answer: the same calls give the same responses with and without them, timestamps aside', async () => {
    const [withThem, without] = [await script(fast as LocalAws), await script(plain as LocalAws)];
    expect(withThem.map(([name]) => name)).toEqual(without.map(([name]) => name));
    // Something to compare: every kind of call answered with content, ids and all.
    expect(withThem.length).toBeGreaterThan(30);
    expect(JSON.stringify(withThem)).toContain('eni-');
    expect(normalised(withThem)).toEqual(normalised(without));
  });
});
