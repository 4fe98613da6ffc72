import { Command } from 'commander';
import type { AwsClients } from '../../aws/clients.js';
import { InputError, StaticIpError } from '../../core/errors.js';
import type { KeeperUse } from '../../core/keeper.js';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { poolName } from '../pool-options.js';
import { renderTable } from '../table.js';

interface KeepersOptions {
  readonly pool: string;
}

interface PruneOptions extends KeepersOptions {
  readonly yes: boolean;
}

/** `keepers`: the pool's keepers, their combination, and which pool functions still use it. */
export const registerKeepers: RegisterCommand = (program, run) => {
  program.addCommand(
    new Command('keepers')
      .description(
        "list the pool's keepers, their (subnet, security-group set), and whether a pool function still uses it",
      )
      .requiredOption('--pool <name>', 'the pool: functions tagged lambda-static-ip:pool=<name>', poolName)
      .action(async (options: KeepersOptions, self: Command) =>
        run(self, async ({ clients, output }) => {
          const keepers = await listKeepers(await clients(), options.pool);
          output.result({ pool: options.pool, keepers: keepers.map(keeperJson) }, () =>
            keepers.length === 0 ? `Pool "${options.pool}" has no keepers.` : renderKeepers(keepers),
          );
          return ExitCode.Ok;
        }),
      ),
  );
};

/**
 * `prune`: deletes the keepers no pool function uses (each with its schedule), and the pool's keeper role
 * when the CLI created it and no keeper is left. Never a keeper still in use, never a function without
 * both our pool and keeper tags.
 */
export const registerPrune: RegisterCommand = (program, run) => {
  program.addCommand(
    new Command('prune')
      .description(
        'delete the keepers no pool function uses any more (their ENIs retire and their IPs come back free); requires --yes',
      )
      .requiredOption('--pool <name>', 'the pool: functions tagged lambda-static-ip:pool=<name>', poolName)
      .option('--yes', 'delete without asking (required when there is no terminal)', false)
      .action(async (options: PruneOptions, self: Command) =>
        run(self, async ({ clients, output, io, globals }) => {
          const aws = await clients();
          const all = await listKeepers(aws, options.pool);
          const unused = [
            ...new Set(all.filter((keeper) => isUnused(keeper, all)).map((keeper) => keeper.name)),
          ];
          if (unused.length > 0 && !options.yes) {
            io.writeErr(`Would delete ${unused.length} keeper(s) nothing uses: ${unused.join(', ')}\n`);
            if (!io.interactive) {
              throw new InputError(
                'ConfirmationRequired',
                `prune would delete ${unused.length} keeper(s) of pool "${options.pool}" (${unused.join(', ')}) but there is no terminal to confirm on; nothing was deleted: pass --yes`,
              );
            }
            const answer = await io.ask(`Delete ${unused.length} keeper(s)? [y/N] `);
            if (!/^y(es)?$/i.test(answer.trim())) {
              throw new StaticIpError('Aborted', 'aborted at the prompt: nothing was deleted');
            }
          }
          const region = await aws.ec2.config.region();
          const { openKeeperClients } = await import('./prepare.js');
          const { deleteKeeper, deleteKeeperRole } = await import('../../aws/keepers.js');
          const keeperClients = await openKeeperClients(aws, globals, region, output);
          for (const name of unused) {
            await deleteKeeper(keeperClients, name);
            output.progress(`deleted keeper ${name}`);
          }
          const left = all.filter((keeper) => !unused.includes(keeper.name)).length;
          const roleDeleted =
            unused.length > 0 && left === 0 ? await deleteKeeperRole(keeperClients.iam, options.pool) : false;
          output.result(
            {
              pool: options.pool,
              deleted: unused,
              kept: [...new Set(all.map((keeper) => keeper.name))].filter((name) => !unused.includes(name)),
              roleDeleted,
            },
            () =>
              unused.length === 0
                ? `Pool "${options.pool}": every keeper is in use; nothing deleted.`
                : `Pool "${options.pool}": deleted ${unused.length} keeper(s)${roleDeleted ? ' and their role' : ''}; their ENIs retire and their IPs come back free.`,
          );
          return ExitCode.Ok;
        }),
      ),
  );
};

/** A keeper is unused when no pool function uses any of its combinations. */
function isUnused(keeper: KeeperUse, all: readonly KeeperUse[]): boolean {
  return all.filter((other) => other.name === keeper.name).every((entry) => entry.usedBy.length === 0);
}

async function listKeepers(clients: AwsClients, pool: string): Promise<KeeperUse[]> {
  const [{ observePoolFunctions }, { keeperUses }] = await Promise.all([
    import('../../aws/observe.js'),
    import('../../core/keeper.js'),
  ]);
  const region = await clients.ec2.config.region();
  const { functions } = await observePoolFunctions(clients, { pool }, region);
  return keeperUses(functions);
}

function keeperJson(keeper: KeeperUse) {
  return { ...keeper, used: keeper.usedBy.length > 0 };
}

function renderKeepers(keepers: readonly KeeperUse[]): string {
  return renderTable(
    ['KEEPER', 'SUBNET', 'SECURITY GROUPS', 'USED BY'],
    keepers.map((keeper) => [
      keeper.name,
      keeper.subnetId,
      keeper.securityGroupIds.join(','),
      keeper.usedBy.join(', ') || '(nothing: `prune` deletes it)',
    ]),
  );
}
