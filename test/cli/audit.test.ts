import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
} from '@aws-sdk/client-ec2';
import { CreateAliasCommand } from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import type { AuditReport } from '../../src/core/audit.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { createVpcFixture, LambdaSimulator, type VpcFixture } from '../../testbed/index.js';
import { runCliInProcess } from '../support/cli-in-process.js';
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
afterEach(async () => {
  await localAws().configure({ eipQuota: 20 });
});

function cli(args: readonly string[]) {
  return runCliInProcess(args, { clientOptions: localAws().clientOptions() });
}

function codes(report: AuditReport, severity: string): string[] {
  return report.findings.filter((finding) => finding.severity === severity).map((finding) => finding.code);
}

describe('audit', () => {
  it('reports each hazard with its code, severity, resources and fix, and exits 1 on errors', async () => {
    const [sgPublic, sgInternal] = vpc.securityGroupIds as [string, string, string];
    const [pub1, pub2] = vpc.publicSubnetIds as [string, string];
    await clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sgPublic,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      }),
    );
    await clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sgInternal,
        IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: sgPublic }] }],
      }),
    );
    await sim.createFunction({
      name: 'checkout',
      subnetIds: [pub1, pub2],
      securityGroupIds: [sgPublic],
      tags: poolTag,
    });
    await sim.createFunction({ name: 'reports', subnetIds: [pub1], securityGroupIds: [sgPublic] });
    await sim.createFunction({
      name: 'internal',
      subnetIds: [vpc.privateSubnetIds[0] as string],
      securityGroupIds: [sgInternal],
      tags: poolTag,
    });
    await sim.advance(90_000);
    const [onPub1, onPub2] = [sim.enisOf(pub1, [sgPublic])[0]?.id, sim.enisOf(pub2, [sgPublic])[0]?.id];
    const foreign = await clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await clients.ec2.send(
      new AssociateAddressCommand({
        AllocationId: foreign.AllocationId,
        NetworkInterfaceId: onPub2,
        AllowReassociation: false,
      }),
    );
    const stray = await clients.ec2.send(
      new AllocateAddressCommand({
        Domain: 'vpc',
        TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: POOL_TAG_KEY, Value: POOL }] }],
      }),
    );
    const plain = await clients.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: pub1 }));
    await clients.ec2.send(
      new AssociateAddressCommand({
        AllocationId: stray.AllocationId,
        NetworkInterfaceId: plain.NetworkInterface?.NetworkInterfaceId,
        AllowReassociation: false,
      }),
    );
    await localAws().configure({ eipQuota: 2 });

    const run = await cli(['audit', '--pool', POOL, '--json']);
    expect(run.code).toBe(1);
    const report = run.json<AuditReport>();
    expect(codes(report, 'error').sort()).toEqual(['EniWithoutIp', 'ForeignAddress', 'SubnetNotPublic']);
    expect(codes(report, 'warning').sort()).toEqual(['EipQuotaReached', 'PoolAddressElsewhere', 'SharedEni']);
    // Inbound rules admit nothing to Lambda's ENIs (they carry only connections the function starts): info.
    expect(codes(report, 'info')).toEqual(
      expect.arrayContaining(['InboundAllowed', 'InboundFromSecurityGroups', 'PoolCost']),
    );
    expect(report.summary).toMatchObject({ errors: 3, warnings: 3 });
    const severities = report.findings.map((finding) => finding.severity);
    expect(severities).toEqual([...severities].sort((a, b) => rank(a) - rank(b)));

    const find = (code: string) => report.findings.find((finding) => finding.code === code);
    expect(find('EniWithoutIp')).toMatchObject({ resources: expect.arrayContaining([onPub1, 'checkout']) });
    expect(find('EniWithoutIp')?.fix).toContain('--allocate');
    expect(find('InboundAllowed')?.message).toMatch(
      new RegExp(
        `${sgPublic}.*tcp 443 from 0\\.0\\.0\\.0/0; Lambda's ENIs carry only connections the functions start`,
      ),
    );
    expect(find('InboundAllowed')?.message).not.toMatch(/can reach/);
    expect(find('SharedEni')?.fix).toMatch(/egress from the pool's IPs/);
    expect(find('InboundAllowed')?.resources).toEqual([sgPublic, 'checkout']);
    expect(find('SharedEni')?.resources).toContain('reports');
    expect(find('PoolAddressElsewhere')?.resources).toContain(stray.AllocationId);
    expect(find('EipQuotaReached')?.fix).toContain('L-0263D0A3');
    for (const finding of report.findings) expect(finding.fix.length).toBeGreaterThan(0);
    expect(report.quota).toEqual({ limit: 2, allocatedInRegion: 2, headroom: 0 });
    expect(report.cost).toMatchObject({ ips: 1, monthlyUsd: 3.65, usdPerIpHour: 0.005 });

    const human = await cli(['audit', '--pool', POOL]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/3 error\(s\), 3 warning\(s\)/);
    expect(human.stdout).toMatch(/error EniWithoutIp: .*\n {2}fix: /);
  });

  it('passes a bound pool, reporting its cost, spare IPs beyond --spares, and versions placed unlike $LATEST', async () => {
    const [sgApi, sgNew] = vpc.securityGroupIds as [string, string, string];
    const [pub1] = vpc.publicSubnetIds as [string];
    await sim.createFunction({ name: 'api', subnetIds: [pub1], securityGroupIds: [sgApi], tags: poolTag });
    await sim.createFunction({ name: 'jobs', subnetIds: [pub1], securityGroupIds: [sgApi], tags: poolTag });
    await sim.advance(90_000);
    const live = await sim.publishVersion('api');
    const old = await sim.publishVersion('jobs');
    await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: 'api', Name: 'live', FunctionVersion: live }),
    );
    await sim.updateVpcConfig('api', { subnetIds: vpc.publicSubnetIds, securityGroupIds: [sgNew] });
    await sim.updateVpcConfig('jobs', { subnetIds: vpc.publicSubnetIds, securityGroupIds: [sgNew] });
    await sim.advance(90_000);
    expect((await cli(['apply', '--pool', POOL, '--allocate', '--spares', '2', '--yes'])).code).toBe(0);

    const run = await cli(['audit', '--pool', POOL, '--json']);
    expect(run.code).toBe(0);
    const report = run.json<AuditReport>();
    expect(codes(report, 'error')).toEqual([]);
    const find = (code: string) => report.findings.find((finding) => finding.code === code);
    expect(find('FreeIpsBeyondSpares')?.message).toMatch(
      /2 free IP\(s\) beyond the 0 spare\(s\).*\$7\.30 a month/,
    );
    expect(find('AliasVpcDiffers')).toMatchObject({
      severity: 'warning',
      resources: expect.arrayContaining(['api:live']),
    });
    expect(find('VersionVpcDiffers')?.message).toContain(`version ${old} of jobs`);
    expect(find('EipQuotaHeadroom')?.severity).toBe('info');
    expect(report.cost).toMatchObject({ ips: 5, monthlyUsd: 18.25 });

    const kept = await cli(['audit', '--pool', POOL, '--spares', '2', '--json']);
    expect(kept.json<AuditReport>().findings.map((finding) => finding.code)).not.toContain(
      'FreeIpsBeyondSpares',
    );
  });
});

function rank(severity: string): number {
  return ['error', 'warning', 'info'].indexOf(severity);
}
