import { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import type { RegisterCommand } from '../command.js';
import { firstFailure } from '../error-document.js';
import { ExitCode } from '../exit-codes.js';
import { collect } from '../options.js';
import { addPoolOptions, type PoolCommandOptions } from '../pool-options.js';
import { renderTable } from '../table.js';

interface ReleaseOptions extends PoolCommandOptions {
  readonly ip?: string[];
  readonly yes: boolean;
}

interface ReleaseOutcome {
  readonly allocationId: string;
  readonly publicIp: string;
  readonly released: boolean;
  readonly wasBoundTo?: string;
  readonly error?: string;
}

export const registerRelease: RegisterCommand = (program, run) => {
  const command = addPoolOptions(
    new Command('release').description(
      'give pool IPs back to AWS (disassociating them first): the only command that loses an IP; requires --yes',
    ),
  )
    .option(
      '--ip <address>',
      'release only this IP of the pool (repeatable); default: every IP of the pool',
      collect,
    )
    .option(
      '--yes',
      'confirm: the IPs are gone for good, and vendors who allow-listed them must be told',
      false,
    )
    .action(async (options: ReleaseOptions, self: Command) =>
      run(self, async ({ clients, output }) => {
        if (!options.yes) {
          throw new InputError(
            'ConfirmationRequired',
            `release gives IPs of pool "${options.pool}" back to AWS for good; nothing was released. Check the allow-list with \`lambda-static-ip ips --pool ${options.pool}\`, then pass --yes`,
          );
        }
        const { describePoolAddresses, disassociate, releaseAddress } = await import(
          '../../aws/addresses.js'
        );
        const { awsErrorCode } = await import('../../aws/errors.js');
        const { ec2 } = await clients();
        const pool = await describePoolAddresses(ec2, options.pool);
        const wanted = options.ip ?? pool.map((address) => address.publicIp);
        for (const ip of wanted) {
          if (!pool.some((address) => address.publicIp === ip)) {
            throw new InputError(
              'NotInPool',
              `${ip} is not an IP of pool "${options.pool}" in this Region, so it is never released by this command; nothing was released (see \`lambda-static-ip ips --pool ${options.pool}\`)`,
            );
          }
        }
        const outcomes: ReleaseOutcome[] = [];
        for (const address of pool.filter((candidate) => wanted.includes(candidate.publicIp))) {
          const boundTo = address.networkInterfaceId ?? address.instanceId;
          try {
            if (address.associationId) {
              output.warn(
                `${address.publicIp} is bound to ${boundTo}; disassociating it cuts that egress now`,
              );
              await disassociate(ec2, address.associationId);
            }
            await releaseAddress(ec2, address.allocationId);
            output.progress(`released ${address.publicIp} (${address.allocationId})`);
            outcomes.push({
              allocationId: address.allocationId,
              publicIp: address.publicIp,
              released: true,
              ...(boundTo ? { wasBoundTo: boundTo } : {}),
            });
          } catch (error) {
            const message = `${awsErrorCode(error) ?? 'Error'}: ${error instanceof Error ? error.message : String(error)}`;
            output.error(`${address.publicIp} was not released: ${message}`);
            outcomes.push({
              allocationId: address.allocationId,
              publicIp: address.publicIp,
              released: false,
              error: message,
            });
          }
        }
        output.result(
          {
            pool: options.pool,
            released: outcomes.filter((o) => o.released),
            notReleased: outcomes.filter((o) => !o.released),
            ...firstFailure(
              outcomes.flatMap((o) =>
                o.released
                  ? []
                  : [{ code: 'NotReleased', message: `${o.publicIp} was not released: ${o.error}` }],
              ),
              'notReleased',
            ),
          },
          () =>
            outcomes.length === 0
              ? `Pool "${options.pool}" has no IPs; nothing to release.`
              : renderTable(
                  ['IP', 'ALLOCATION', 'RESULT'],
                  outcomes.map((o) => [
                    o.publicIp,
                    o.allocationId,
                    o.released ? 'released' : `NOT released: ${o.error}`,
                  ]),
                ),
        );
        return outcomes.every((o) => o.released) ? ExitCode.Ok : ExitCode.Failure;
      }),
    );
  program.addCommand(command);
};
