import type { Finding, Ipv6Check, SecurityGroupView } from './audit.js';
import { functionLabel, normaliseGroups } from './combination.js';
import { ipv6AllowList } from './ipv6-egress.js';
import type { Observation, ObservedFunction, ObservedSubnet } from './model.js';

/**
 * The audit's IPv6 checks, for a pool whose functions should also send IPv6 (docs/ipv6.md): each pool
 * function (and version) allows IPv6, each of their subnets has an IPv6 block and routes `::/0` to an internet
 * gateway or an egress-only one, and each of their security-group sets lets IPv6 out. Pure.
 */
export function ipv6Findings(
  pool: string,
  observation: Observation,
  securityGroups: readonly SecurityGroupView[],
): Finding[] {
  const poolFunctions = observation.functions.filter((fn) => fn.inPool);
  const allowList = ipv6AllowList(observation.functions, observation.subnets);
  const findings: Finding[] = [];

  for (const fn of poolFunctions.filter((candidate) => candidate.ipv6AllowedForDualStack !== true)) {
    findings.push(functionWithoutIpv6(fn));
  }
  const byId = new Map(observation.subnets.map((subnet) => [subnet.id, subnet]));
  for (const view of allowList.subnets) {
    const subnet = byId.get(view.subnetId) as ObservedSubnet;
    const finding = subnetFinding(subnet, view.functions);
    if (finding) findings.push(finding);
  }
  findings.push(...groupFindings(poolFunctions, securityGroups));
  if (allowList.cidrs.length > 0) {
    findings.push({
      code: 'Ipv6AllowList',
      severity: 'info',
      message: `pool "${pool}" functions send IPv6 from ${allowList.cidrs.length} prefix(es): ${allowList.cidrs.join(', ')}; the source address changes with the ENI, the prefixes do not`,
      fix: `nothing: give vendors that accept IPv6 these prefixes (\`lambda-static-ip ips --pool ${pool} --family ipv6\`) next to the IPv4 allow-list`,
      resources: [...allowList.cidrs, ...allowList.subnets.map((subnet) => subnet.subnetId)],
    });
  }
  return findings;
}

function functionWithoutIpv6(fn: ObservedFunction): Finding {
  const label = functionLabel(fn);
  const latest = fn.version === '$LATEST';
  return {
    code: 'Ipv6NotAllowed',
    severity: 'error',
    message: `${latest ? 'function' : 'version'} ${label} does not allow IPv6 (VpcConfig.Ipv6AllowedForDualStack is not true): it sends IPv4 only, so a vendor that allow-listed only the pool's IPv6 prefixes refuses it`,
    fix: latest
      ? `allow it: DualStackEgress in CDK, or \`aws lambda update-function-configuration --function-name ${fn.name} --vpc-config SubnetIds=${fn.subnetIds.join(',')},SecurityGroupIds=${fn.securityGroupIds.join(',')},Ipv6AllowedForDualStack=true\``
      : `publish a new version of ${fn.name} once $LATEST allows IPv6, and point its aliases there (a version keeps the setting it was published with)`,
    resources: [...new Set([fn.name, label])],
  };
}

