import { Command, InvalidArgumentError, Option } from 'commander';
import { InputError } from '../../core/errors.js';
import type { PolicyKind } from '../../core/iam-policy.js';
import { validateVpcId } from '../../core/vpc-id.js';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { poolName } from '../pool-options.js';

type Access = 'read' | 'write' | 'release' | 'keepers' | 'all';

interface IamPolicyOptions {
  readonly for: 'cli' | 'controller';
  readonly access?: Access;
  readonly pool?: string;
  readonly account?: string;
  readonly partition?: string;
  readonly vpc?: string[];
}

/** What each --access level lets the CLI run; every level includes the reads its commands need. */
const CLI_KINDS: Readonly<Record<Access, readonly PolicyKind[]>> = {
  read: ['cli-read'],
  write: ['cli-read', 'cli-write'],
  release: ['cli-read', 'cli-release'],
  keepers: ['cli-read', 'cli-write', 'cli-keepers'],
  all: ['cli-read', 'cli-write', 'cli-release', 'cli-keepers'],
};

function accountId(value: string): string {
  if (!/^\d{12}$/.test(value))
    throw new InvalidArgumentError(`expected a 12-digit account id, got "${value}".`);
  return value;
}

/** Parses one --vpc value into the list so far: a VPC id, or the rule it breaks (exit 2). */
function vpcIds(value: string, previous: string[] = []): string[] {
  try {
    return [...previous, validateVpcId(value.trim())];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
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
        'with --for cli: read (plan, status, ips, audit, keepers), write (read + apply), release (read + release), keepers (write + prepare, prune) or all',
      ).choices(['read', 'write', 'release', 'keepers', 'all']),
    )
    .option(
      '--pool <name>',
      "only Elastic IPs tagged for this pool, and only this pool's keepers (default: any pool-tagged address, any keeper)",
      poolName,
    )
    .option('--account <id>', 'the account in resource ARNs (default: any)', accountId)
    .addOption(
      new Option(
        '--vpc <id...>',
        "only Lambda ENIs in these VPCs (the pool functions' VPCs; repeatable): the ec2:Vpc condition on the network-interface side of Associate/DisassociateAddress",
      ).argParser(vpcIds),
    )
    .addOption(
      new Option('--partition <partition>', 'the partition in resource ARNs')
        .choices(['aws', 'aws-cn', 'aws-us-gov'])
        .default('aws'),
    )
    .addHelpText(
      'after',
      [
        '',
        'The Region in resource ARNs is --region (default: any). No AWS call is made. The policy is JSON, with or without --json.',
        'Without --vpc the network-interface statements allow ENIs in any VPC: Lambda ENIs carry no tags, so',
        'only the pool tag on the address keeps binds to the pool. Give the VPCs of the pool functions to narrow them.',
      ].join('\n'),
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
          ...(options.vpc ? { vpcs: [...new Set(options.vpc)] } : {}),
          ...(globals.region ? { region: globals.region } : {}),
        });
        output.result(document, () => JSON.stringify(document, null, 2));
        return ExitCode.Ok;
      }),
    );
  program.addCommand(command);
};
