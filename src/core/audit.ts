import { ipv6Findings } from './audit-ipv6.js';
import { functionLabel } from './combination.js';
import type { Observation, ObservedFunction } from './model.js';
import { type Plan, type Problem, type ProblemCode, SEVERITY_RANK, type Severity } from './plan.js';
import { monthlyIpCostUsd, PUBLIC_IPV4_PRICE } from './public-ip-price.js';

/** What traffic a security-group rule covers. */
export interface RuleTraffic {
  /** `tcp`, `udp`, `icmp`, or `all`. */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
}

/** One inbound rule of a security group, as the audit needs it. */
export interface InboundRule extends RuleTraffic {
  /** CIDR blocks (IPv4 and IPv6) and prefix lists: sources on the internet or in a network. */
  readonly addressSources: readonly string[];
  /** Other security groups: only their members may connect. */
  readonly groupSources: readonly string[];
}

/** One outbound rule of a security group, as the IPv6 checks need it. */
export interface OutboundRule extends RuleTraffic {
  /** IPv6 destinations (`::/0`, a vendor's prefix). */
  readonly ipv6Destinations: readonly string[];
  /** Prefix lists: they may hold IPv6 prefixes, which the audit does not read. */
  readonly prefixLists: readonly string[];
}

export interface SecurityGroupView {
  readonly id: string;
  readonly name?: string;
  readonly inbound: readonly InboundRule[];
  /** Absent when not read: the IPv6 checks then do not judge the group. */
  readonly outbound?: readonly OutboundRule[];
}

/** A Lambda alias and the versions it routes to. */
export interface AliasView {
  readonly functionName: string;
  readonly name: string;
  readonly version: string;
  /** Versions that get a share of traffic besides `version` (weighted routing). */
  readonly additionalVersions: readonly string[];
}

export type FindingCode =
  | Exclude<ProblemCode, 'PoolExhausted'>
  | 'EniWithoutIp'
  | 'InboundAllowed'
  | 'InboundFromSecurityGroups'
  | 'FreeIpsBeyondSpares'
  | 'PoolCost'
  | 'EipQuotaReached'
  | 'EipQuotaLow'
  | 'EipQuotaHeadroom'
  | 'EipQuotaUnknown'
  | 'VersionVpcDiffers'
  | 'AliasVpcDiffers'
  | 'Ipv6NotAllowed'
  | 'SubnetWithoutIpv6Cidr'
  | 'SubnetWithoutIpv6Route'
  | 'Ipv6RouteNotToGateway'
  | 'Ipv6EgressBlocked'
  | 'Ipv6AllowList';

/**
 * Whether the audit checks IPv6 egress too: `asked` (`--ipv6`), `detected` (a pool function allows IPv6, so
 * the pool evidently means to send it), or `off` (`--no-ipv6`, or no pool function allows it).
 */
export type Ipv6Check = 'asked' | 'detected' | 'off';

/** One thing the audit found: a stable code, how bad it is, what it concerns, and what to do. */
export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly message: string;
  readonly fix: string;
  /** ENI, subnet, address, security group ids and function names involved. */
  readonly resources: readonly string[];
}

export interface AuditInput {
  readonly observation: Observation;
  /** The plan for the same observation (no allocation), with the spares the user keeps. */
  readonly plan: Plan;
  /** The pool functions' security groups. */
  readonly securityGroups: readonly SecurityGroupView[];
  /** The Region's Elastic IP limit (`vpc-max-elastic-ips`), when it could be read. */
  readonly eipQuota?: number;
  /** Aliases of pool functions that have versions whose VPC configuration differs from $LATEST. */
  readonly aliases: readonly AliasView[];
  /** @default 'off' */
  readonly ipv6?: Ipv6Check;
}

export interface AuditReport {
  readonly pool: string;
  readonly region: string;
  /** Errors first, then warnings, then info; stable order within each. */
  readonly findings: readonly Finding[];
  readonly summary: { readonly errors: number; readonly warnings: number; readonly info: number };
  /** Whether IPv6 egress was checked, and why. */
  readonly ipv6: Ipv6Check;
  readonly cost: {
    readonly ips: number;
    readonly monthlyUsd: number;
    readonly usdPerIpHour: number;
    readonly priceAsOf: string;
    readonly priceSource: string;
  };
  readonly quota: {
    readonly limit: number | null;
    readonly allocatedInRegion: number;
    readonly headroom: number | null;
  };
}

