import { type Command, InvalidArgumentError, Option } from 'commander';
import { validateAllocationId } from '../core/allocation-id.js';
import { StaticIpError } from '../core/errors.js';
import { DEFAULT_MAX_IPS, validatePoolName } from '../core/pool.js';
import type { ReconcileRequest } from '../reconcile/reconcile.js';
import { collect, wholeNumber } from './options.js';

/** Options shared by the commands that work on one pool. */
export interface PoolCommandOptions {
  readonly pool: string;
  readonly function?: string[];
}

/** Options of the commands that plan the pool and so must know which addresses are held back. */
export interface ReserveCommandOptions extends PoolCommandOptions {
  readonly reserve?: string[];
}

export interface ReconcileCommandOptions extends ReserveCommandOptions {
  readonly allocate: boolean;
  readonly maxIps: number;
  readonly spares: number;
}

/** Parses --pool: a valid pool name, or the rule it breaks. */
export function poolName(value: string): string {
  return checked(validatePoolName, value);
}

/** Parses one --reserve into the list so far: an allocation id, or the rule it breaks. */
function reservedAllocationId(value: string, previous: string[] = []): string[] {
  return [...previous, checked(validateAllocationId, value.trim())];
}

/** A core validator's InputError as commander's bad-argument error (exit 2, its message). */
function checked(validate: (value: string) => string, value: string): string {
  try {
    return validate(value);
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

/** --reserve (repeatable), for the commands that plan the pool: plan, apply, status and audit. */
export function addReserveOption(command: Command): Command {
  return command.addOption(
    new Option(
      '--reserve <allocationId>',
      'a pool address another consumer holds or is about to take (a NAT gateway, an NLB): never bound, moved or counted as free (repeatable)',
    ).argParser(reservedAllocationId),
  );
}

/** --allocate, --max-ips, --spares and --reserve, for plan and apply. */
export function addReconcileOptions(command: Command): Command {
  return addReserveOption(addPoolOptions(command))
    .option('--allocate', 'allocate new tagged Elastic IPs when the pool has none free', false)
    .option(
      '--max-ips <n>',
      'never let the pool grow beyond this many IPs when allocating',
      wholeNumber(1, 1000),
      DEFAULT_MAX_IPS,
    )
    .option(
      '--spares <n>',
      'free IPs to keep ready so a new ENI is bound at once; with --allocate the pool is topped up',
      wholeNumber(0, 1000),
      0,
    );
}

/** The reconcile request the parsed options stand for (allocation options only where the command has them). */
export function reconcileRequest(
  options: ReserveCommandOptions & Partial<ReconcileCommandOptions>,
): ReconcileRequest {
  return {
    pool: options.pool,
    functions: options.function ?? [],
    allocate: options.allocate,
    maxIps: options.maxIps,
    spares: options.spares,
    reserved: options.reserve ?? [],
  };
}
