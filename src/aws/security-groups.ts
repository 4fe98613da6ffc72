import { type IpPermission, paginateDescribeSecurityGroups, type SecurityGroup } from '@aws-sdk/client-ec2';
import type { InboundRule, SecurityGroupView } from '../core/audit.js';
import type { AwsClients } from './clients.js';
import { readFailed } from './errors.js';
import { chunks, FILTER_VALUES_PER_CALL } from './filter-chunks.js';

/**
 * The inbound rules of the given security groups, in a constant number of paged calls. Filters by
 * `group-id` rather than naming GroupIds, so a group deleted meanwhile is simply absent, not an error.
 */
export async function describeSecurityGroups(
  clients: AwsClients,
  groupIds: readonly string[],
): Promise<SecurityGroupView[]> {
  const groups: SecurityGroup[] = [];
  try {
    for (const chunk of chunks([...new Set(groupIds)].sort(), FILTER_VALUES_PER_CALL)) {
      const pages = paginateDescribeSecurityGroups(
        { client: clients.ec2 },
        { Filters: [{ Name: 'group-id', Values: chunk }] },
      );
      for await (const page of pages) groups.push(...(page.SecurityGroups ?? []));
    }
  } catch (error) {
    throw readFailed('ec2:DescribeSecurityGroups', error);
  }
  return groups.map((group) => ({
    id: group.GroupId ?? '',
    ...(group.GroupName ? { name: group.GroupName } : {}),
    inbound: (group.IpPermissions ?? []).map(toInboundRule),
  }));
}

function toInboundRule(permission: IpPermission): InboundRule {
  const protocol = permission.IpProtocol === '-1' ? 'all' : (permission.IpProtocol ?? 'all');
  return {
    protocol,
    ...(permission.FromPort === undefined ? {} : { fromPort: permission.FromPort }),
    ...(permission.ToPort === undefined ? {} : { toPort: permission.ToPort }),
    addressSources: [
      ...(permission.IpRanges ?? []).map((range) => range.CidrIp ?? ''),
      ...(permission.Ipv6Ranges ?? []).map((range) => range.CidrIpv6 ?? ''),
      ...(permission.PrefixListIds ?? []).map((list) => list.PrefixListId ?? ''),
    ].filter(Boolean),
    groupSources: (permission.UserIdGroupPairs ?? []).map((pair) => pair.GroupId ?? '').filter(Boolean),
  };
}
