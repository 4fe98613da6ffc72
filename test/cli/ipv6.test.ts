import {
  AuthorizeSecurityGroupEgressCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeSubnetsCommand,
  DisassociateSubnetCidrBlockCommand,
} from '@aws-sdk/client-ec2';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AwsClients, createIamClient } from '../../src/aws/clients.js';
import type { AuditReport } from '../../src/core/audit.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import {
  addDualStack,
  createVpcFixture,
  type DualStackFixture,
  ensureExecutionRole,
  type VpcFixture,
} from '../../testbed/index.js';
import { allocateAddress } from '../support/addresses.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { useLocalAws } from '../support/local-aws.js';

/** `ips --family` and `audit --ipv6` on a dual-stack VPC (docs/ipv6.md). */

const localAws = useLocalAws({ eipQuota: 20 });
const POOL = 'shop';
let clients: AwsClients;
let vpc: VpcFixture;
let dualStack: DualStackFixture;

beforeEach(async () => {
  await localAws().reset();
  clients = localAws().clients();
  vpc = await createVpcFixture(clients.ec2, { securityGroups: 2, privateRouteTables: 'per-subnet' });
  dualStack = await addDualStack(clients.ec2, vpc);
});

function cli(args: readonly string[]) {
  return runCliInProcess(args, { clientOptions: localAws().clientOptions() });
}

/** A function straight through the Lambda API: no ENI is needed to read its placement. */
async function createFunction(
  name: string,
  subnetIds: readonly string[],
  securityGroupIds: readonly string[],
  options: { ipv6?: boolean; tagged?: boolean } = {},
): Promise<void> {
  await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: await ensureExecutionRole(createIamClient(localAws().clientOptions()), 'lsi-ipv6-test'),
      Handler: 'index.handler',
      Code: { ZipFile: Buffer.from('code') },
      VpcConfig: {
        SubnetIds: [...subnetIds],
        SecurityGroupIds: [...securityGroupIds],
        ...(options.ipv6 === undefined ? {} : { Ipv6AllowedForDualStack: options.ipv6 }),
      },
      ...(options.tagged === false ? {} : { Tags: { [POOL_TAG_KEY]: POOL } }),
    }),
  );
}

async function allowIpv6Out(groupId: string): Promise<void> {
  await clients.ec2.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    }),
  );
}

const IPV6_CODES = [
  'Ipv6NotAllowed',
  'SubnetWithoutIpv6Cidr',
  'SubnetWithoutIpv6Route',
  'Ipv6RouteNotToGateway',
  'Ipv6EgressBlocked',
  'Ipv6AllowList',
];

function ipv6Findings(report: AuditReport) {
  return report.findings
    .filter((finding) => IPV6_CODES.includes(finding.code))
    .map((finding) => ({ code: finding.code, severity: finding.severity, resources: finding.resources }));
}

describe('ips --family', () => {
  it('prints the /64s of the pool functions’ subnets, warns about what keeps a function off IPv6, and keeps ipv4 the default', async () => {
    const [private1, private2] = vpc.privateSubnetIds as [string, string];
    const [public1] = vpc.publicSubnetIds as [string];
    const [sg] = vpc.securityGroupIds as [string];
    await createFunction('api', [private1, private2], [sg], { ipv6: true });
    // Named with --function, not tagged; IPv4 only, in a subnet whose block is gone.
    await createFunction('legacy', [public1], [sg], { tagged: false });
    await createFunction('elsewhere', [public1], [sg], { ipv6: true, tagged: false }); // not in the pool
    const subnet = await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [public1] }));
    await clients.ec2.send(
      new DisassociateSubnetCidrBlockCommand({
        AssociationId: subnet.Subnets?.[0]?.Ipv6CidrBlockAssociationSet?.[0]?.AssociationId,
      }),
    );
    const ip = await allocateAddress(clients.ec2, { [POOL_TAG_KEY]: POOL });
    const expected = [private1, private2].map((id) => dualStack.ipv6CidrBlocks[id] as string);

    const text = await cli(['ips', '--pool', POOL, '--function', 'legacy', '--family', 'ipv6']);
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n').sort()).toEqual([...expected].sort());
    expect(text.stderr).toContain(`subnet ${public1} of legacy has no IPv6 block`);
    expect(text.stderr).toMatch(/legacy do\(es\) not allow IPv6 \(Ipv6AllowedForDualStack\)/);

    const json = await cli(['ips', '--pool', POOL, '--function', 'legacy', '--family', 'all', '--json']);
    const document = json.json<{
      family: string;
      ips: string[];
      ipv6Cidrs: string[];
      subnets: { subnetId: string; ipv6Cidrs: string[]; functions: string[] }[];
      functionsWithoutIpv6: string[];
    }>();
    expect(document).toMatchObject({ family: 'all', ips: [ip.ip], functionsWithoutIpv6: ['legacy'] });
    expect([...document.ipv6Cidrs].sort()).toEqual([...expected].sort());
    expect(
      Object.fromEntries(document.subnets.map((view) => [view.subnetId, [view.ipv6Cidrs, view.functions]])),
    ).toEqual({
      [private1]: [[dualStack.ipv6CidrBlocks[private1]], ['api']],
      [private2]: [[dualStack.ipv6CidrBlocks[private2]], ['api']],
      [public1]: [[], ['legacy']],
    });

    const cidr = await cli(['ips', '--pool', POOL, '--family', 'all', '--format', 'cidr']);
    expect(cidr.stdout.trim().split('\n')).toEqual([`${ip.ip}/32`, ...document.ipv6Cidrs]);

    const plain = await cli(['ips', '--pool', POOL, '--json']);
    expect(plain.json<{ family: string; ips: string[] }>()).toMatchObject({ family: 'ipv4', ips: [ip.ip] });
    expect(plain.json<Record<string, unknown>>()).not.toHaveProperty('ipv6Cidrs');
  });
});

