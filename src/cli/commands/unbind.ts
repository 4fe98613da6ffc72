import { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import type { RegisterCommand } from '../command.js';
import { warnAboutController } from '../controller-warning.js';
import { ExitCode } from '../exit-codes.js';
import { addPoolOptions, type PoolCommandOptions } from '../pool-options.js';
import { renderTable } from '../table.js';

interface UnbindOptions extends PoolCommandOptions {
  readonly yes: boolean;
}

export const registerUnbind: RegisterCommand = (program, run) => {
  const command = addPoolOptions(
    new Command('unbind').description(
      "take the pool's IPs off its functions' Lambda ENIs on purpose (before NAT gateways take them): their egress stops; never releases an IP; requires --yes",
    ),
  )
    .option(
      '--yes',
      'confirm: the functions lose internet access until their egress moves (NAT gateway) or the IPs are bound again',
      false,
    )
    .addHelpText(
      'after',
      `
Only this pool's IPs on the Lambda ENIs of the pool's functions are disassociated (by the association ids
just observed): IPs on NAT gateways, load balancers, instances or other functions' ENIs stay, and nothing
is released. Stop whatever binds the pool first (the HyperplaneEgress construct's controller, a scheduled
\`apply\`), or it binds the IPs again. The switching procedure: docs/switching.md.`,
    )
    .action(async (options: UnbindOptions, self: Command) =>
      run(self, async ({ clients, output }) => {
        if (!options.yes) {
          throw new InputError(
            'ConfirmationRequired',
            `unbind cuts the egress of pool "${options.pool}"'s functions until their IPs are bound again or their egress moves; nothing was changed. See what is bound with \`lambda-static-ip status --pool ${options.pool}\`, then pass --yes`,
          );
        }
        const aws = await clients();
        const controllers = await warnAboutController(aws, options.pool, output, 'the freed IPs');
        output.startProgress(`unbinding pool "${options.pool}"`);
        const { unbindPool } = await import('../../reconcile/unbind-pool.js');
        const result = await unbindPool(aws, {
          pool: options.pool,
          functions: options.function ?? [],
          missingFunctions: 'error',
        });
        const document = {
          pool: result.pool,
          region: result.region,
          unbound: result.unbound,
          controllers: controllers ?? null,
        };
        output.result(document, () =>
          result.unbound.length === 0
            ? `Pool "${result.pool}" in ${result.region}: no pool IP was on its functions' Lambda ENIs; nothing to unbind.`
            : [
                renderTable(
                  ['IP', 'ALLOCATION', 'ENI', 'RESULT'],
                  result.unbound.map((entry) => [
                    entry.publicIp,
                    entry.allocationId,
                    entry.networkInterfaceId,
                    entry.removed ? 'disassociated' : 'already gone',
                  ]),
                ),
                '',
                `Pool "${result.pool}" in ${result.region}: ${result.unbound.length} IP(s) free, still allocated and tagged; nothing was released.`,
              ].join('\n'),
        );
        return ExitCode.Ok;
      }),
    );
  program.addCommand(command);
};