/** At most one finding per subnet: no IPv6 block at all says everything. */
function subnetFinding(subnet: ObservedSubnet, functions: readonly string[]): Finding | undefined {
  const users = functions.join(', ');
  const gateway = subnet.routesToInternetGateway
    ? "the VPC's internet gateway (the subnet is public)"
    : 'an egress-only internet gateway of the VPC (create one if it has none: it is free)';
  if ((subnet.ipv6CidrBlocks ?? []).length === 0) {
    return {
      code: 'SubnetWithoutIpv6Cidr',
      severity: 'error',
      message: `subnet ${subnet.id} (${subnet.availabilityZone}) of ${users} has no IPv6 block: Lambda sends nothing over IPv6 from it`,
      fix: `make the VPC dual-stack (a CDK Vpc with ipProtocol: IpProtocol.DUAL_STACK, or \`aws ec2 associate-vpc-cidr-block --amazon-provided-ipv6-cidr-block\`), give ${subnet.id} a /64 (\`aws ec2 associate-subnet-cidr-block\`), and route ::/0 to ${gateway}`,
      resources: [subnet.id, ...functions],
    };
  }
  const route = subnet.ipv6DefaultRoute;
  if (!route) {
    return {
      code: 'SubnetWithoutIpv6Route',
      severity: 'error',
      message: `subnet ${subnet.id} (${subnet.availabilityZone}) of ${users} has IPv6 blocks but its route table sends ::/0 nowhere: IPv6 traffic to the internet is dropped`,
      fix: `add a route ::/0 to ${gateway} in ${subnet.id}'s route table (\`aws ec2 create-route --destination-ipv6-cidr-block ::/0\`)`,
      resources: [subnet.id, ...functions],
    };
  }
  if (route.target === 'other') {
    return {
      code: 'Ipv6RouteNotToGateway',
      severity: 'warning',
      message: `subnet ${subnet.id} (${subnet.availabilityZone}) of ${users} routes ::/0 to ${route.id}, not to an internet gateway: IPv6 traffic may leave the AWS network from other addresses than the subnet's prefixes`,
      fix: `check where ${route.id} sends IPv6 traffic out; for the subnet's prefixes to be the allow-list, route ::/0 to ${gateway}`,
      resources: [subnet.id, route.id, ...functions],
    };
  }
  return undefined;
}

/**
 * A security-group set lets IPv6 out when one of its groups has an outbound rule to an IPv6 prefix (or a
 * prefix list, which may hold IPv6 prefixes: not read, so not reported). Groups not described (deleted
 * meanwhile) are not judged.
 */
function groupFindings(
  functions: readonly ObservedFunction[],
  securityGroups: readonly SecurityGroupView[],
): Finding[] {
  const byId = new Map(securityGroups.map((group) => [group.id, group]));
  const sets = new Map<string, { groupIds: string[]; functions: string[] }>();
  for (const fn of functions) {
    const groupIds = normaliseGroups(fn.securityGroupIds);
    const key = groupIds.join(',');
    const entry = sets.get(key) ?? { groupIds, functions: [] };
    entry.functions.push(functionLabel(fn));
    sets.set(key, entry);
  }
  const findings: Finding[] = [];
  for (const { groupIds, functions: users } of sets.values()) {
    const groups = groupIds.map((id) => byId.get(id));
    if (groups.some((group) => group?.outbound === undefined)) continue;
    const rules = groups.flatMap((group) => group?.outbound ?? []);
    if (rules.some((rule) => rule.ipv6Destinations.length > 0 || rule.prefixLists.length > 0)) continue;
    const first = groupIds[0] ?? '';
    findings.push({
      code: 'Ipv6EgressBlocked',
      severity: 'error',
      message: `security group${groupIds.length === 1 ? '' : 's'} ${groupIds.join(', ')} of ${users.join(', ')} allow${groupIds.length === 1 ? 's' : ''} no outbound IPv6 traffic: their IPv6 connections are dropped`,
      fix: `allow IPv6 out on one of them: \`aws ec2 authorize-security-group-egress --group-id ${first} --ip-permissions 'IpProtocol=-1,Ipv6Ranges=[{CidrIpv6=::/0}]'\` (or to the vendors' prefixes only); in CDK, allowAllIpv6Outbound: true`,
      resources: [...groupIds, ...users],
    });
  }
  return findings;
}

/**
 * Whether to check IPv6: as asked (`--ipv6` / `--no-ipv6`), else when some pool function already allows
 * IPv6, so that a pool half-way to IPv6 is caught without the flag.
 */
export function ipv6CheckFor(asked: boolean | undefined, functions: readonly ObservedFunction[]): Ipv6Check {
  if (asked !== undefined) return asked ? 'asked' : 'off';
  return functions.some((fn) => fn.inPool && fn.ipv6AllowedForDualStack === true) ? 'detected' : 'off';
}
