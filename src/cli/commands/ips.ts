import { Command, Option } from 'commander';
import type { AddressHolder, Direction } from '../../core/address-holder.js';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { addPoolOptions, type PoolCommandOptions } from '../pool-options.js';

interface IpsOptions extends PoolCommandOptions {
  readonly format: 'text' | 'json' | 'cidr';
  readonly direction: Direction | 'all';
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
      "print the pool's allow-list: every IP tagged for the pool, bound or free; --direction picks egress (Lambda ENIs, NAT gateways, free spares) or ingress (NLBs)",
    ),
  )
    .addOption(
      new Option('--format <format>', 'text: one IP per line; cidr: one /32 per line; json: one document')
        .choices(['text', 'json', 'cidr'])
        .default('text'),
    )
    .addOption(
      new Option(
        '--direction <direction>',
        'egress: IPs on Lambda ENIs, on NAT gateways, and free ones (spares); ingress: IPs on Network Load Balancers; all: both',
      )
        .choices(['egress', 'ingress', 'all'])
        .default('all'),
    )
    .action(async (options: IpsOptions, self: Command) =>
      run(self, async ({ clients, output }) => {
        const { describePoolAddresses } = await import('../../aws/addresses.js');
        const { describeInterfaces } = await import('../../aws/address-interfaces.js');
        const { directionOf, holderOfAddress } = await import('../../core/address-holder.js');
        const { ec2 } = await clients();
        const pool = await describePoolAddresses(ec2, options.pool);
        // One DescribeNetworkInterfaces for every ENI holding a pool address, not one per address.
        const held = pool.map((address) => address.networkInterfaceId).filter((id) => id !== undefined);
        const interfaces = new Map(
          (held.length > 0 ? await describeInterfaces(ec2, held) : []).map((eni) => [eni.id, eni]),
        );
        const entries: AddressEntry[] = pool.map((address) => {
          const boundTo = holderOfAddress(address, interfaces);
          return {
            allocationId: address.allocationId,
            publicIp: address.publicIp,
            direction: directionOf(boundTo),
            boundTo,
          };
        });
        const selected = entries.filter(
          (entry) => options.direction === 'all' || entry.direction === options.direction,
        );
        const ips = selected.map((entry) => entry.publicIp);
        if (pool.length === 0) output.warn(`pool "${options.pool}" has no Elastic IPs in this Region`);
        else if (ips.length === 0)
          output.warn(`pool "${options.pool}" has no ${options.direction} IPs in this Region`);
        const document = {
          pool: options.pool,
          region: await ec2.config.region(),
          direction: options.direction,
          ips,
          addresses: selected,
        };
        output.result(document, () => {
          if (options.format === 'json') return JSON.stringify(document, null, 2);
          return (options.format === 'cidr' ? ips.map((ip) => `${ip}/32`) : ips).join('\n');
        });
        return ExitCode.Ok;
      }),
    );
  program.addCommand(command);
};
