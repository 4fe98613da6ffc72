import { Command, Option } from 'commander';
import type { AwsClients } from '../../aws/clients.js';
import type { AddressHolder, Direction } from '../../core/address-holder.js';
import type { Ipv6AllowList } from '../../core/ipv6-egress.js';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import type { Output } from '../output.js';
import { addPoolOptions, type PoolCommandOptions } from '../pool-options.js';

type Family = 'ipv4' | 'ipv6' | 'all';

interface IpsOptions extends PoolCommandOptions {
  readonly format: 'text' | 'json' | 'cidr';
  readonly direction: Direction | 'all';
  readonly family: Family;
}

interface AddressEntry {
  readonly allocationId: string;
  readonly publicIp: string;
  readonly direction: Direction;
  readonly boundTo: AddressHolder;
}

export const registerIps: RegisterCommand = (program, run) => {
  const command = addPoolOptions(
    new Command('ips').description(
      "print the pool's allow-list: every IP tagged for the pool, bound or free; --direction picks egress (Lambda ENIs, NAT gateways, NAT instances, free spares) or ingress (NLBs); --family ipv6 prints the IPv6 prefixes of the pool functions' subnets",
    ),
  )
    .addOption(
      new Option(
        '--format <format>',
        'text: one IP (or IPv6 prefix) per line; cidr: one /32 per IPv4 address, IPv6 prefixes as they are; json: one document',
      )
        .choices(['text', 'json', 'cidr'])
        .default('text'),
    )
    .addOption(
      new Option(
        '--direction <direction>',
        'egress: IPs on Lambda ENIs, on NAT gateways and NAT instances, and free ones (spares); ingress: IPs on Network Load Balancers; all: both',
      )
        .choices(['egress', 'ingress', 'all'])
        .default('all'),
    )
    .addOption(
      new Option(
        '--family <family>',
        "ipv4: the pool's Elastic IPs; ipv6: the IPv6 /64s of the subnets the pool's functions are placed in (egress only); all: both",
      )
        .choices(['ipv4', 'ipv6', 'all'])
        .default('ipv4'),
    )
    .addHelpText(
      'after',
      `
A dual-stack function (Ipv6AllowedForDualStack) sends IPv6 from an address of its subnet's /64: the address
changes with the ENI, the /64 does not, so vendors that accept IPv6 allow-list the /64s. The pool's functions are
those tagged lambda-static-ip:pool=<name> and those named with --function. See docs/ipv6.md.

--json: { pool, region, direction, family, ips, addresses } and, with --family ipv6 or all,
  ipv6Cidrs: [prefix…], subnets: [{ subnetId, vpcId, availabilityZone, ipv6Cidrs, functions }],
  functionsWithoutIpv6: [name…]. ips and addresses are empty with --family ipv6.`,
    )
    .action(async (options: IpsOptions, self: Command) =>
      run(self, async ({ clients, output }) => {
        const aws = await clients();
        const region = await aws.ec2.config.region();
        const wantsIpv4 = options.family !== 'ipv6';
        const wantsIpv6 = options.family !== 'ipv4' && options.direction !== 'ingress';
        if (options.family === 'ipv6' && options.direction === 'ingress') {
          output.warn('IPv6 prefixes are where egress leaves from; --direction ingress has none');
        }
        const addresses = wantsIpv4 ? await ipv4Entries(aws, options, output) : [];
        const ipv6 = wantsIpv6 ? await ipv6AllowListOf(aws, options, region, output) : undefined;

        const ips = addresses.map((entry) => entry.publicIp);
        const cidrs = ipv6?.cidrs ?? [];
        const document = {
          pool: options.pool,
          region,
          direction: options.direction,
          family: options.family,
          ips,
          addresses,
          ...(ipv6
            ? { ipv6Cidrs: cidrs, subnets: ipv6.subnets, functionsWithoutIpv6: ipv6.functionsWithoutIpv6 }
            : {}),
        };
        output.result(document, () => {
          if (options.format === 'json') return JSON.stringify(document, null, 2);
          return [...(options.format === 'cidr' ? ips.map((ip) => `${ip}/32`) : ips), ...cidrs].join('\n');
        });
        return ExitCode.Ok;
      }),
    );
  program.addCommand(command);
};

