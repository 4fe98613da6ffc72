import { Command } from 'commander';
import { InputError, StaticIpError } from '../../core/errors.js';
import type { Problem } from '../../core/plan.js';
import type { ReconcileEvent, ReconcileResult } from '../../reconcile/reconcile.js';
import type { RegisterCommand } from '../command.js';
import { describeError } from '../describe-error.js';
import { errorMember, firstFailure } from '../error-document.js';
import { ExitCode } from '../exit-codes.js';
import type { Output } from '../output.js';
import { addReconcileOptions, type ReconcileCommandOptions, reconcileRequest } from '../pool-options.js';
import type { Progress } from '../progress.js';
import {
  actionJson,
  appliedJson,
  describeAction,
  failedJson,
  renderActions,
  renderApplied,
  renderPlan,
  renderProblems,
} from '../render-plan.js';

interface ApplyOptions extends ReconcileCommandOptions {
  readonly yes: boolean;
}

export const registerApply: RegisterCommand = (program, run) => {
  const command = addReconcileOptions(
    new Command('apply').description(
      'bind every ENI of the pool to a pool IP: shows the plan, asks on a terminal (or takes --yes), applies, reports',
    ),
  )
    .option('--yes', 'apply without asking (required when there is no terminal)', false)
    .action(async (options: ApplyOptions, self: Command) =>
      run(self, async ({ clients, output, io }) => {
        const request = reconcileRequest(options);
        const { reconcile } = await import('../../reconcile/reconcile.js');
        let result: ReconcileResult | undefined;
        if (!options.yes) {
          output.startProgress(`observing pool "${options.pool}"`);
          const dryRun = await reconcile(await clients(), request, { dryRun: true });
          output.stopProgress();
          const preview = dryRun.initialPlan;
          // Nothing to change: the preview is what applying would report, so the pool is not observed twice.
          if (preview.actions.length === 0) result = dryRun;
          else {
            if (!io.interactive) {
              throw new InputError(
                'ConfirmationRequired',
                `apply would make ${preview.actions.length} change(s) to pool "${options.pool}" but there is no terminal to confirm on; review them with \`lambda-static-ip plan\`, then pass --yes`,
              );
            }
            io.writeErr(`${renderPlan(preview, output)}\n\n`);
            const answer = await io.ask(
              `Apply ${preview.actions.length} change(s) to pool "${options.pool}"? [y/N] `,
            );
            if (!/^y(es)?$/i.test(answer.trim())) {
              throw new StaticIpError('Aborted', 'aborted at the prompt: nothing was changed');
            }
          }
        }
        if (!result) {
          const progress = output.startProgress(`observing pool "${options.pool}"`);
          result = await reconcile(await clients(), request, {
            onEvent: applyProgress(options.pool, progress, output),
          });
        }
        const done = result;
        const errors = done.finalPlan.problems.filter((problem) => problem.severity === 'error');
        output.result({ ...applyJson(done), ...applyFailure(done, errors) }, () => renderApply(done, output));
        // The JSON document has every problem; stderr still tells a person why the exit code is 1.
        if (output.json) for (const problem of errors) output.error(`${problem.code}: ${problem.message}`);
        if (done.observationError)
          output.error(`the final check failed: ${describeError(done.observationError)}`);
        // Calls that failed but whose work a later round finished (or found done) do not fail the run:
        // the pool is converged, which is what 0 promises. The JSON still lists them under `failed`.
        return done.converged && errors.length === 0 ? ExitCode.Ok : ExitCode.Failure;
      }),
    );
  program.addCommand(command);
};

/**
 * Shows an apply's progress from its reconcile's events: changes done out of those planned (a later
 * round adds what it plans), failures, and what it is waiting for between rounds; each change made is
 * logged as a line, each failure as a warning.
 */
function applyProgress(pool: string, progress: Progress, output: Output): (event: ReconcileEvent) => void {
  let done = 0;
  let failed = 0;
  return (event) => {
    switch (event.type) {
      case 'observed':
        if (event.plan.actions.length > 0) {
          progress.update({
            label: `applying pool "${pool}"${event.round > 1 ? ` (round ${event.round})` : ''}`,
            done,
            total: done + event.plan.actions.length,
          });
        }
        break;
      case 'applied':
        done++;
        progress.update({ done });
        progress.log(
          output.style(
            'dim',
            `  done: ${describeAction(event.outcome.action)}${event.outcome.action.kind === 'allocate' ? ` -> ${event.outcome.publicIp}` : ''}`,
          ),
        );
        break;
      case 'failed':
        failed++;
        progress.update({ failed });
        output.warn(`${describeAction(event.failure.action)}: ${event.failure.message}`);
        break;
      case 'replanning':
        output.verbose(`round ${event.round}: ${event.reason}`);
        progress.update({ label: `pool "${pool}": ${event.reason}` });
        break;
    }
  };
}

/** The `error` of a failed apply's document: a problem left, a failed final check, or changes not done. */
function applyFailure(result: ReconcileResult, errors: readonly Problem[]) {
  if (errors.length > 0) return firstFailure(errors, 'problems');
  if (result.observationError !== undefined) {
    return errorMember(
      'FinalCheckFailed',
      `the changes were made but the final check failed: ${describeError(result.observationError)}; run \`lambda-static-ip status --pool ${result.pool}\``,
    );
  }
  if (!result.converged) {
    return errorMember(
      'NotConverged',
      `${result.finalPlan.actions.length} change(s) not done after ${result.rounds} round(s) (see "failed" and "notDone"); run apply again`,
    );
  }
  return {};
}

function applyJson(result: ReconcileResult): Record<string, unknown> {
  return {
    pool: result.pool,
    region: result.finalPlan.region,
    actions: result.initialPlan.actions.map(actionJson),
    applied: result.applied.map(appliedJson),
    failed: result.failed.map(failedJson),
    notDone: result.finalPlan.actions.map(actionJson),
    converged: result.converged,
    verified: result.verified,
    unchanged: result.finalPlan.unchanged,
    problems: result.finalPlan.problems,
    spares: result.finalPlan.spares,
  };
}

function renderApply(result: ReconcileResult, output: Output): string {
  const parts = [
    output.style(
      'bold',
      `Pool "${result.pool}" in ${result.finalPlan.region}: ${result.applied.length} change(s) applied, ${result.failed.length} failed; ${result.finalPlan.unchanged.length} ENI(s) bound.`,
    ),
  ];
  if (result.applied.length > 0) parts.push(renderApplied(result.applied));
  if (result.finalPlan.actions.length > 0) {
    parts.push(`Not done (${result.finalPlan.actions.length}):\n${renderActions(result.finalPlan.actions)}`);
  } else {
    parts.push(output.style('green', 'Converged: every ENI of the pool holds a pool IP.'));
  }
  if (result.finalPlan.problems.length > 0) parts.push(renderProblems(result.finalPlan.problems, output));
  return parts.join('\n\n');
}
