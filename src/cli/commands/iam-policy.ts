import { Command, InvalidArgumentError, Option } from 'commander';
import { InputError } from '../../core/errors.js';
import type { PolicyKind } from '../../core/iam-policy.js';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { poolName } from '../pool-options.js';

type Access = 'read' | 'write' | 'release' | 'all';

interface IamPolicyOptions {
  readonly for: 'cli' | 'controller';
  readonly access?: Access;
  readonly pool?: string;
  readonly account?: string;
  readonly partition?: string;
}

/** What each --access level lets the CLI run; every level includes the reads its commands need. */
const CLI_KINDS: Readonly<Record<Access, readonly PolicyKind[]>> = {
  read: ['cli-read'],
  write: ['cli-read', 'cli-write'],
  release: ['cli-read', 'cli-release'],
  all: ['cli-read', 'cli-write', 'cli-release'],
};

function accountId(value: string): string {
  if (!/^\d{12}$/.test(value))
    throw new InvalidArgumentError(`expected a 12-digit account id, got "${value}".`);
  return value;
}

export const registerIamPolicy: RegisterCommand = (program, run) => {
  const command = new Command('iam-policy')
    .description(
      'print the least-privilege IAM policy for the CLI (read-only commands, apply, release) or the in-account controller',
    )
    .addOption(
      new Option(
        '--for <who>',
        'cli: the lambda-static-ip command; controller: the in-account controller role',
      )
        .choices(['cli', 'controller'])
        .default('cli'),
    )
    .addOption(
      new Option(
        '--access <level>',
        'with --for cli: read (plan, status, ips, audit), write (read + apply), release (read + release) or all',
      ).choices(['read', 'write', 'release', 'all']),
    )
    .option(
      '--pool <name>',
      'only Elastic IPs tagged for this pool (default: any pool-tagged address)',
      poolName,
    )
    .option('--account <id>', 'the account in resource ARNs (default: any)', accountId)
    .addOption(
      new Option('--partition <partition>', 'the partition in resource ARNs')
        .choices(['aws', 'aws-cn', 'aws-us-gov'])
        .default('aws'),
    )
    .addHelpText(
      'after',
      '\nThe Region in resource ARNs is --region (default: any). No AWS call is made. The policy is JSON, with or without --json.',
    )
    .action(async (options: IamPolicyOptions, self: Command) =>
      run(self, async ({ output, globals }) => {
        if (options.for === 'controller' && options.access !== undefined) {
          throw new InputError(
            'AccessNotForController',
            `--access ${options.access} applies to --for cli only: the controller's policy is fixed (reads, bind, allocate, tag; never release)`,
          );
        }
        const { iamPolicy } = await import('../../core/iam-policy.js');
        const kinds: readonly PolicyKind[] =
          options.for === 'controller' ? ['controller'] : CLI_KINDS[options.access ?? 'all'];
        const document = iamPolicy(kinds, {
          ...(options.pool ? { pool: options.pool } : {}),
          ...(options.account ? { account: options.account } : {}),
          ...(options.partition ? { partition: options.partition } : {}),
          ...(globals.region ? { region: globals.region } : {}),
        });
        output.result(document, () => JSON.stringify(document, null, 2));
        return ExitCode.Ok;
      }),
    );
  program.addCommand(command);
};
