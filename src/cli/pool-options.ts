import { type Command, InvalidArgumentError, Option } from 'commander';
import { StaticIpError } from '../core/errors.js';
import { validatePoolName } from '../core/pool.js';
import { collect, wholeNumber } from './options.js';

/** Options shared by the commands that work on one pool. */
export interface PoolCommandOptions {
  readonly pool: string;
  readonly function?: string[];
}

export interface ReconcileCommandOptions extends PoolCommandOptions {
  readonly allocate: boolean;
  readonly maxIps: number;
  readonly spares: number;
}

/** Parses --pool: a valid pool name, or the rule it breaks. */
export function poolName(value: string): string {
  try {
    return validatePoolName(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof StaticIpError ? error.message : String(error));
  }
}

/** --pool (required) and --function (repeatable). */
export function addPoolOptions(command: Command): Command {
  return command
    .requiredOption('--pool <name>', 'the pool: Elastic IPs tagged lambda-static-ip:pool=<name>', poolName)
    .addOption(
      new Option(
        '--function <name>',
        'a function of the pool, by name or ARN (repeatable); functions tagged lambda-static-ip:pool=<name> are included anyway',
      ).argParser(collect),
    );
}

/** --allocate, --max-ips and --spares, for plan and apply. */
export function addReconcileOptions(command: Command): Command {
  return addPoolOptions(command)
    .option('--allocate', 'allocate new tagged Elastic IPs when the pool has none free', false)
    .option(
      '--max-ips <n>',
      'never let the pool grow beyond this many IPs when allocating',
      wholeNumber(1, 1000),
      16,
    )
    .option(
      '--spares <n>',
      'free IPs to keep ready so a new ENI is bound at once; with --allocate the pool is topped up',
      wholeNumber(0, 1000),
      0,
    );
}
