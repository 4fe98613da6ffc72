import { CfnOutput, Fn } from 'aws-cdk-lib';
import {
  CfnNatGateway,
  CfnRoute,
  type ISubnet,
  type IVpc,
  type SubnetSelection,
  SubnetType,
} from 'aws-cdk-lib/aws-ec2';
import { Construct, DependencyGroup, type IDependable } from 'constructs';
import { propsError } from './props-error.js';
import type { IStaticIpPool, PoolAddress } from './static-ip-pool.js';

/**
 * How the NAT gateways are laid out.
 * - `zonal`: one NAT gateway per Availability Zone of the private subnets, each in that zone's public subnet
 *   with its own pool address. Survives the loss of a zone; one address and about $33 a month per zone.
 * - `single`: one zonal NAT gateway, in the first zone, shared by all. One address, one gateway's cost;
 *   other zones pay cross-zone data transfer and lose egress when that zone fails.
 * - `regional`: one regional NAT gateway (`AvailabilityMode: regional`) with one pool address pinned per zone
 *   (`AvailabilityZoneAddresses`). Pinning turns off the gateway's own growth into new zones and new
 *   addresses, which would silently grow the allow-list. Needs no public subnet.
 */
export type NatGatewayMode = 'zonal' | 'single' | 'regional';

const MODES: readonly NatGatewayMode[] = ['zonal', 'single', 'regional'];

/** Properties of a {@link NatGatewayEgress}. */
export interface NatGatewayEgressProps {
  /**
   * The VPC, yours or one built in the same app. Its private subnets must have no default route yet
   * (build a CDK `Vpc` with `natGateways: 0`); the VPC needs an internet gateway.
   */
  readonly vpc: IVpc;

  /**
   * The pool the gateways' addresses come from (claimed from it: one per gateway, or per zone if regional).
   * A pool of this app, or one imported with `StaticIpPool.fromAllocationIds`; one imported by name has no
   * allocation ids to give (`PoolAddressesUnknown`).
   */
  readonly pool: IStaticIpPool;

  /** @default 'zonal' */
  readonly mode?: NatGatewayMode;

  /**
   * The subnets of the functions: each gets a default route (`0.0.0.0/0`) to the NAT gateway of its zone.
   *
   * @default - the VPC's private subnets with egress (`SubnetType.PRIVATE_WITH_EGRESS`)
   */
  readonly privateSubnets?: SubnetSelection;

  /**
   * Where zonal gateways go: one public subnet (routed to the internet gateway) per zone served. Not for
   * `regional`, which has no subnet.
   *
   * @default - the VPC's public subnets
   */
  readonly natSubnets?: SubnetSelection;
}

/**
 * Static egress for functions in private subnets through NAT gateways whose Elastic IPs come from a
 * {@link StaticIpPool}: the functions' traffic to the internet leaves from the pool's addresses.
 *
 * Works on any VPC, built in the app (`natGateways: 0`) or imported, so all three modes share one path. The
 * addresses belong to the pool: when gateways are removed or replaced the addresses stay allocated, tagged,
 * and on the vendors' allow-lists.
 *
 * For zonal gateways in a VPC you build, CDK's own provider also takes pool addresses:
 * `natGatewayProvider: NatProvider.gateway({ eipAllocationIds: pool.claim(scope, n).map((a) => a.allocationId) })`.
 */
export class NatGatewayEgress extends Construct {
  readonly mode: NatGatewayMode;
  /** The NAT gateway ids, one per gateway. */
  readonly natGatewayIds: string[];
  /** The pool addresses the gateways hold. */
  readonly addresses: readonly PoolAddress[];
  /** The egress IPs: what a vendor allow-lists. */
  readonly publicIps: string[];
  /** Complete when every private subnet routes to a NAT gateway: depend on it to run only with egress. */
  readonly internetConnectivityEstablished: IDependable;

  constructor(scope: Construct, id: string, props: NatGatewayEgressProps) {
    super(scope, id);
    const mode = props.mode ?? 'zonal';
    if (!MODES.includes(mode)) {
      throw propsError(
        this,
        'InvalidNatMode',
        `mode ${JSON.stringify(mode)} is invalid: use ${MODES.join(', ')}`,
      );
    }
    this.mode = mode;
    if (mode === 'regional' && props.natSubnets !== undefined) {
      throw propsError(
        this,
        'ContradictoryNatProps',
        'natSubnets places zonal gateways, but mode is regional, which has no subnet; drop natSubnets or use mode zonal',
      );
    }

    const privateSubnets = this.privateSubnets(props);
    const zones = [...new Set(privateSubnets.map((subnet) => subnet.availabilityZone))];
    const gateways =
      mode === 'regional'
        ? this.regionalGateway(props, zones)
        : this.zonalGateways(props, mode === 'single' ? zones.slice(0, 1) : zones);
    this.addresses = gateways.addresses;
    this.natGatewayIds = gateways.ids;

    const routes = new DependencyGroup();
    const routeTables = new Set<string>();
    for (const subnet of privateSubnets) {
      // Subnets can share a route table (in imported VPCs): one route per table, or the deployment fails.
      const routeTableId = subnet.routeTable.routeTableId;
      if (routeTables.has(routeTableId)) continue;
      routeTables.add(routeTableId);
      const route = new CfnRoute(this, `DefaultRoute${subnet.node.id}`, {
        routeTableId,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: gateways.forZone(subnet.availabilityZone),
      });
      routes.add(route);
    }
    this.internetConnectivityEstablished = routes;

    this.publicIps = this.addresses.map((address) => address.publicIp);
    new CfnOutput(this, 'EgressIps', {
      description: `NAT gateway (${mode}) egress IPs from the pool (allow-list these), comma-separated`,
      value: Fn.join(',', this.publicIps),
    });
  }

