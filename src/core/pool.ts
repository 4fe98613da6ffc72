import { InputError } from './errors.js';

/** The tag that makes an Elastic IP (or a function) part of a pool: `lambda-static-ip:pool=<name>`. */
export const POOL_TAG_KEY = 'lambda-static-ip:pool';

/** Remembers, on an address, the subnet it last served, so a replacement ENI there gets it back. */
export const LAST_SUBNET_TAG_KEY = 'lambda-static-ip:last-subnet';

/**
 * The last-subnet tag value of an address allocated for one ENI and not bound yet. Every run prefers it
 * for that ENI above any other address (a run whose view of the ENI is stale then binds the same address
 * as the run that allocated it: idempotent, nothing displaced), and for no other ENI of the subnet.
 * Binding it replaces the value with the subnet id.
 */
export function allocatedForTag(networkInterfaceId: string): string {
  return `${ALLOCATED_FOR_PREFIX}${networkInterfaceId}`;
}

const ALLOCATED_FOR_PREFIX = 'allocated-for:';

/** The subnet an address last served, from its tags: none for one allocated and not bound yet. */
export function lastSubnetOf(tags: Readonly<Record<string, string>>): string | undefined {
  const value = tags[LAST_SUBNET_TAG_KEY];
  return value === undefined || value.startsWith(ALLOCATED_FOR_PREFIX) ? undefined : value;
}

/** How many IPs a pool may grow to when allocation is on and nobody said: the CLI's `--max-ips`. */
export const DEFAULT_MAX_IPS = 16;

/** The pool name rule, as a human reads it. */
export const POOL_NAME_RULE = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";

const POOL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws an InputError naming the value and the rule unless `name` is a valid pool name. */
export function validatePoolName(name: string): string {
  if (!POOL_NAME.test(name)) {
    throw new InputError(
      'InvalidPoolName',
      `pool name ${JSON.stringify(name)} is invalid: use ${POOL_NAME_RULE}`,
    );
  }
  return name;
}
