import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { emfLine } from './emf.js';
import { createLogger, errorFields, type LogSink, stdoutSink } from './logger.js';
import { parseInput } from './parse-input.js';
import { METRICS_NAMESPACE } from './run-report.js';
import type { LambdaContext } from './runtime.js';
import { poolName, stringList, wholeNumber } from './string-scalars.js';
import { PROBE_HTTP_TIMEOUT_MS } from './timeout-budget.js';

/**
 * The egress probe: a tiny function placed in one (subnet, security-group set) of the pool's functions,
 * so that it shares their Hyperplane ENI and egresses exactly as they do. On a schedule it asks an IP
 * echo endpoint which address it comes from and publishes `EgressIpInPool`: 1 when that address is on
 * the allow-list, 0 otherwise — including when the endpoint cannot be reached, since an ENI without an
 * IP in a public subnet has no internet access at all. An alarm on the metric's minimum below 1 (missing
 * data breaching) catches both.
 *
 * The allow-list comes from the environment, not from DescribeAddresses: the probe needs no AWS
 * permission and makes no AWS call, and it checks the list actually given to the vendor. An IP the
 * controller allocated later is in the pool but not on that list, and the probe rightly reports 0.
 */

/** Where the probe asks for its address unless LSI_ECHO_URL says otherwise. */
export const DEFAULT_ECHO_URL = 'https://checkip.amazonaws.com';

const environmentSchema = z.object({
  LSI_POOL: poolName,
  LSI_ALLOW_LIST: stringList('IP addresses', (item) =>
    isIP(item) === 0 ? `${JSON.stringify(item)} is not an IP address` : undefined,
  ),
  LSI_PROBE_SUBNET: z.string().check(z.regex(/^subnet-[0-9a-f]+$/, 'expected a subnet id (subnet-…)')),
  LSI_ECHO_URL: z.optional(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })),
  LSI_PROBE_TIMEOUT_MS: z.optional(wholeNumber(100, 60_000)),
});

/** Every environment variable the probe reads, for the construct and the docs. */
export const PROBE_ENVIRONMENT = Object.keys(environmentSchema.shape) as ReadonlyArray<
  keyof typeof environmentSchema.shape
>;

export interface ProbeHandlerOptions {
  /** @default process.env */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** @default raw stdout */
  readonly log?: LogSink;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface ProbeResult {
  readonly pool: string;
  readonly subnet: string;
  /** The address the echo endpoint saw; undefined when it could not be asked. */
  readonly egressIp?: string;
  readonly inPool: boolean;
}

export type ProbeHandler = (event?: unknown, context?: LambdaContext) => Promise<ProbeResult>;

export function createProbeHandler(options: ProbeHandlerOptions = {}): ProbeHandler {
  const sink = options.log ?? stdoutSink;
  const now = options.now ?? Date.now;
  let config: z.output<typeof environmentSchema> | undefined;

  return async (_event, context) => {
    const logger = createLogger(sink, context ? { requestId: context.awsRequestId } : {}, now);
    try {
      config ??= parseInput(
        environmentSchema,
        options.environment ?? process.env,
        'environment variable',
        'InvalidEnvironment',
      );
    } catch (error) {
      logger.log('error', 'egress probe misconfigured', errorFields(error));
      throw error;
    }
    const started = now();
    const base = {
      pool: config.LSI_POOL,
      subnet: config.LSI_PROBE_SUBNET,
      echoUrl: config.LSI_ECHO_URL ?? DEFAULT_ECHO_URL,
    };
    let egressIp: string | undefined;
    try {
      egressIp = await askEgressIp(base.echoUrl, config.LSI_PROBE_TIMEOUT_MS ?? PROBE_HTTP_TIMEOUT_MS);
    } catch (error) {
      logger.log('error', 'egress probe could not learn its IP', {
        ...base,
        durationMs: now() - started,
        ...errorFields(error),
      });
    }
    const inPool = egressIp !== undefined && config.LSI_ALLOW_LIST.includes(egressIp);
    if (egressIp !== undefined) {
      logger.log(inPool ? 'info' : 'error', 'egress probe', {
        ...base,
        egressIp,
        inPool,
        durationMs: now() - started,
      });
    }
    logger.raw(
      emfLine({
        namespace: METRICS_NAMESPACE,
        dimensions: { Pool: config.LSI_POOL, Subnet: config.LSI_PROBE_SUBNET },
        metrics: [{ name: 'EgressIpInPool', value: inPool ? 1 : 0, unit: 'None' }],
        timestamp: now(),
        properties: {
          ...(egressIp ? { egressIp } : {}),
          ...(context ? { requestId: context.awsRequestId } : {}),
        },
      }),
    );
    return {
      pool: config.LSI_POOL,
      subnet: config.LSI_PROBE_SUBNET,
      ...(egressIp ? { egressIp } : {}),
      inPool,
    };
  };
}

/** The default handler (`index.handler`). */
export const handler: ProbeHandler = createProbeHandler();

/** GETs the echo URL and reads the one address it answers with (checkip answers `203.0.113.7\n`). */
async function askEgressIp(url: string, timeoutMs: number): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await response.text()).trim();
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}: ${body.slice(0, 200)}`);
  if (isIP(body) === 0)
    throw new Error(`${url} answered ${JSON.stringify(body.slice(0, 200))}, not an IP address`);
  return body;
}
