import { InputError } from './errors.js';

/** The tag that makes an Elastic IP (or a function) part of a pool: `lambda-static-ip:pool=<name>`. */
export const POOL_TAG_KEY = 'lambda-static-ip:pool';

/** Remembers, on an address, the subnet it last served, so a replacement ENI there gets it back. */
export const LAST_SUBNET_TAG_KEY = 'lambda-static-ip:last-subnet';

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
