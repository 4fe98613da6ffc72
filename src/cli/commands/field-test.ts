import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { InputError, StaticIpError } from '../../core/errors.js';
import { estimateFieldTestCost } from '../../core/field-test/cost-estimate.js';
import type { FieldTestReport } from '../../core/field-test/report.js';
import { renderFieldTestMarkdown } from '../../core/field-test/report-markdown.js';
import {
  FIELD_TEST_TAG_KEY,
  fieldTestNames,
  runIdFrom,
  validateRunId,
} from '../../core/field-test/run-id.js';
import {
  FIELD_TEST_SCENARIOS,
  keeperEnis,
  poolSizeNeeded,
  selectScenarios,
  subnetsNeeded,
  UNFORCEABLE_SCENARIOS,
} from '../../core/field-test/scenarios.js';
import type { CommandContext, RegisterCommand } from '../command.js';
import { errorMember } from '../error-document.js';
import { ExitCode } from '../exit-codes.js';
import { wholeNumber } from '../options.js';

interface FieldTestOptions {
  readonly scenarios?: string;
  readonly budgetMinutes: number;
  readonly out?: string;
  readonly yes: boolean;
  readonly local: boolean;
  readonly cleanup: boolean;
  readonly runId?: string;
  readonly keepIps: boolean;
}

/** The test functions' memory and the longest an invocation is billed (the echo request's timeout). */
const MEMORY_MB = 128;
const INVOCATION_MS = 3_000;

export const registerFieldTest: RegisterCommand = (program, run) => {
  program.addCommand(
    new Command('field-test')
      .description(
        'prove it in a real account: a throwaway tagged VPC, a few new Elastic IPs, test functions invoked every second through VPC changes; reports downtime, the addresses seen, the timings, and cleans up (costs a few cents; requires --yes)',
      )
      .option(
        '--scenarios <list>',
        `comma-separated: ${FIELD_TEST_SCENARIOS.map((s) => s.id).join(', ')}, or all`,
        'all',
      )
      .option(
        '--budget-minutes <n>',
        'scenarios start only within this many minutes',
        wholeNumber(5, 240),
        30,
      )
      .option('--out <path>', 'also write the report to <path>.json and <path>.md')
      .option(
        '--yes',
        'accept the resources and the estimated cost (required when there is no terminal)',
        false,
      )
      .option(
        '--local',
        'run on the local test bed instead of an account (python3 with moto[server]; no cost)',
        false,
      )
      .option(
        '--cleanup',
        `only remove what field-test runs left (everything tagged ${FIELD_TEST_TAG_KEY})`,
        false,
      )
      .option('--run-id <id>', 'with --cleanup: only this run')
      .option('--keep-ips', 'keep the Elastic IPs the run allocated (as pool lsi-ft-<run-id>)', false)
      .action(async (options: FieldTestOptions, self: Command) =>
        run(self, async (context) =>
          options.cleanup ? cleanupOnly(context, options) : fieldTest(context, options),
        ),
      ),
  );
};

