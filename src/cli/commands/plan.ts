import { Command } from 'commander';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { addReconcileOptions, type ReconcileCommandOptions, reconcileRequest } from '../pool-options.js';
import { planJson, renderPlan } from '../render-plan.js';

interface PlanOptions extends ReconcileCommandOptions {
  readonly detailedExitcode: boolean;
}

export const registerPlan: RegisterCommand = (program, run) => {
  const command = addReconcileOptions(
    new Command('plan').description('show what apply would change, without changing anything'),
  )
    .option('--detailed-exitcode', 'exit 3 when changes are pending, 0 when there are none', false)
    .action(async (options: PlanOptions, self: Command) =>
      run(self, async ({ clients, output }) => {
        output.startProgress(`observing pool "${options.pool}"`);
        const { reconcile } = await import('../../reconcile/reconcile.js');
        const result = await reconcile(await clients(), reconcileRequest(options), { dryRun: true });
        const plan = result.initialPlan;
        output.result(planJson(plan), () => renderPlan(plan, output));
        return options.detailedExitcode && plan.actions.length > 0 ? ExitCode.ChangesPending : ExitCode.Ok;
      }),
    );
  program.addCommand(command);
};