describe('audit --ipv6', () => {
  it('finds a function not allowing IPv6, subnets without a block or a ::/0 route, a stray route and a blocked group', async () => {
    const [private1, private2] = vpc.privateSubnetIds as [string, string];
    const [public1, public2] = vpc.publicSubnetIds as [string, string];
    const [sgOpen, sgClosed] = vpc.securityGroupIds as [string, string];
    await allowIpv6Out(sgOpen);
    await createFunction('api', [private1], [sgOpen], { ipv6: true }); // all right
    await createFunction('worker', [private2], [sgClosed], { ipv6: true }); // group lets no IPv6 out
    await createFunction('legacy', [public1, public2], [sgOpen]); // no Ipv6AllowedForDualStack
    // private2 loses its ::/0 route; public2 sends ::/0 to an ENI (an appliance), not a gateway; public1
    // loses its block.
    await clients.ec2.send(
      new DeleteRouteCommand({
        RouteTableId: vpc.routeTableIds[private2],
        DestinationIpv6CidrBlock: '::/0',
      }),
    );
    const appliance = await clients.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: public2 }));
    const applianceId = appliance.NetworkInterface?.NetworkInterfaceId as string;
    const publicTable = vpc.routeTableIds[public2] as string;
    // The public subnets share a table, so public1's ::/0 goes to the appliance too; public1 then loses its
    // block, which says everything about it.
    await clients.ec2.send(
      new DeleteRouteCommand({ RouteTableId: publicTable, DestinationIpv6CidrBlock: '::/0' }),
    );
    await clients.ec2.send(
      new CreateRouteCommand({
        RouteTableId: publicTable,
        DestinationIpv6CidrBlock: '::/0',
        NetworkInterfaceId: applianceId,
      }),
    );
    const described = await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [public1] }));
    await clients.ec2.send(
      new DisassociateSubnetCidrBlockCommand({
        AssociationId: described.Subnets?.[0]?.Ipv6CidrBlockAssociationSet?.[0]?.AssociationId,
      }),
    );

    const run = await cli(['audit', '--pool', POOL, '--ipv6', '--json']);
    expect(run.code).toBe(1);
    const report = run.json<AuditReport>();
    expect(report.ipv6).toBe('asked');
    // Errors first; subnets by zone (public1 and private1 share the first, private2 and public2 the second).
    expect(ipv6Findings(report)).toEqual([
      { code: 'Ipv6NotAllowed', severity: 'error', resources: ['legacy'] },
      { code: 'SubnetWithoutIpv6Cidr', severity: 'error', resources: [public1, 'legacy'] },
      { code: 'SubnetWithoutIpv6Route', severity: 'error', resources: [private2, 'worker'] },
      { code: 'Ipv6EgressBlocked', severity: 'error', resources: [sgClosed, 'worker'] },
      { code: 'Ipv6RouteNotToGateway', severity: 'warning', resources: [public2, applianceId, 'legacy'] },
      {
        code: 'Ipv6AllowList',
        severity: 'info',
        resources: expect.arrayContaining([
          dualStack.ipv6CidrBlocks[private1],
          dualStack.ipv6CidrBlocks[private2],
        ]),
      },
    ]);
    const fixes = report.findings.filter((finding) => IPV6_CODES.includes(finding.code));
    expect(fixes.every((finding) => finding.fix.length > 0)).toBe(true);
    expect(fixes.find((finding) => finding.code === 'SubnetWithoutIpv6Route')?.fix).toContain(
      'egress-only internet gateway',
    );

    // Not asked: checked anyway, since api and worker allow IPv6; --no-ipv6 skips it.
    const detected = (await cli(['audit', '--pool', POOL, '--json'])).json<AuditReport>();
    expect(detected.ipv6).toBe('detected');
    expect(ipv6Findings(detected).map((finding) => finding.code)).toContain('Ipv6EgressBlocked');
    const skipped = (await cli(['audit', '--pool', POOL, '--no-ipv6', '--json'])).json<AuditReport>();
    expect(skipped.ipv6).toBe('off');
    expect(ipv6Findings(skipped)).toEqual([]);
  });

  it('passes a dual-stack pool, reporting its /64s; a pool no function of which allows IPv6 is not checked', async () => {
    const [private1, private2] = vpc.privateSubnetIds as [string, string];
    const [sg] = vpc.securityGroupIds as [string];
    await allowIpv6Out(sg);
    await createFunction('api', [private1, private2], [sg], { ipv6: true });
    const report = (await cli(['audit', '--pool', POOL, '--json'])).json<AuditReport>();
    expect(report.ipv6).toBe('detected');
    expect(ipv6Findings(report)).toEqual([
      {
        code: 'Ipv6AllowList',
        severity: 'info',
        resources: [
          dualStack.ipv6CidrBlocks[private1],
          dualStack.ipv6CidrBlocks[private2],
          private1,
          private2,
        ],
      },
    ]);

    await createFunction('plain', [private1], [sg], { tagged: false });
    const other = (
      await cli(['audit', '--pool', 'other', '--function', 'plain', '--json'])
    ).json<AuditReport>();
    expect(other.ipv6).toBe('off');
    expect(ipv6Findings(other)).toEqual([]);
  });
});