/** The fix for each finding that comes from the planner (whose messages already say what happened). */
const PLAN_FIXES: Readonly<Record<Exclude<ProblemCode, 'PoolExhausted'>, string>> = {
  SubnetNotPublic:
    'place the pool functions in subnets whose route table sends 0.0.0.0/0 to an internet gateway, or use a NAT gateway for them',
  ForeignAddress:
    'disassociate the foreign IP from the ENI yourself if the pool should serve it (the tool never takes an IP it does not own off an ENI)',
  FunctionNotInVpc: 'attach the function to public subnets, or remove its pool tag',
  SharedEni:
    "give the functions outside the pool their own security group, so Lambda gives them their own ENIs: until then they egress from the pool's IPs, and every allow-list that trusts the pool trusts them too; or add them to the pool",
  PoolAddressOutsidePool:
    'add those functions to the pool, or give the pool functions their own security group',
  PoolAddressElsewhere:
    'check what holds the IP; disassociate it there if the pool should have it back (the tool never moves it)',
  AddressNotUsable: "move the pool tag to an address in the Region's own network border group",
  SparesShort: 'run `apply --allocate` with the same --spares, or lower --spares',
  RetirementUnconfirmed:
    'nothing: the next apply after the update completes moves the IP to an ENI that needs one',
  NoEniYet: 'nothing: apply (or the controller) binds the ENI when Lambda creates it',
  ReservedAddressOnEni:
    'give the consumer that needs the address another free one, or disassociate it from the ENI: the next apply binds the ENI to a free, unreserved pool IP',
};

/**
 * Everything worth knowing before trusting the tool with a pool, from one observation. Pure: the same
 * input gives the same report.
 */
export function audit(input: AuditInput): AuditReport {
  const { observation, plan } = input;
  const pool = plan.pool;
  const findings: Finding[] = [];

  for (const problem of plan.problems) {
    if (problem.code === 'PoolExhausted') continue; // reported below, as EniWithoutIp
    findings.push({
      code: problem.code,
      severity: problem.severity,
      message: problem.message,
      fix: PLAN_FIXES[problem.code],
      resources: problemResources(problem),
    });
  }

  findings.push(...enisWithoutIp(plan));
  findings.push(...inboundFindings(input.securityGroups, observation.functions));
  findings.push(...costFindings(plan));
  findings.push(...quotaFindings(input.eipQuota, observation, plan));
  findings.push(...versionFindings(observation.functions, input.aliases));
  const ipv6 = input.ipv6 ?? 'off';
  if (ipv6 !== 'off') findings.push(...ipv6Findings(pool, observation, input.securityGroups));

  const ordered = findings
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) => SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] || a.index - b.index,
    )
    .map(({ finding }) => finding);
  const count = (severity: Severity) => ordered.filter((finding) => finding.severity === severity).length;
  const allocated = observation.addresses.length;
  return {
    pool,
    region: plan.region,
    findings: ordered,
    summary: { errors: count('error'), warnings: count('warning'), info: count('info') },
    ipv6,
    cost: {
      ips: plan.addresses.length,
      monthlyUsd: monthlyIpCostUsd(plan.addresses.length),
      usdPerIpHour: PUBLIC_IPV4_PRICE.usdPerHour,
      priceAsOf: PUBLIC_IPV4_PRICE.asOf,
      priceSource: PUBLIC_IPV4_PRICE.source,
    },
    quota: {
      limit: input.eipQuota ?? null,
      allocatedInRegion: allocated,
      headroom: input.eipQuota === undefined ? null : Math.max(0, input.eipQuota - allocated),
    },
  };
}

function problemResources(problem: Problem): string[] {
  return [
    problem.networkInterfaceId,
    problem.subnetId,
    problem.allocationId,
    ...(problem.functions ?? []),
  ].filter((value): value is string => Boolean(value));
}

/** Pool ENIs in public subnets without any IP: the functions using them have no internet access. */
function enisWithoutIp(plan: Plan): Finding[] {
  return plan.enis
    .filter((eni) => eni.role === 'pool' && eni.subnetPublic && eni.address === 'none')
    .map((eni) => {
      const binding = plan.actions.find(
        (action) => action.kind !== 'allocate' && action.networkInterfaceId === eni.networkInterfaceId,
      );
      const fix =
        binding && binding.kind !== 'allocate'
          ? `run \`lambda-static-ip apply --pool ${plan.pool}\`: it binds free pool IP ${binding.publicIp}`
          : `the pool has no free IP for it: run \`lambda-static-ip apply --pool ${plan.pool} --allocate\`, or tag another Elastic IP for the pool`;
      const users = [...eni.poolFunctions, ...eni.keepers.map((name) => `keeper ${name}`)];
      return {
        code: 'EniWithoutIp' as const,
        severity: 'error' as const,
        message: `ENI ${eni.networkInterfaceId} in ${eni.subnetId} (${users.join(', ')}) has no Elastic IP, so ${eni.poolFunctions.length > 0 ? 'those functions have' : 'a function moved onto it would have'} no internet access through it`,
        fix,
        resources: [eni.networkInterfaceId, eni.subnetId, ...eni.poolFunctions],
      };
    });
}

