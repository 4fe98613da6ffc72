import {
  AssociateSubnetCidrBlockCommand,
  AssociateVpcCidrBlockCommand,
  CreateEgressOnlyInternetGatewayCommand,
  CreateRouteCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { VpcFixture } from './fixtures.js';

/** What {@link addDualStack} added to a fixture VPC. */
export interface DualStackFixture {
  /** The VPC's Amazon-provided /56. */
  readonly vpcIpv6CidrBlock: string;
  /** The /64 of each subnet, by subnet id. */
  readonly ipv6CidrBlocks: Readonly<Record<string, string>>;
  readonly egressOnlyInternetGatewayId: string;
}

/**
 * Makes a fixture VPC dual-stack, as `ipProtocol: IpProtocol.DUAL_STACK` builds a CDK `Vpc`: an
 * Amazon-provided /56, a /64 for each subnet, and `::/0` to the internet gateway from the public subnets'
 * route table and to a new egress-only internet gateway from the private ones'. `routes: false` leaves the
 * routes out, for tests of what is missing.
 */
export async function addDualStack(
  ec2: EC2Client,
  vpc: VpcFixture,
  options: { readonly routes?: boolean } = {},
): Promise<DualStackFixture> {
  await ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: vpc.vpcId, AmazonProvidedIpv6CidrBlock: true }));
  const described = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc.vpcId] }));
  const vpcBlock = described.Vpcs?.[0]?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock;
  if (!vpcBlock) throw new Error(`the local AWS gave VPC ${vpc.vpcId} no IPv6 CIDR block`);

  const ipv6CidrBlocks: Record<string, string> = {};
  const subnets = [...vpc.publicSubnetIds, ...vpc.privateSubnetIds];
  for (const [index, subnetId] of subnets.entries()) {
    const block = subnetBlock(vpcBlock, index);
    await ec2.send(new AssociateSubnetCidrBlockCommand({ SubnetId: subnetId, Ipv6CidrBlock: block }));
    ipv6CidrBlocks[subnetId] = block;
  }

  const eigw = await ec2.send(new CreateEgressOnlyInternetGatewayCommand({ VpcId: vpc.vpcId }));
  const egressOnlyInternetGatewayId = eigw.EgressOnlyInternetGateway?.EgressOnlyInternetGatewayId;
  if (!egressOnlyInternetGatewayId) throw new Error('the local AWS returned no egress-only internet gateway');

  if (options.routes ?? true) {
    const routed = new Set<string>();
    for (const subnetId of subnets) {
      const table = vpc.routeTableIds[subnetId] as string;
      if (routed.has(table)) continue;
      routed.add(table);
      const target = vpc.publicSubnetIds.includes(subnetId)
        ? { GatewayId: vpc.internetGatewayId }
        : { EgressOnlyInternetGatewayId: egressOnlyInternetGatewayId };
      await ec2.send(
        new CreateRouteCommand({ RouteTableId: table, DestinationIpv6CidrBlock: '::/0', ...target }),
      );
    }
  }
  return { vpcIpv6CidrBlock: vpcBlock, ipv6CidrBlocks, egressOnlyInternetGatewayId };
}

/** The `index`th /64 of a /56 (`2600:1f18:aa:b00::/56`, 3 → `2600:1f18:aa:b03::/64`). */
export function subnetBlock(vpcBlock: string, index: number): string {
  const [address] = vpcBlock.split('/');
  const [head = ''] = (address ?? '').split('::');
  const groups = head.split(':').map((group) => Number.parseInt(group || '0', 16));
  while (groups.length < 4) groups.push(0);
  const fourth = ((groups[3] ?? 0) & 0xff00) | (index & 0xff);
  return `${[...groups.slice(0, 3), fourth].map((group) => group.toString(16)).join(':')}::/64`;
}
