import { Command, Option } from 'commander';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { addPoolOptions, type PoolCommandOptions } from '../pool-options.js';

interface IpsOptions extends PoolCommandOptions {
  readonly format: 'text' | 'json' | 'cidr';
}

export const registerIps: RegisterCommand = (program, run) => {
  const command = addPoolOptions(
    new Command('ips').description(
      "print the pool's allow-list: every IP tagged for the pool, bound or free",
    ),
  )
    .addOption(
      new Option('--format <format>', 'text: one IP per line; cidr: one /32 per line; json: one document')
        .choices(['text', 'json', 'cidr'])
        .default('text'),
    )
    .action(async (options: IpsOptions, self: Command) =>
      run(self, async ({ clients, output }) => {
        const { describePoolAddresses } = await import('../../aws/addresses.js');
        const { ec2 } = await clients();
        const addresses = await describePoolAddresses(ec2, options.pool);
        const ips = addresses.map((address) => address.publicIp);
        if (ips.length === 0) output.warn(`pool "${options.pool}" has no Elastic IPs in this Region`);
        const document = {
          pool: options.pool,
          region: await ec2.config.region(),
          ips,
          addresses: addresses.map(({ allocationId, publicIp }) => ({ allocationId, publicIp })),
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