  private privateSubnets(props: NatGatewayEgressProps): ISubnet[] {
    const subnets = props.vpc.selectSubnets(
      props.privateSubnets ?? { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
    ).subnets;
    if (subnets.length === 0) {
      throw propsError(
        this,
        'NoPrivateSubnets',
        'no private subnet was selected to route through the NAT gateways; give the VPC PRIVATE_WITH_EGRESS subnets or pass privateSubnets',
      );
    }
    for (const subnet of subnets) {
      // A CDK Vpc with NAT gateways of its own already routes its private subnets: a second default route
      // would fail at deploy time, so say it now.
      if (subnet.node.tryFindChild('DefaultRoute') !== undefined) {
        throw propsError(
          this,
          'SubnetAlreadyRouted',
          `subnet ${subnet.node.path} already has a default route (the VPC's own NAT); build the VPC with natGateways: 0`,
        );
      }
    }
    return subnets;
  }

  private regionalGateway(props: NatGatewayEgressProps, zones: readonly string[]): Gateways {
    const addresses = props.pool.claim(
      this,
      zones.length,
      'one per Availability Zone of the private subnets',
    );
    const gateway = new CfnNatGateway(this, 'RegionalNatGateway', {
      vpcId: props.vpc.vpcId,
      availabilityMode: 'regional',
      connectivityType: 'public',
      availabilityZoneAddresses: zones.map((zone, index) => ({
        availabilityZone: zone,
        allocationIds: [(addresses[index] as PoolAddress).allocationId],
      })),
    });
    // A regional gateway routes to the internet gateway through a route table of its own, so it needs the
    // gateway attached. CDK's Vpc lists only the gateway in internetConnectivityEstablished; its attachment
    // is the child 'VPCGW'. Waiting for it as well costs nothing.
    gateway.node.addDependency(props.vpc.internetConnectivityEstablished);
    const attachment = props.vpc.node.tryFindChild('VPCGW');
    if (attachment !== undefined) gateway.node.addDependency(attachment);
    return { addresses, ids: [gateway.attrNatGatewayId], forZone: () => gateway.attrNatGatewayId };
  }

  private zonalGateways(props: NatGatewayEgressProps, zones: readonly string[]): Gateways {
    const publicSubnets = props.vpc.selectSubnets(
      props.natSubnets ?? { subnetType: SubnetType.PUBLIC },
    ).subnets;
    for (const subnet of publicSubnets) {
      // A zonal gateway in a subnet without a route to the internet gateway would have no way out.
      if (!props.vpc.publicSubnets.includes(subnet)) {
        throw propsError(
          this,
          'NatSubnetNotPublic',
          `natSubnets selects ${subnet.node.path}, which is not a public subnet of the VPC; select public subnets (routed to the internet gateway)`,
        );
      }
    }
    const placements = zones.map((zone) => {
      const subnet = publicSubnets.find((candidate) => candidate.availabilityZone === zone);
      if (subnet === undefined) {
        throw propsError(
          this,
          'NoNatSubnet',
          `no public subnet in Availability Zone ${zone} for its NAT gateway; add one, pass natSubnets, or use mode regional (no subnet) or single`,
        );
      }
      return { zone, subnet };
    });
    const addresses = props.pool.claim(this, placements.length, 'one per NAT gateway');
    const byZone = new Map<string, string>();
    const ids = placements.map(({ zone, subnet }, index) => {
      const gateway = new CfnNatGateway(this, `NatGateway${index + 1}`, {
        subnetId: subnet.subnetId,
        allocationId: (addresses[index] as PoolAddress).allocationId,
        connectivityType: 'public',
      });
      // After the public subnet's route to the internet gateway, as CDK orders its own NAT gateways.
      gateway.node.addDependency(subnet.internetConnectivityEstablished);
      byZone.set(zone, gateway.attrNatGatewayId);
      return gateway.attrNatGatewayId;
    });
    const first = ids[0] as string;
    // Zones without a gateway of their own (mode single) use the first one.
    return { addresses, ids, forZone: (zone) => byZone.get(zone) ?? first };
  }
}

/** The gateways of one mode: the addresses they hold, their ids, and which one serves a zone. */
interface Gateways {
  readonly addresses: readonly PoolAddress[];
  readonly ids: string[];
  readonly forZone: (zone: string) => string;
}