/** The pool's Elastic IPs of the direction asked for, each with what holds it. */
async function ipv4Entries(aws: AwsClients, options: IpsOptions, output: Output): Promise<AddressEntry[]> {
  const { describePoolAddresses } = await import('../../aws/addresses.js');
  const { describeInterfaces } = await import('../../aws/address-interfaces.js');
  const { directionOf, holderOfAddress } = await import('../../core/address-holder.js');
  const pool = await describePoolAddresses(aws.ec2, options.pool);
  // One DescribeNetworkInterfaces for every ENI holding a pool address, not one per address.
  const held = pool.map((address) => address.networkInterfaceId).filter((id) => id !== undefined);
  const interfaces = new Map(
    (held.length > 0 ? await describeInterfaces(aws.ec2, held) : []).map((eni) => [eni.id, eni]),
  );
  const entries = pool
    .map((address) => {
      const boundTo = holderOfAddress(address, interfaces);
      return {
        allocationId: address.allocationId,
        publicIp: address.publicIp,
        direction: directionOf(boundTo),
        boundTo,
      };
    })
    .filter((entry) => options.direction === 'all' || entry.direction === options.direction);
  if (pool.length === 0) output.warn(`pool "${options.pool}" has no Elastic IPs in this Region`);
  else if (entries.length === 0)
    output.warn(`pool "${options.pool}" has no ${options.direction} IPs in this Region`);
  return entries;
}

/**
 * The IPv6 prefixes of the pool functions' subnets: two paged reads for the functions, one for their
 * subnets. Warns about what keeps a function off IPv6; `audit --ipv6` says how to fix it.
 */
async function ipv6AllowListOf(
  aws: AwsClients,
  options: IpsOptions,
  region: string,
  output: Output,
): Promise<Ipv6AllowList> {
  const { observePoolFunctions, describeSubnets, subnetIpv6CidrBlocks } = await import(
    '../../aws/observe.js'
  );
  const { ipv6AllowList } = await import('../../core/ipv6-egress.js');
  const { functions } = await observePoolFunctions(
    aws,
    { pool: options.pool, ...(options.function ? { functions: options.function } : {}) },
    region,
  );
  const subnetIds = [...new Set(functions.filter((fn) => fn.inPool).flatMap((fn) => fn.subnetIds))].sort();
  const subnets = subnetIds.length > 0 ? await describeSubnets(aws, subnetIds) : [];
  const allowList = ipv6AllowList(
    functions,
    subnets.map((subnet) => ({
      id: subnet.SubnetId ?? '',
      vpcId: subnet.VpcId ?? '',
      availabilityZone: subnet.AvailabilityZone ?? '',
      ipv6CidrBlocks: subnetIpv6CidrBlocks(subnet),
    })),
  );
  const audit = `run \`lambda-static-ip audit --pool ${options.pool} --ipv6\``;
  if (allowList.subnets.length === 0) {
    output.warn(
      `pool "${options.pool}" has no function in a VPC (tagged lambda-static-ip:pool=${options.pool} or named with --function), so no IPv6 prefix`,
    );
  }
  for (const subnet of allowList.subnets.filter((view) => view.ipv6Cidrs.length === 0)) {
    output.warn(
      `subnet ${subnet.subnetId} of ${subnet.functions.join(', ')} has no IPv6 block, so they send no IPv6 from it; ${audit}`,
    );
  }
  if (allowList.functionsWithoutIpv6.length > 0) {
    output.warn(
      `${allowList.functionsWithoutIpv6.join(', ')} do(es) not allow IPv6 (Ipv6AllowedForDualStack): their traffic leaves over IPv4 only; ${audit}`,
    );
  }
  return allowList;
}
