import { isIP } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { InputError } from '../core/errors.js';
import { createHandlerLogger, type LogSink, stdoutSink } from './logger.js';
import { HandlerMetrics, MetricUnit } from './metrics.js';
import { parseInput } from './parse-input.js';
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
  LSI_PROBE_SUBNET: z.optional(
    z.string().check(z.regex(/^subnet-[0-9a-f]+$/, 'expected a subnet id (subnet-…)')),
  ),
  /** Instead of LSI_PROBE_SUBNET, for a probe spanning subnets: the placement's name, its dimension. */
  LSI_PROBE_PLACEMENT: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a placement name (1-64 of A-Za-z0-9._-)')),
  ),
  LSI_ECHO_URL: z.optional(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })),
  LSI_PROBE_TIMEOUT_MS: z.optional(wholeNumber(100, 60_000)),
});

/** Every environment variable the probe reads, for the construct and the docs. */
export const PROBE_ENVIRONMENT = Object.keys(environmentSchema.shape) as ReadonlyArray<
  keyof typeof environmentSchema.shape
>;

export interface ProbeHandlerOptions {
  /**
   * The LSI_* variables, and POWERTOOLS_LOG_LEVEL / POWERTOOLS_SERVICE_NAME for the logger.
   * @default process.env
   */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Where JSON log lines (Powertools Logger) and the EMF line (Powertools Metrics) go. @default raw stdout */
  readonly log?: LogSink;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface ProbeResult {
  readonly pool: string;
  /** The subnet it reports for, or (a probe spanning subnets) its placement. */
  readonly subnet?: string;
  readonly placement?: string;
  /** The address the echo endpoint saw; undefined when it could not be asked. */
  readonly egressIp?: string;
  readonly inPool: boolean;
}

export type ProbeHandler = (event?: unknown, context?: Context) => Promise<ProbeResult>;

export function createProbeHandler(options: ProbeHandlerOptions = {}): ProbeHandler {
  const sink = options.log ?? stdoutSink;
  const now = options.now ?? Date.now;
  const environment = options.environment ?? process.env;
  let config: z.output<typeof environmentSchema> | undefined;
  let telemetry: { logger: Logger; metrics: HandlerMetrics } | undefined;

  return async (_event, context) => {
    if (!telemetry) {
      const logger = createHandlerLogger({ serviceName: 'lambda-static-ip-probe', sink, environment });
      telemetry = { logger, metrics: new HandlerMetrics(sink, logger) };
    }
    const { logger, metrics } = telemetry;
    if (context) logger.addContext(context);
    try {
      config ??= probeConfig(environment);
    } catch (error) {
      logger.error('egress probe misconfigured', { error });
      throw error;
    }
    const started = now();
    const where =
      config.LSI_PROBE_SUBNET === undefined
        ? { placement: config.LSI_PROBE_PLACEMENT }
        : { subnet: config.LSI_PROBE_SUBNET };
    const base = {
      pool: config.LSI_POOL,
      ...where,
      echoUrl: config.LSI_ECHO_URL ?? DEFAULT_ECHO_URL,
    };
    let egressIp: string | undefined;
    try {
      egressIp = await askEgressIp(base.echoUrl, config.LSI_PROBE_TIMEOUT_MS ?? PROBE_HTTP_TIMEOUT_MS);
    } catch (error) {
      logger.error('egress probe could not learn its IP', { ...base, durationMs: now() - started, error });
    }
    const inPool = egressIp !== undefined && config.LSI_ALLOW_LIST.includes(egressIp);
    if (egressIp !== undefined) {
      logger[inPool ? 'info' : 'error']('egress probe', {
        ...base,
        egressIp,
        inPool,
        durationMs: now() - started,
      });
    }
    metrics.publish({
      dimensions:
        config.LSI_PROBE_SUBNET === undefined
          ? { Pool: config.LSI_POOL, Placement: String(config.LSI_PROBE_PLACEMENT) }
          : { Pool: config.LSI_POOL, Subnet: config.LSI_PROBE_SUBNET },
      metrics: [{ name: 'EgressIpInPool', value: inPool ? 1 : 0, unit: MetricUnit.NoUnit }],
      properties: {
        ...(egressIp ? { egressIp } : {}),
        ...(context ? { requestId: context.awsRequestId } : {}),
      },
    });
    return {
      pool: config.LSI_POOL,
      ...where,
      ...(egressIp ? { egressIp } : {}),
      inPool,
    };
  };
}

/** The environment, parsed: exactly one of LSI_PROBE_SUBNET and LSI_PROBE_PLACEMENT names what it reports for. */
function probeConfig(environment: Readonly<Record<string, string | undefined>>) {
  const config = parseInput(environmentSchema, environment, 'environment variable', 'InvalidEnvironment');
  if ((config.LSI_PROBE_SUBNET === undefined) === (config.LSI_PROBE_PLACEMENT === undefined)) {
    throw new InputError(
      'InvalidEnvironment',
      `the probe reports for one subnet (LSI_PROBE_SUBNET) or one placement (LSI_PROBE_PLACEMENT), but ${config.LSI_PROBE_SUBNET === undefined ? 'neither is' : 'both are'} set; set exactly one`,
    );
  }
  return config;
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