async function fieldTest(context: CommandContext, options: FieldTestOptions): Promise<number> {
  const { output, io } = context;
  if (options.runId !== undefined) {
    throw new InputError('InvalidOptionValue', '--run-id goes with --cleanup; a new run picks its own id');
  }
  const selected = selectScenarios(options.scenarios);
  const runId = runIdFrom(randomBytes(4));
  const { FIELD_TEST_DEFAULTS } = await import('../field-test/run.js');
  const ips = poolSizeNeeded(selected);
  const cost = estimateFieldTestCost({
    ips,
    budgetMinutes: options.budgetMinutes + FIELD_TEST_DEFAULTS.cleanupWaitMs / 60_000,
    invocations: Math.ceil((options.budgetMinutes * 60_000 * 2) / FIELD_TEST_DEFAULTS.invokeIntervalMs),
    memoryMb: MEMORY_MB,
    invocationMs: INVOCATION_MS,
  });
  const plan = [
    `field test ${runId} ${options.local ? 'on the local test bed' : 'in your AWS account'}: scenarios ${selected.map((s) => s.id).join(', ')}`,
    `creates, tagged ${FIELD_TEST_TAG_KEY}=${runId}: a VPC with ${subnetsNeeded(selected)} public subnets and an internet gateway, 2 security groups per scenario,`,
    `${ips} new Elastic IPs (pool ${fieldTestNames.pool(runId)}), an execution role and up to 2 test functions at a time (${MEMORY_MB} MB)`,
    ...selected
      .filter((scenario) => keeperEnis(scenario) > 0)
      .map(
        (scenario) =>
          `${scenario.id}: ${keeperEnis(scenario)} keepers as \`prepare\` makes them (${MEMORY_MB} MB, a daily EventBridge schedule each, their role under /lambda-static-ip/keeper/), whose ${keeperEnis(scenario)} ENIs take ${keeperEnis(scenario)} of the ${ips} IPs beside the function's own`,
      ),
    options.local
      ? 'estimated cost: none (local)'
      : `estimated cost, at most: $${cost.totalUsd.toFixed(2)} (${cost.lines.join('; ')})`,
    `everything is removed at the end${options.keepIps ? ', except the Elastic IPs (--keep-ips)' : ''}, also after a failure or Ctrl-C`,
  ];
  for (const line of plan) output.progress(line);
  if (!options.local && !options.yes) {
    if (!io.interactive) {
      throw new InputError(
        'ConfirmationRequired',
        `field-test creates resources in your account (estimated at most $${cost.totalUsd.toFixed(2)}) and there is no terminal to confirm on; nothing was created. Pass --yes`,
      );
    }
    const answer = await io.ask('Run the field test? [y/N] ');
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new StaticIpError('Aborted', 'aborted at the prompt: nothing was created');
  }

  const { runFieldTest } = await import('../field-test/run.js');
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) {
      output.error(
        `interrupted again: stopping without cleaning up; run \`lambda-static-ip field-test --cleanup --run-id ${runId}\``,
      );
      process.exit(130);
    }
    output.warn('interrupted: stopping the scenarios and cleaning up (Ctrl-C again to stop at once)');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  let stop: (() => Promise<void>) | undefined;
  let report: FieldTestReport;
  try {
    let target: import('../field-test/target.js').FieldTestTarget;
    if (options.local) {
      // As `demo`: the test bed is loaded only when asked; production paths never import it.
      const { startLocalFieldTestTarget } = await import('../../../testbed/field-test-target.js');
      const local = await startLocalFieldTestTarget();
      target = local.target;
      stop = local.stop;
    } else {
      const { openAwsFieldTestTarget } = await import('../field-test/aws-target.js');
      const opened = await openAwsFieldTestTarget(await context.clients(), context.globals, runId);
      target = opened;
    }
    report = await runFieldTest(target, {
      runId,
      scenarios: selected,
      budgetMinutes: options.budgetMinutes,
      keepIps: options.keepIps,
      signal: abort.signal,
      progress: (line) => output.progress(line),
    });
  } finally {
    process.off('SIGINT', onSigint);
    await stop?.();
  }
  const markdown = renderFieldTestMarkdown(report);
  if (options.out !== undefined) {
    await writeFile(`${options.out}.json`, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(`${options.out}.md`, markdown);
    output.progress(`report written to ${options.out}.json and ${options.out}.md`);
  }
  const failures = report.scenarios.filter((s) => s.status === 'failed' || s.status === 'error');
  const failed = report.verdict.egressFromPoolIps !== 'confirmed' || failures.length > 0;
  if (!report.cleanup.complete) {
    output.warn(
      `not everything could be removed yet: ${report.cleanup.left.join('; ')}; run \`lambda-static-ip field-test --cleanup --run-id ${runId}\` later`,
    );
  }
  output.result(
    {
      ...report,
      ...(failed
        ? errorMember(
            report.verdict.egressFromPoolIps !== 'confirmed' ? 'EgressNotConfirmed' : 'ScenarioFailed',
            report.verdict.egressFromPoolIps !== 'confirmed'
              ? `egress from pool IPs not confirmed: ${report.verdict.reasons.join('; ')}`
              : `scenario ${failures.map((s) => s.id).join(', ')} failed; see "scenarios"`,
          )
        : {}),
    },
    () => markdown,
  );
  return failed ? ExitCode.Failure : ExitCode.Ok;
}

async function cleanupOnly(context: CommandContext, options: FieldTestOptions): Promise<number> {
  const { output } = context;
  if (options.local)
    throw new InputError(
      'InvalidOptionValue',
      '--cleanup has nothing to do with --local: a local run leaves nothing behind',
    );
  const runId = options.runId === undefined ? undefined : validateRunId(options.runId);
  const clients = await context.clients();
  const { cleanupFieldTest } = await import('../../aws/field-test/cleanup.js');
  const { fieldTestRole } = await import('../field-test/aws-target.js');
  const { FIELD_TEST_DEFAULTS } = await import('../field-test/run.js');
  const role = await fieldTestRole(clients, context.globals);
  const cleanup = await cleanupFieldTest(clients, {
    ...(runId === undefined ? {} : { runId }),
    keepIps: options.keepIps,
    waitForEnisMs: FIELD_TEST_DEFAULTS.cleanupWaitMs,
    pollMs: 30_000,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    deleteFunction: (name) => role.deleteFunction(name),
    deleteRole: () => role.deleteRoles(runId),
    eventClients: role.eventClients,
    keepers: { clients: role.keeperClients },
    progress: (line) => output.progress(line),
  });
  output.result({ runId: runId ?? null, ...cleanup }, () =>
    [
      cleanup.removed.length === 0 ? 'Nothing to remove.' : `Removed: ${cleanup.removed.join(', ')}`,
      ...(cleanup.left.length > 0 ? [`Left: ${cleanup.left.join('; ')}`] : []),
      ...(cleanup.keptIps.length > 0 ? [`Kept: ${cleanup.keptIps.join(', ')}`] : []),
    ].join('\n'),
  );
  return cleanup.complete ? ExitCode.Ok : ExitCode.Failure;
}

/** Listed for the docs and --help: what no field test can trigger. */
export const FIELD_TEST_NOT_FORCEABLE = UNFORCEABLE_SCENARIOS;
