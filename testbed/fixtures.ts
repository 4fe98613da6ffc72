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
} from '@aws-sdk/client-ec2';
import { CreateRoleCommand, GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';

export interface VpcFixtureOptions {
  /** A /16 block; subnets are its /24s. @default 10.42.0.0/16 */
  readonly cidr?: string;
  /** Public subnets (0.0.0.0/0 to the internet gateway), one per AZ in turn. @default 2 */
  readonly publicSubnets?: number;
  /** Private subnets (no route to the internet). @default 2 */
  readonly privateSubnets?: number;
  /**
   * `shared`: one route table for every private subnet; `per-subnet`: one each, as a CDK `Vpc` builds them,
   * so each zone can route to its own NAT gateway. @default 'shared'
   */
  readonly privateRouteTables?: 'shared' | 'per-subnet';
  /** Security groups, none allowing inbound traffic. @default 2 */
  readonly securityGroups?: number;
  /** Attach the internet gateway. @default true */
  readonly internetGateway?: boolean;
  /** Name tag prefix. @default lsi-fixture */
  readonly name?: string;
}

export interface VpcFixture {
  readonly vpcId: string;
  /** Undefined when created with internetGateway: false. */
  readonly internetGatewayId: string | undefined;
  readonly publicSubnetIds: readonly string[];
  readonly privateSubnetIds: readonly string[];
  /**
   * The route table of each subnet, by subnet id: the public ones send 0.0.0.0/0 to the internet gateway;
   * the private ones have no default route until one is added (a NAT gateway's).
   */
  readonly routeTableIds: Readonly<Record<string, string>>;
  readonly securityGroupIds: readonly string[];
  /** The AZ of each subnet, by subnet id. */
  readonly availabilityZones: Readonly<Record<string, string>>;
}

/** Builds, in one call, a VPC as a user of the hyperplane strategy would have it. */
export async function createVpcFixture(ec2: EC2Client, options: VpcFixtureOptions = {}): Promise<VpcFixture> {
  const name = options.name ?? 'lsi-fixture';
  const cidr = options.cidr ?? '10.42.0.0/16';
  const [a, b] = cidr.split('.');
  const tag = (
    resourceType: 'vpc' | 'subnet' | 'route-table' | 'internet-gateway' | 'security-group',
    suffix: string,
  ) => ({
    TagSpecifications: [{ ResourceType: resourceType, Tags: [{ Key: 'Name', Value: `${name}-${suffix}` }] }],
  });

  const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
  const azNames = (zones.AvailabilityZones ?? [])
    .map((zone) => zone.ZoneName)
    .filter((z): z is string => !!z);
  if (azNames.length === 0) throw new Error('the local AWS lists no availability zones');

  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: cidr, ...tag('vpc', 'vpc') }));
  const vpcId = required(vpc.Vpc?.VpcId, 'VpcId');

  let internetGatewayId: string | undefined;
  const publicTable = await ec2.send(
    new CreateRouteTableCommand({ VpcId: vpcId, ...tag('route-table', 'public') }),
  );
  const publicTableId = required(publicTable.RouteTable?.RouteTableId, 'RouteTableId');
  if (options.internetGateway ?? true) {
    const igw = await ec2.send(new CreateInternetGatewayCommand(tag('internet-gateway', 'igw')));
    internetGatewayId = required(igw.InternetGateway?.InternetGatewayId, 'InternetGatewayId');
    await ec2.send(new AttachInternetGatewayCommand({ VpcId: vpcId, InternetGatewayId: internetGatewayId }));
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: publicTableId,
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: internetGatewayId,
      }),
    );
  }
  const privateTable = async (suffix: string) =>
    required(
      (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, ...tag('route-table', suffix) })))
        .RouteTable?.RouteTableId,
      'RouteTableId',
    );
  const sharedPrivateTableId =
    (options.privateRouteTables ?? 'shared') === 'shared' ? await privateTable('private') : undefined;

  const availabilityZones: Record<string, string> = {};
  const routeTableIds: Record<string, string> = {};
  let block = 0;
  const makeSubnets = async (count: number, kind: 'public' | 'private', sharedTableId?: string) => {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const az = azNames[index % azNames.length] as string;
      const subnet = await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `${a}.${b}.${block++}.0/24`,
          AvailabilityZone: az,
          ...tag('subnet', `${kind}-${index + 1}`),
        }),
      );
      const subnetId = required(subnet.Subnet?.SubnetId, 'SubnetId');
      const routeTableId = sharedTableId ?? (await privateTable(`${kind}-${index + 1}`));
      await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }));
      availabilityZones[subnetId] = az;
      routeTableIds[subnetId] = routeTableId;
      ids.push(subnetId);
    }
    return ids;
  };
  const publicSubnetIds = await makeSubnets(options.publicSubnets ?? 2, 'public', publicTableId);
  const privateSubnetIds = await makeSubnets(options.privateSubnets ?? 2, 'private', sharedPrivateTableId);

  const securityGroupIds: string[] = [];
  for (let index = 0; index < (options.securityGroups ?? 2); index++) {
    const group = await ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: vpcId,
        GroupName: `${name}-sg-${index + 1}`,
        Description: 'lambda-static-ip fixture: egress only',
        ...tag('security-group', `sg-${index + 1}`),
      }),
    );
    securityGroupIds.push(required(group.GroupId, 'GroupId'));
  }

  return {
    vpcId,
    internetGatewayId,
    publicSubnetIds,
    privateSubnetIds,
    routeTableIds,
    securityGroupIds,
    availabilityZones,
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the local AWS returned no ${what}`);
  return value;
}

/** A Lambda execution role (trusting lambda.amazonaws.com) by that name: the existing one, or a new one. */
export async function ensureExecutionRole(iam: IAMClient, roleName: string): Promise<string> {
  try {
    const existing = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    if (existing.Role?.Arn) return existing.Role.Arn;
  } catch {
    // Not there yet: created below.
  }
  const created = await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  return required(created.Role?.Arn, 'role ARN');
}