/**
 * Inbound rules of the pool functions' security groups. Lambda's Hyperplane ENIs carry only connections the
 * functions start: nothing from outside can open a connection to an execution environment except through
 * Lambda's invoke path (AWS, "Security Overview of AWS Lambda", Lambda executions:
 * https://docs.aws.amazon.com/whitepapers/latest/security-overview-aws-lambda/lambda-executions.html).
 * A public IP on the ENI does not change that, so these rules admit nothing to the functions: worth
 * knowing (info), since the group may also guard other resources, where they do admit traffic.
 */
function inboundFindings(
  groups: readonly SecurityGroupView[],
  functions: readonly ObservedFunction[],
): Finding[] {
  const findings: Finding[] = [];
  for (const group of [...groups].sort((a, b) => a.id.localeCompare(b.id))) {
    const users = [
      ...new Set(
        functions
          .filter((fn) => fn.inPool && !fn.keeper && fn.securityGroupIds.includes(group.id))
          .map(functionLabel),
      ),
    ];
    const label = group.name ? `${group.id} (${group.name})` : group.id;
    const unused = `Lambda's ENIs carry only connections the functions start, so the rule admits nothing to ${users.join(', ')}, public IP or not`;
    for (const rule of group.inbound) {
      const ports = describePorts(rule);
      if (rule.addressSources.length > 0) {
        findings.push({
          code: 'InboundAllowed',
          severity: 'info',
          message: `security group ${label} of ${users.join(', ')} allows inbound ${ports} from ${rule.addressSources.join(', ')}; ${unused}`,
          fix: `nothing for the functions; remove the rule from ${group.id} unless something else in the group (an instance, an endpoint) needs it, since there it does admit ${rule.addressSources.join(', ')}`,
          resources: [group.id, ...users],
        });
      } else if (rule.groupSources.length > 0) {
        findings.push({
          code: 'InboundFromSecurityGroups',
          severity: 'info',
          message: `security group ${label} of ${users.join(', ')} allows inbound ${ports} from security groups ${rule.groupSources.join(', ')}; ${unused}`,
          fix: `nothing for the functions; remove the rule from ${group.id} unless something else in the group needs it`,
          resources: [group.id, ...users],
        });
      }
    }
  }
  return findings;
}

function describePorts(rule: InboundRule): string {
  if (rule.protocol === 'all' || rule.protocol === '-1') return 'all traffic';
  if (rule.fromPort === undefined || rule.fromPort === -1) return rule.protocol;
  return rule.fromPort === rule.toPort || rule.toPort === undefined
    ? `${rule.protocol} ${rule.fromPort}`
    : `${rule.protocol} ${rule.fromPort}-${rule.toPort}`;
}

function costFindings(plan: Plan): Finding[] {
  const findings: Finding[] = [];
  const price = `$${PUBLIC_IPV4_PRICE.usdPerHour}/h per IP, ${PUBLIC_IPV4_PRICE.region} price since ${PUBLIC_IPV4_PRICE.asOf}`;
  const excess = plan.spares.available - plan.spares.wanted;
  if (excess > 0) {
    const free = plan.addresses.filter(
      (address) => address.state === 'free' || address.state === 'on-retired-eni',
    );
    findings.push({
      code: 'FreeIpsBeyondSpares',
      severity: 'warning',
      message: `pool "${plan.pool}" keeps ${excess} free IP(s) beyond the ${plan.spares.wanted} spare(s) asked for, costing $${monthlyIpCostUsd(excess).toFixed(2)} a month (${price})`,
      fix: `keep them as spares (pass --spares ${plan.spares.available}), or, once no vendor allow-lists them, release them with \`lambda-static-ip release --pool ${plan.pool} --ip <address> --yes\``,
      resources: free.flatMap((address) => [address.allocationId, address.publicIp]),
    });
  }
  const ips = plan.addresses.length;
  findings.push({
    code: 'PoolCost',
    severity: 'info',
    message: `pool "${plan.pool}" has ${ips} IP(s): $${monthlyIpCostUsd(ips).toFixed(2)} a month (${price})`,
    fix: 'nothing: for comparison, one NAT gateway costs about $33 a month per AZ before data',
    resources: plan.addresses.map((address) => address.allocationId),
  });
  return findings;
}

