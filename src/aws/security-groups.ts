import { type IpPermission, paginateDescribeSecurityGroups } from '@aws-sdk/client-ec2';
import type { InboundRule, OutboundRule, RuleTraffic, SecurityGroupView } from '../core/audit.js';
import type { AwsClients } from './clients.js';
import { readByFilter } from './filter-chunks.js';

/**
 * The inbound and outbound rules of the given security groups, in a constant number of paged calls. Filters by
 * `group-id` rather than naming GroupIds, so a group deleted meanwhile is simply absent, not an error.
 */
export async function describeSecurityGroups(
  clients: AwsClients,
  groupIds: readonly string[],
): Promise<SecurityGroupView[]> {
  const groups = await readByFilter(
    'ec2:DescribeSecurityGroups',
    [...new Set(groupIds)].sort(),
    (chunk) =>
      paginateDescribeSecurityGroups(
        { client: clients.ec2 },
        { Filters: [{ Name: 'group-id', Values: chunk }] },
      ),
    (page) => page.SecurityGroups,
  );
  return groups.map((group) => ({
    id: group.GroupId ?? '',
    ...(group.GroupName ? { name: group.GroupName } : {}),
    inbound: (group.IpPermissions ?? []).map(toInboundRule),
    outbound: (group.IpPermissionsEgress ?? []).map(toOutboundRule),
  }));
}

function toOutboundRule(permission: IpPermission): OutboundRule {
  return {
    ...toTraffic(permission),
    ipv6Destinations: (permission.Ipv6Ranges ?? []).map((range) => range.CidrIpv6 ?? '').filter(Boolean),
    prefixLists: (permission.PrefixListIds ?? []).map((list) => list.PrefixListId ?? '').filter(Boolean),
  };
}

function toTraffic(permission: IpPermission): RuleTraffic {
  return {
    protocol: permission.IpProtocol === '-1' ? 'all' : (permission.IpProtocol ?? 'all'),
    ...(permission.FromPort === undefined ? {} : { fromPort: permission.FromPort }),
    ...(permission.ToPort === undefined ? {} : { toPort: permission.ToPort }),
  };
}

function toInboundRule(permission: IpPermission): InboundRule {
  return {
    ...toTraffic(permission),
    addressSources: [
      ...(permission.IpRanges ?? []).map((range) => range.CidrIp ?? ''),
      ...(permission.Ipv6Ranges ?? []).map((range) => range.CidrIpv6 ?? ''),
      ...(permission.PrefixListIds ?? []).map((list) => list.PrefixListId ?? ''),
    ].filter(Boolean),
    groupSources: (permission.UserIdGroupPairs ?? []).map((pair) => pair.GroupId ?? '').filter(Boolean),
  };
}
