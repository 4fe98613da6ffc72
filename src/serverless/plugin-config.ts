import { InputError } from '../core/errors.js';
import { POOL_NAME_RULE, validatePoolName } from '../core/pool.js';

/** Where the plugin's settings live in serverless.yml. */
export const CONFIG_KEY = 'custom.lambdaStaticIp';

/** `custom.lambdaStaticIp`, checked. */
export interface PluginConfig {
  readonly pool: string;
  /** Exactly one of `size` and `allocationIds`. */
  readonly size?: number;
  readonly allocationIds?: readonly string[];
  readonly spares?: number;
  /** Serverless function keys (not deployed names); undefined: every function with a `vpc` block. */
  readonly functions?: readonly string[];
  readonly keepers: boolean;
  readonly probe: boolean;
}

const KEYS = ['pool', 'size', 'allocationIds', 'spares', 'functions', 'keepers', 'probe'] as const;

/**
 * The JSON schema Serverless validates `custom.lambdaStaticIp` with, registered through
 * `serverless.configSchemaHandler.defineCustomProperties` (Serverless v3 "Extending the configuration
 * schema": https://www.serverless.com/framework/docs/guides/plugins/custom-configuration). It catches
 * unknown keys and wrong types early; {@link readConfig} gives the messages that name the fix.
 */
export const CONFIG_SCHEMA = {
  type: 'object',
  properties: {
    lambdaStaticIp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        pool: { type: 'string' },
        size: { type: 'integer' },
        allocationIds: { type: 'array', items: { type: 'string' } },
        spares: { type: 'integer' },
        functions: { type: 'array', items: { type: 'string' } },
        keepers: { type: 'boolean' },
        probe: { type: 'boolean' },
      },
      required: ['pool'],
    },
  },
} as const;

/**
 * Reads `custom.lambdaStaticIp` (already variable-resolved by Serverless), checking what the schema
 * cannot say: one of size and allocationIds, known function keys. Ranges (size 1-32, spares, allocation
 * id shape) are the constructs' own checks, reported by {@link configError} under the key they concern.
 *
 * @throws InputError naming `custom.lambdaStaticIp.<key>`, the value and the fix
 */
export function readConfig(raw: unknown, functionKeys: readonly string[]): PluginConfig {
  if (raw === undefined || raw === null) {
    throw new InputError(
      'MissingPluginConfig',
      `${CONFIG_KEY} is missing; add it with at least pool and size (or allocationIds), or remove lambda-static-ip/serverless from plugins`,
    );
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(
      '',
      JSON.stringify(raw),
      'use a map with pool, size or allocationIds, spares, functions, keepers, probe',
    );
  }
  const config = raw as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new InputError(
        'InvalidPluginConfig',
        `${CONFIG_KEY}.${key} is not a setting of lambda-static-ip; use ${KEYS.join(', ')}`,
      );
    }
  }
  if (typeof config.pool !== 'string') {
    throw invalid('pool', JSON.stringify(config.pool), `name the pool: ${POOL_NAME_RULE}`);
  }
  try {
    validatePoolName(config.pool);
  } catch {
    throw invalid('pool', JSON.stringify(config.pool), `use ${POOL_NAME_RULE}`);
  }
  const size = optionalInteger(config, 'size');
  const allocationIds = optionalStrings(config, 'allocationIds');
  if ((size === undefined) === (allocationIds === undefined)) {
    throw new InputError(
      'InvalidPluginConfig',
      size === undefined
        ? `${CONFIG_KEY} has neither size nor allocationIds; give size (1-32) to allocate new Elastic IPs, or allocationIds to adopt ones already allow-listed`
        : `${CONFIG_KEY} has both size and allocationIds; keep size to allocate new Elastic IPs, or allocationIds to adopt yours, not both`,
    );
  }
  const functions = optionalStrings(config, 'functions');
  for (const name of functions ?? []) {
    if (!functionKeys.includes(name)) {
      throw invalid(
        'functions',
        JSON.stringify(name),
        `it is not a function of this service; use the keys under functions: (${functionKeys.join(', ') || 'none'})`,
      );
    }
  }
  return {
    pool: config.pool,
    ...(size === undefined ? {} : { size }),
    ...(allocationIds === undefined ? {} : { allocationIds }),
    ...optional('spares', optionalInteger(config, 'spares')),
    ...(functions === undefined ? {} : { functions }),
    // On by default, as in HyperplaneEgress: a VPC change then costs no egress whatever AWS's timings.
    keepers: optionalBoolean(config, 'keepers', true),
    probe: optionalBoolean(config, 'probe'),
  };
}

/** The constructs' error codes, by the setting each concerns. */
const KEY_OF_CODE: Readonly<Record<string, string>> = {
  InvalidPoolName: 'pool',
  InvalidPoolSize: 'size',
  InvalidAllocationIds: 'allocationIds',
  InvalidAllocationId: 'allocationIds',
  DuplicateAllocationId: 'allocationIds',
  InvalidSpares: 'spares',
  FunctionNotInVpc: 'functions',
};

/**
 * A construct's error, restated for serverless.yml: `custom.lambdaStaticIp.<key>: <the construct's
 * message without its construct path>`. The code stays the construct's.
 */
export function configError(error: InputError): InputError {
  const key = KEY_OF_CODE[error.code];
  const message = error.message.replace(/^[\w/-]+: /, '');
  const where = key === undefined ? CONFIG_KEY : `${CONFIG_KEY}.${key}`;
  return new InputError(error.code, `${where}: ${message}`, { cause: error });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function optionalInteger(config: Record<string, unknown>, key: string): number | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalid(key, JSON.stringify(value), 'use a whole number');
  }
  return value;
}

function optionalStrings(config: Record<string, unknown>, key: string): string[] | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalid(key, JSON.stringify(value), 'use a list of strings');
  }
  return value as string[];
}

function optionalBoolean(config: Record<string, unknown>, key: string, byDefault = false): boolean {
  const value = config[key];
  if (value === undefined) return byDefault;
  if (typeof value !== 'boolean') throw invalid(key, JSON.stringify(value), 'use true or false');
  return value;
}

function invalid(key: string, value: string, fix: string): InputError {
  const where = key === '' ? CONFIG_KEY : `${CONFIG_KEY}.${key}`;
  return new InputError('InvalidPluginConfig', `${where} ${value} is invalid: ${fix}`);
}
