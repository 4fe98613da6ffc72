import { Command } from 'commander';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { wholeNumber } from '../options.js';
import {
  addPoolOptions,
  addReserveOption,
  type ReserveCommandOptions,
  reconcileRequest,
} from '../pool-options.js';
import { renderAddresses, renderEnis, renderProblems, renderSpares } from '../render-plan.js';

interface StatusOptions extends ReserveCommandOptions {
  readonly spares: number;
}

export const registerStatus: RegisterCommand = (program, run) => {
  const command = addReserveOption(
    addPoolOptions(
      new Command('status').description("show the pool's ENIs (with the functions using them) and its IPs"),
    ),
  )
    .option('--spares <n>', 'the spares you keep, to compare with what is ready', wholeNumber(0, 1000), 0)
    .action(async (options: StatusOptions, self: Command) =>
      run(self, async ({ clients, output }) => {
        output.startProgress(`observing pool "${options.pool}"`);
        const { reconcile } = await import('../../reconcile/reconcile.js');
        const result = await reconcile(await clients(), reconcileRequest(options), { dryRun: true });
        const plan = result.initialPlan;
        output.result(
          {
            pool: plan.pool,
            region: plan.region,
            enis: plan.enis,
            addresses: plan.addresses,
            spares: plan.spares,
            pendingChanges: plan.actions.length,
            problems: plan.problems,
          },
          () =>
            [
              output.style('bold', `Pool "${plan.pool}" in ${plan.region}`),
              'ENIs of the pool',
              renderEnis(plan.enis),
              'Pool IPs',
              renderAddresses(plan.addresses),
              renderSpares(plan),
              plan.actions.length > 0
                ? `${plan.actions.length} change(s) pending: run \`lambda-static-ip plan\` to see them.`
                : '',
              renderProblems(plan.problems, output),
            ]
              .filter(Boolean)
              .join('\n\n'),
        );
        return ExitCode.Ok;
      }),
    );
  program.addCommand(command);
};