function quotaFindings(quota: number | undefined, observation: Observation, plan: Plan): Finding[] {
  const allocated = observation.addresses.length;
  const increase =
    'request an increase of "EC2-VPC Elastic IPs" (Service Quotas code L-0263D0A3) in this Region, or release unused addresses';
  if (quota === undefined) {
    return [
      {
        code: 'EipQuotaUnknown',
        severity: 'info',
        message: `the Region's Elastic IP limit could not be read (ec2:DescribeAccountAttributes); ${allocated} address(es) are allocated`,
        fix: 'allow ec2:DescribeAccountAttributes (see `lambda-static-ip iam-policy --access read`), or check Service Quotas L-0263D0A3',
        resources: [],
      },
    ];
  }
  const headroom = Math.max(0, quota - allocated);
  const needed = plan.spares.neededForZeroDowntimeChange;
  const ready = plan.spares.available;
  if (headroom === 0) {
    return [
      {
        code: 'EipQuotaReached',
        severity: 'warning',
        message: `${allocated} of the Region's ${quota} Elastic IPs are allocated: no new IP can be allocated, so a new ENI finds at most the pool's ${ready} free IP(s)`,
        fix: increase,
        resources: [],
      },
    ];
  }
  if (ready + headroom < needed) {
    return [
      {
        code: 'EipQuotaLow',
        severity: 'warning',
        message: `a VPC change of every pool function at once needs ${needed} new IP(s), but the pool has ${ready} free and the Region allows ${headroom} more (limit ${quota}, ${allocated} allocated)`,
        fix: increase,
        resources: [],
      },
    ];
  }
  return [
    {
      code: 'EipQuotaHeadroom',
      severity: 'info',
      message: `${headroom} more Elastic IP(s) can be allocated in ${plan.region} (limit ${quota}, ${allocated} allocated)`,
      fix: 'nothing',
      resources: [],
    },
  ];
}

/** Pool functions' published versions whose VPC placement differs from their $LATEST. */
export function versionsWithOtherVpc(functions: readonly ObservedFunction[]): ObservedFunction[] {
  const latest = new Map(
    functions.filter((fn) => fn.inPool && fn.version === '$LATEST').map((fn) => [fn.name, fn]),
  );
  return functions.filter((fn) => {
    const head = latest.get(fn.name);
    return fn.inPool && fn.version !== '$LATEST' && head !== undefined && !sameVpc(fn, head);
  });
}

function sameVpc(a: ObservedFunction, b: ObservedFunction): boolean {
  const key = (fn: ObservedFunction) => `${[...fn.subnetIds].sort()}|${[...fn.securityGroupIds].sort()}`;
  return key(a) === key(b);
}

function versionFindings(functions: readonly ObservedFunction[], aliases: readonly AliasView[]): Finding[] {
  const findings: Finding[] = [];
  for (const version of versionsWithOtherVpc(functions)) {
    const routing = aliases.filter(
      (alias) =>
        alias.functionName === version.name &&
        (alias.version === version.version || alias.additionalVersions.includes(version.version)),
    );
    const placement = `subnets ${version.subnetIds.join(', ')} with security groups ${version.securityGroupIds.join(', ')}`;
    if (routing.length > 0) {
      const names = routing.map((alias) => alias.name).join(', ');
      findings.push({
        code: 'AliasVpcDiffers',
        severity: 'warning',
        message: `alias ${names} of ${version.name} routes to version ${version.version}, placed in ${placement}, unlike $LATEST: calls through it egress from other ENIs than $LATEST's`,
        fix: `publish a version from $LATEST and point ${names} at it, if the placement change is meant to apply to it`,
        resources: [
          version.name,
          functionLabel(version),
          ...routing.map((alias) => `${version.name}:${alias.name}`),
        ],
      });
    } else {
      findings.push({
        code: 'VersionVpcDiffers',
        severity: 'info',
        message: `version ${version.version} of ${version.name} is placed in ${placement}, unlike $LATEST; it keeps its own ENIs alive, each holding a pool IP`,
        fix: `delete the version if nothing invokes it (aws lambda delete-function --function-name ${version.name} --qualifier ${version.version}); its IPs then serve other ENIs`,
        resources: [version.name, functionLabel(version)],
      });
    }
  }
  return findings;
}
