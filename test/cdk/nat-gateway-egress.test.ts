import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { type CfnEIP, type IVpc, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { NatGatewayEgress, type NatGatewayEgressProps, StaticIpPool } from '../../src/cdk/index.js';
import { expectCleanCfnLint, synthesize, testApp } from '../support/cfn-lint.js';
import { thrownBy } from '../support/thrown.js';

const ADOPTED = ['eipalloc-0aaaaaaaaaaaaaaa1', 'eipalloc-0bbbbbbbbbbbbbbb2'];

/** A VPC built for NatGatewayEgress: two zones, public and private subnets, no NAT of its own. */
function vpcWithoutNat(stack: Stack, natGateways = 0): Vpc {
  return new Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways,
    subnetConfiguration: [
      { name: 'public', subnetType: SubnetType.PUBLIC },
      { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
}

function egressStack(app: ReturnType<typeof testApp>, id: string, mode: NatGatewayEgressProps['mode']) {
  const stack = new Stack(app, id);
  const vpc = vpcWithoutNat(stack);
  const pool = new StaticIpPool(stack, 'Pool', { poolName: 'egress', size: 2 });
  const egress = new NatGatewayEgress(stack, 'Egress', {
    vpc,
    pool,
    ...(mode === undefined ? {} : { mode }),
  });
  const eipIds = pool.addresses.map((_, index) =>
    stack.getLogicalId(pool.node.findChild(`Address${index + 1}`) as CfnEIP),
  );
  return { stack, vpc, pool, egress, eipIds };
}

const app = testApp();
const zonal = egressStack(app, 'Zonal', undefined);
const single = egressStack(app, 'Single', 'single');
const regional = egressStack(app, 'Regional', 'regional');

// An imported VPC (as from Vpc.fromLookup) whose two private subnets share one route table, with adopted IPs.
const importedStack = new Stack(app, 'Imported');
const importedVpc: IVpc = Vpc.fromVpcAttributes(importedStack, 'Vpc', {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  publicSubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
  publicSubnetRouteTableIds: ['rtb-0000000000000000a', 'rtb-0000000000000000b'],
  privateSubnetIds: ['subnet-1111111111111111a', 'subnet-1111111111111111b'],
  privateSubnetRouteTableIds: ['rtb-1111111111111111c', 'rtb-1111111111111111c'],
});
const adoptedPool = new StaticIpPool(importedStack, 'Pool', {
  poolName: 'egress',
  existingAllocationIds: ADOPTED,
});
new NatGatewayEgress(importedStack, 'Egress', { vpc: importedVpc, pool: adoptedPool });

const {
  templates: [zonalTemplate, singleTemplate, regionalTemplate, importedTemplate],
  templatePaths,
} = synthesize([zonal.stack, single.stack, regional.stack, importedStack]);

/**
 * Asserts that the route table of the n-th private subnet sends 0.0.0.0/0 to the n-th gateway (or the last
 * one, when there are fewer gateways than subnets).
 */
function expectDefaultRoutes(template: Template, stack: Stack, vpc: Vpc, egress: NatGatewayEgress): void {
  expect(vpc.privateSubnets).toHaveLength(2);
  vpc.privateSubnets.forEach((subnet, index) => {
    const gatewayId = egress.natGatewayIds[Math.min(index, egress.natGatewayIds.length - 1)];
    template.hasResourceProperties('AWS::EC2::Route', {
      RouteTableId: stack.resolve(subnet.routeTable.routeTableId),
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: stack.resolve(gatewayId),
    });
  });
}

describe('NatGatewayEgress, zonal (the default)', () => {
  it("puts one NAT gateway in each zone's public subnet, holding a pool address", () => {
    zonalTemplate.resourceCountIs('AWS::EC2::NatGateway', 2);
    zonal.vpc.publicSubnets.forEach((subnet, index) => {
      zonalTemplate.hasResourceProperties('AWS::EC2::NatGateway', {
        SubnetId: zonal.stack.resolve(subnet.subnetId),
        AllocationId: { 'Fn::GetAtt': [zonal.eipIds[index], 'AllocationId'] },
        ConnectivityType: 'public',
        AvailabilityMode: Match.absent(),
      });
    });
    expect(zonal.egress.mode).toBe('zonal');
    expect(zonal.egress.natGatewayIds).toHaveLength(2);
  });

  it('routes each private subnet to the gateway of its own zone', () => {
    expectDefaultRoutes(zonalTemplate, zonal.stack, zonal.vpc, zonal.egress);
  });

  it("allocates no address of its own: the gateways hold the pool's, which are retained", () => {
    zonalTemplate.resourceCountIs('AWS::EC2::EIP', 2);
    const eips = zonalTemplate.findResources('AWS::EC2::EIP');
    for (const id of zonal.eipIds) {
      expect(eips[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    // The gateways themselves are deleted with the stack; only the addresses stay.
    for (const gateway of Object.values(zonalTemplate.findResources('AWS::EC2::NatGateway'))) {
      expect(gateway.DeletionPolicy).toBeUndefined();
    }
  });

  it('outputs the egress IPs', () => {
    zonalTemplate.hasOutput('*', {
      Value: { 'Fn::Join': [',', zonal.eipIds.map((id) => ({ 'Fn::GetAtt': [id, 'PublicIp'] }))] },
      Description: Match.stringLikeRegexp('^NAT gateway \\(zonal\\) egress IPs'),
    });
  });
});

describe('NatGatewayEgress, single', () => {
  it('shares one gateway and one address between all zones', () => {
    singleTemplate.resourceCountIs('AWS::EC2::NatGateway', 1);
    singleTemplate.hasResourceProperties('AWS::EC2::NatGateway', {
      AllocationId: { 'Fn::GetAtt': [single.eipIds[0], 'AllocationId'] },
    });
    expectDefaultRoutes(singleTemplate, single.stack, single.vpc, single.egress);
    expect(single.pool.unclaimed).toBe(1);
  });
});

describe('NatGatewayEgress, regional', () => {
  it('creates one regional gateway in the VPC with a pool address pinned to each zone', () => {
    regionalTemplate.resourceCountIs('AWS::EC2::NatGateway', 1);
    regionalTemplate.hasResourceProperties('AWS::EC2::NatGateway', {
      AvailabilityMode: 'regional',
      ConnectivityType: 'public',
      VpcId: regional.stack.resolve(regional.vpc.vpcId),
      SubnetId: Match.absent(),
      AllocationId: Match.absent(),
      AvailabilityZoneAddresses: [
        {
          AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
          AllocationIds: [{ 'Fn::GetAtt': [regional.eipIds[0], 'AllocationId'] }],
        },
        {
          AvailabilityZone: { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] },
          AllocationIds: [{ 'Fn::GetAtt': [regional.eipIds[1], 'AllocationId'] }],
        },
      ],
    });
  });

  it('waits for the internet gateway and its attachment', () => {
    const [gateway] = Object.values(regionalTemplate.findResources('AWS::EC2::NatGateway'));
    expect(gateway?.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/^VpcIGW/), expect.stringMatching(/^VpcVPCGW/)]),
    );
  });

  it('routes every private subnet to it', () => {
    expectDefaultRoutes(regionalTemplate, regional.stack, regional.vpc, regional.egress);
  });
});

describe('NatGatewayEgress on an imported VPC with adopted addresses', () => {
  it('uses the adopted allocation ids and the given subnets', () => {
    importedTemplate.hasResourceProperties('AWS::EC2::NatGateway', {
      SubnetId: 'subnet-0000000000000000a',
      AllocationId: ADOPTED[0],
    });
    importedTemplate.hasResourceProperties('AWS::EC2::NatGateway', {
      SubnetId: 'subnet-0000000000000000b',
      AllocationId: ADOPTED[1],
    });
  });

  it('adds one default route per route table, even when subnets share one', () => {
    importedTemplate.resourceCountIs('AWS::EC2::Route', 1);
    importedTemplate.hasResourceProperties('AWS::EC2::Route', {
      RouteTableId: 'rtb-1111111111111111c',
      DestinationCidrBlock: '0.0.0.0/0',
    });
  });
});

describe('NatGatewayEgress props validation', () => {
  function attempt(
    overrides: Partial<NatGatewayEgressProps>,
    options: { poolSize?: number; natGateways?: number } = {},
  ) {
    const stack = new Stack();
    const vpc = vpcWithoutNat(stack, options.natGateways);
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'p', size: options.poolSize ?? 2 });
    return thrownBy(() => new NatGatewayEgress(stack, 'Egress', { vpc, pool, ...overrides }));
  }

  it('refuses a pool with fewer addresses than gateways', () => {
    const error = attempt({}, { poolSize: 1 });
    expect(error.code).toBe('PoolTooSmall');
    expect(error.message).toContain('Default/Egress: needs 2 address(es) (one per NAT gateway)');
  });

  it('refuses natSubnets in regional mode', () => {
    const error = attempt({ mode: 'regional', natSubnets: { subnetType: SubnetType.PUBLIC } });
    expect(error.code).toBe('ContradictoryNatProps');
    expect(error.message).toMatch(/^Default\/Egress: natSubnets places zonal gateways, but mode is regional/);
  });

  it('refuses an unknown mode', () => {
    const error = attempt({ mode: 'global' as never });
    expect(error.code).toBe('InvalidNatMode');
    expect(error.message).toContain('mode "global" is invalid: use zonal, single, regional');
  });

  it('refuses a selection without private subnets', () => {
    const error = attempt({ privateSubnets: { subnets: [] } });
    expect(error.code).toBe('NoPrivateSubnets');
    expect(error.message).toContain('give the VPC PRIVATE_WITH_EGRESS subnets or pass privateSubnets');
  });

  it('refuses NAT subnets that are not public', () => {
    const error = attempt({ natSubnets: { subnetGroupName: 'private' } });
    expect(error.code).toBe('NatSubnetNotPublic');
    expect(error.message).toContain('which is not a public subnet of the VPC');
  });

  it('refuses a zone without a public subnet for its gateway', () => {
    const stack = new Stack();
    const vpc = vpcWithoutNat(stack);
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'p', size: 2 });
    const natSubnets = { subnets: vpc.publicSubnets.slice(0, 1) };
    const error = thrownBy(() => new NatGatewayEgress(stack, 'Egress', { vpc, pool, natSubnets }));
    expect(error.code).toBe('NoNatSubnet');
    expect(error.message).toContain('or use mode regional (no subnet) or single');
  });

  it("refuses subnets the VPC's own NAT gateways already route", () => {
    const error = attempt({}, { natGateways: 1 });
    expect(error.code).toBe('SubnetAlreadyRouted');
    expect(error.message).toContain('build the VPC with natGateways: 0');
  });
});

describe('NatGatewayEgress templates', () => {
  it('pass cfn-lint, regional mode included', () => {
    expectCleanCfnLint(templatePaths);
  });
});
