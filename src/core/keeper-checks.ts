import { InputError, StaticIpError } from './errors.js';
import { MAX_FUNCTION_SECURITY_GROUPS, MAX_FUNCTION_SUBNETS } from './keeper.js';
import type { ObservedSubnet } from './model.js';

/** What `prepare` asked for, and what EC2 knows of it. */
export interface PrepareRequest {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  /** The subnets EC2 describes, with their routes (an unknown id is absent). */
  readonly subnets: readonly ObservedSubnet[];
  /** The security groups EC2 describes, by id, with their VPC. */
  readonly groups: ReadonlyArray<{ readonly id: string; readonly vpcId: string }>;
}

/**
 * Every reason a keeper of these subnets and security groups could not hold a pool IP, checked before
 * anything is created: Lambda's limits on one VpcConfig (16 subnets, 5 security groups), ids EC2 does not
 * know, subnets or groups of another VPC, and a subnet that does not route 0.0.0.0/0 to an internet gateway
 * (an Elastic IP on an ENI there carries no traffic). Throws InputError (exit 2) naming the value and the fix.
 */
export function checkPrepareRequest(request: PrepareRequest): void {
  const subnetIds = [...new Set(request.subnetIds)];
  const groupIds = [...new Set(request.securityGroupIds)];
  if (subnetIds.length > MAX_FUNCTION_SUBNETS) {
    throw new InputError(
      'TooManySubnets',
      `${subnetIds.length} subnets given; a Lambda function's VpcConfig takes at most ${MAX_FUNCTION_SUBNETS}: pass the subnets your functions use, at most ${MAX_FUNCTION_SUBNETS}`,
    );
  }
  if (groupIds.length > MAX_FUNCTION_SECURITY_GROUPS) {
    throw new InputError(
      'TooManySecurityGroups',
      `${groupIds.length} security groups given; a Lambda function's VpcConfig takes at most ${MAX_FUNCTION_SECURITY_GROUPS}: pass exactly the set your functions use`,
    );
  }
  const unknownSubnets = subnetIds.filter((id) => !request.subnets.some((subnet) => subnet.id === id));
  if (unknownSubnets.length > 0) {
    throw new InputError(
      'UnknownSubnet',
      `subnet ${unknownSubnets.join(', ')} was not found; check the id, --region and --profile`,
    );
  }
  const unknownGroups = groupIds.filter((id) => !request.groups.some((group) => group.id === id));
  if (unknownGroups.length > 0) {
    throw new InputError(
      'UnknownSecurityGroup',
      `security group ${unknownGroups.join(', ')} was not found; check the id, --region and --profile`,
    );
  }
  const vpcs = [...new Set([...request.subnets, ...request.groups].map((item) => item.vpcId))].sort();
  if (vpcs.length > 1) {
    const byVpc = vpcs.map((vpc) => {
      const ids = [...request.subnets, ...request.groups].filter((item) => item.vpcId === vpc);
      return `${vpc}: ${ids.map((item) => item.id).join(', ')}`;
    });
    throw new InputError(
      'SubnetsInSeveralVpcs',
      `the subnets and security groups belong to ${vpcs.length} VPCs (${byVpc.join('; ')}); a function lives in one VPC: run prepare once per VPC`,
    );
  }
  const privateSubnets = request.subnets.filter((subnet) => !subnet.routesToInternetGateway);
  if (privateSubnets.length > 0) {
    throw new InputError(
      'SubnetNotPublic',
      `subnet ${privateSubnets.map((subnet) => subnet.id).join(', ')} does not route 0.0.0.0/0 to an internet gateway, so an Elastic IP on its ENI carries no traffic; use public subnets (or a NAT gateway for private ones, see docs/nat-gateway.md)`,
    );
  }
}

/**
 * Fails (exit 1) when binding the new ENIs needs more pool IPs than are free and allocating was not
 * allowed: nothing is created then.
 */
export function checkPoolCanBind(input: {
  readonly pool: string;
  readonly needed: number;
  readonly free: number;
  readonly allocate: boolean;
}): void {
  if (input.allocate || input.needed <= input.free) return;
  throw new StaticIpError(
    'PoolExhausted',
    `pool "${input.pool}" has ${input.free} free IP(s) and the keepers' ENIs need ${input.needed}: pass --allocate to allocate ${input.needed - input.free} more, or free some with \`lambda-static-ip unbind\``,
  );
}
