import * as z from 'zod/mini';
import { DEFAULT_MAX_IPS } from '../core/pool.js';
import type { ReconcileRequest } from '../reconcile/reconcile.js';
import { DEFAULT_FULL_REFRESH_SECONDS } from './event-patterns.js';
import { parseInput } from './parse-input.js';
import { allocationIdList, flag, functionList, poolName, wholeNumber } from './string-scalars.js';
import { DEFAULT_UPDATE_WATCH_SECONDS, DEFAULT_WAIT_SECONDS } from './timeout-budget.js';

/**
 * The controller's configuration: environment variables set by the construct (the event and schedule
 * paths read only these), and custom-resource properties that repeat or override them for one
 * deployment step (a changed property is what makes CloudFormation send an Update and wait).
 */
export interface ControllerConfig {
  readonly pool: string;
  /** Named functions (names or unqualified ARNs), besides those tagged for the pool. */
  readonly functions: readonly string[];
  readonly allocate: boolean;
  readonly maxIps: number;
  readonly spares: number;
  /**
   * Allocation ids other consumers of the pool hold or are about to take (NAT gateways, NLB subnet
   * mappings): never bound, moved or counted as spares, by the reconcile or the fast path.
   */
  readonly reserved: readonly string[];
  /** GetFunctionConfiguration interval while watching a VPC update. */
  readonly updatePollMs: number;
  /** Longest a run watches one update; 0 turns the watch off. */
  readonly updateWatchMs: number;
  /**
   * How long a full observation serves as the controller's view of the pool (functions, subnets) before
   * the next one; in between, runs read only addresses and ENIs. 0: every run observes in full.
   */
  readonly fullRefreshMs: number;
}

/** What one custom-resource request reconciles with, and how long its deployment step may wait. */
export interface CustomResourceSettings extends ControllerConfig {
  readonly waitMs: number;
  /**
   * The keepers the request names (`Keepers`): pool functions even before the tagging API lists them.
   * Their presence makes the resource the wait that comes before the functions (see {@link stageOf}).
   */
  readonly keepers: readonly string[];
  /**
   * `binding`: the custom resource after the functions, which unbinds the pool on Delete. `keepers`: the
   * wait before the functions, until every ENI of the keepers' combinations holds a pool IP; its Delete
   * changes nothing (the binding's Delete unbinds).
   */
  readonly stage: 'binding' | 'keepers';
}

const environmentSchema = z.object({
  LSI_POOL: poolName,
  LSI_FUNCTIONS: z.optional(functionList),
  LSI_ALLOCATE: z.optional(flag),
  LSI_MAX_IPS: z.optional(wholeNumber(1, 1000)),
  LSI_SPARES: z.optional(wholeNumber(0, 1000)),
  LSI_RESERVED: z.optional(allocationIdList),
  LSI_UPDATE_POLL_SECONDS: z.optional(wholeNumber(1, 60)),
  LSI_UPDATE_WATCH_SECONDS: z.optional(wholeNumber(0, 600)),
  LSI_FULL_REFRESH_SECONDS: z.optional(wholeNumber(0, 86_400)),
});

/** Names every environment variable the controller reads, for the construct and the docs. */
export const CONTROLLER_ENVIRONMENT = Object.keys(environmentSchema.shape) as ReadonlyArray<
  keyof typeof environmentSchema.shape
>;

// Unknown properties are refused: a typo (`MaxIP`) must not silently fall back to a default.
const propertiesSchema = z.strictObject({
  // Set by CloudFormation / the CDK on every custom resource; not ours to interpret.
  ServiceToken: z.optional(z.string()),
  ServiceTimeout: z.optional(z.union([z.string(), z.number()])),
  Pool: z.optional(poolName),
  Functions: z.optional(functionList),
  Keepers: z.optional(functionList),
  // The construct's keeperPlacements, as text: not read, there so that a changed placement (its keeper
  // updated in place) reaches the handler as an Update, which waits for the keeper's ENIs again.
  KeeperPlacements: z.optional(z.string()),
  Allocate: z.optional(flag),
  MaxIps: z.optional(wholeNumber(1, 1000)),
  Spares: z.optional(wholeNumber(0, 1000)),
  ReservedAllocationIds: z.optional(allocationIdList),
  WaitSeconds: z.optional(wholeNumber(30, 3600)),
});

export type CustomResourceProperties = z.output<typeof propertiesSchema>;

/** Reads and checks the environment; the error names each bad variable and its value. */
export function parseControllerEnvironment(environment: Readonly<Record<string, string | undefined>>) {
  const parsed = parseInput(environmentSchema, environment, 'environment variable', 'InvalidEnvironment');
  return {
    pool: parsed.LSI_POOL,
    functions: parsed.LSI_FUNCTIONS ?? [],
    allocate: parsed.LSI_ALLOCATE ?? false,
    maxIps: parsed.LSI_MAX_IPS ?? DEFAULT_MAX_IPS,
    spares: parsed.LSI_SPARES ?? 0,
    reserved: parsed.LSI_RESERVED ?? [],
    updatePollMs: (parsed.LSI_UPDATE_POLL_SECONDS ?? 5) * 1000,
    updateWatchMs: (parsed.LSI_UPDATE_WATCH_SECONDS ?? DEFAULT_UPDATE_WATCH_SECONDS) * 1000,
    fullRefreshMs: (parsed.LSI_FULL_REFRESH_SECONDS ?? DEFAULT_FULL_REFRESH_SECONDS) * 1000,
  } satisfies ControllerConfig;
}

/** Checks custom-resource properties (strings, as CloudFormation sends them). */
export function parseCustomResourceProperties(properties: unknown): CustomResourceProperties {
  return parseInput(propertiesSchema, properties ?? {}, 'custom resource property', 'InvalidProperties');
}

/** Properties win over the environment, field by field. */
export function customResourceSettings(
  config: ControllerConfig,
  properties: CustomResourceProperties,
): CustomResourceSettings {
  return {
    ...config,
    pool: properties.Pool ?? config.pool,
    functions: properties.Functions ?? config.functions,
    allocate: properties.Allocate ?? config.allocate,
    maxIps: properties.MaxIps ?? config.maxIps,
    spares: properties.Spares ?? config.spares,
    reserved: properties.ReservedAllocationIds ?? config.reserved,
    waitMs: (properties.WaitSeconds ?? DEFAULT_WAIT_SECONDS) * 1000,
    keepers: properties.Keepers ?? [],
    stage: stageOf(properties),
  };
}

/** A request that names keepers is the wait before the functions; any other is the binding after them. */
export function stageOf(properties: CustomResourceProperties): CustomResourceSettings['stage'] {
  return properties.Keepers === undefined ? 'binding' : 'keepers';
}

/** The reconcile request a configuration stands for. */
export function reconcileRequest(
  config: ControllerConfig & { readonly keepers?: readonly string[] },
): ReconcileRequest {
  return {
    pool: config.pool,
    functions: config.functions,
    ...(config.keepers && config.keepers.length > 0 ? { keepers: config.keepers } : {}),
    allocate: config.allocate,
    maxIps: config.maxIps,
    spares: config.spares,
    reserved: config.reserved,
  };
}
