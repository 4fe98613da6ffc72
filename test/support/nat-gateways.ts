import {
  CreateNatGatewayCommand,
  CreateRouteCommand,
  DeleteNatGatewayCommand,
  DeleteRouteCommand,
  DescribeNatGatewaysCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { VpcFixture } from '../../testbed/index.js';

/** What `NatGatewayEgress` (mode zonal) has CloudFormation create: a gateway per zone, each with one pool IP. */
export interface ZonalGateways {
  /** NAT gateway id by availability zone. */
  readonly byZone: ReadonlyMap<string, string>;
  readonly ids: readonly string[];
}

/**
 * One NAT gateway per zone of the private subnets, in that zone's public subnet, taking the given
 * allocation ids in zone order; then a 0.0.0.0/0 route to it in each private subnet's route table.
 * Throws when a gateway does not become `available` (AWS: `failed`, e.g. Resource.AlreadyAssociated).
 */
export async function createZonalNatGateways(
  ec2: EC2Client,
  vpc: VpcFixture,
  allocationIds: readonly string[],
): Promise<ZonalGateways> {
  const zones = [...new Set(vpc.privateSubnetIds.map((id) => vpc.availabilityZones[id] as string))];
  const byZone = new Map<string, string>();
  for (const [index, zone] of zones.entries()) {
    const subnetId = vpc.publicSubnetIds.find((id) => vpc.availabilityZones[id] === zone);
    const created = await ec2.send(
      new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationIds[index] }),
    );
    const gateway = created.NatGateway;
    const state = (await describeGateway(ec2, gateway?.NatGatewayId as string))?.State;
    if (state !== 'available') {
      throw new Error(`NAT gateway in ${zone} is ${state}: ${JSON.stringify(gateway?.FailureCode ?? '')}`);
    }
    byZone.set(zone, gateway?.NatGatewayId as string);
  }
  const routed = new Set<string>();
  for (const subnetId of vpc.privateSubnetIds) {
    // Subnets sharing a route table get one route, as NatGatewayEgress writes it.
    if (routed.has(vpc.routeTableIds[subnetId] as string)) continue;
    routed.add(vpc.routeTableIds[subnetId] as string);
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: vpc.routeTableIds[subnetId],
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: byZone.get(vpc.availabilityZones[subnetId] as string),
      }),
    );
  }
  return { byZone, ids: [...byZone.values()] };
}

/** What removing `NatGatewayEgress` does: the routes and the gateways go; the addresses stay in the pool. */
export async function deleteZonalNatGateways(
  ec2: EC2Client,
  vpc: VpcFixture,
  gateways: ZonalGateways,
): Promise<void> {
  for (const routeTableId of new Set(vpc.privateSubnetIds.map((id) => vpc.routeTableIds[id] as string))) {
    await ec2.send(new DeleteRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: '0.0.0.0/0' }));
  }
  for (const id of gateways.ids) await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: id }));
}

export async function describeGateway(ec2: EC2Client, id: string) {
  return (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }))).NatGateways?.[0];
}
