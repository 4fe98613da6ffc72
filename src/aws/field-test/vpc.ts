import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAvailabilityZonesCommand,
  type EC2Client,
  type ResourceType,
} from '@aws-sdk/client-ec2';
import { FIELD_TEST_TAG_KEY } from '../../core/field-test/run-id.js';

/** The throwaway network a field test runs in. */
export interface FieldTestVpc {
  readonly vpcId: string;
  readonly internetGatewayId: string;
  /** Public subnets (0.0.0.0/0 to the internet gateway), one per Availability Zone in turn. */
  readonly subnetIds: readonly string[];
  readonly routeTableId: string;
}

const CIDR = '10.219.0.0/16';

/** Tags every resource of the run carries, from the call that creates it (nothing untagged ever exists). */
export function fieldTestTags(runId: string, resourceType: ResourceType, name: string) {
  return [
    {
      ResourceType: resourceType,
      Tags: [
        { Key: FIELD_TEST_TAG_KEY, Value: runId },
        { Key: 'Name', Value: name },
      ],
    },
  ];
}

/**
 * Creates the run's VPC: an internet gateway and `subnets` public subnets routed to it, every resource
 * tagged `lambda-static-ip:field-test=<run-id>` at creation, so that `--cleanup` finds what a killed run
 * left. Throws on the first failure; what exists by then carries the tag.
 */
export async function createFieldTestVpc(
  ec2: EC2Client,
  runId: string,
  subnets: number,
): Promise<FieldTestVpc> {
  const name = `lsi-ft-${runId}`;
  const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones ?? [];
  const zoneNames = zones
    .filter((zone) => (zone.ZoneType ?? 'availability-zone') === 'availability-zone')
    .flatMap((zone) => (zone.ZoneName ? [zone.ZoneName] : []));
  if (zoneNames.length === 0) throw new Error('the Region lists no Availability Zones');
  const vpc = await ec2.send(
    new CreateVpcCommand({ CidrBlock: CIDR, TagSpecifications: fieldTestTags(runId, 'vpc', name) }),
  );
  const vpcId = required(vpc.Vpc?.VpcId, 'CreateVpc', 'VpcId');
  const igw = await ec2.send(
    new CreateInternetGatewayCommand({ TagSpecifications: fieldTestTags(runId, 'internet-gateway', name) }),
  );
  const internetGatewayId = required(igw.InternetGateway?.InternetGatewayId, 'CreateInternetGateway', 'id');
  await ec2.send(new AttachInternetGatewayCommand({ VpcId: vpcId, InternetGatewayId: internetGatewayId }));
  const table = await ec2.send(
    new CreateRouteTableCommand({
      VpcId: vpcId,
      TagSpecifications: fieldTestTags(runId, 'route-table', name),
    }),
  );
  const routeTableId = required(table.RouteTable?.RouteTableId, 'CreateRouteTable', 'RouteTableId');
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: routeTableId,
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: internetGatewayId,
    }),
  );
  const subnetIds: string[] = [];
  for (let index = 0; index < subnets; index++) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.219.${index}.0/24`,
        AvailabilityZone: zoneNames[index % zoneNames.length],
        TagSpecifications: fieldTestTags(runId, 'subnet', `${name}-${index}`),
      }),
    );
    const subnetId = required(subnet.Subnet?.SubnetId, 'CreateSubnet', 'SubnetId');
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }));
    subnetIds.push(subnetId);
  }
  return { vpcId, internetGatewayId, subnetIds, routeTableId };
}

/** A security group of the run: no inbound rules; the default outbound rule lets the echo request out. */
export async function createFieldTestSecurityGroup(
  ec2: EC2Client,
  runId: string,
  vpcId: string,
  name: string,
): Promise<string> {
  const group = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: vpcId,
      GroupName: name,
      Description: `lambda-static-ip field test ${runId}`,
      TagSpecifications: fieldTestTags(runId, 'security-group', name),
    }),
  );
  return required(group.GroupId, 'CreateSecurityGroup', 'GroupId');
}

function required(value: string | undefined, call: string, field: string): string {
  if (!value) throw new Error(`${call} returned no ${field}`);
  return value;
}
