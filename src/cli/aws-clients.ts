import type { SdkClients } from '../aws/call-recorder.js';
import type { AwsClientOptions, AwsClients } from '../aws/clients.js';
import { regionFromEnvironment } from '../aws/region.js';
import { StaticIpError } from '../core/errors.js';
import type { GlobalOptions } from './command.js';
import type { Output } from './output.js';

/** Builds SDK clients from what the CLI resolved (tests pass their own, e.g. with credentials). */
export type ClientFactory = (options: AwsClientOptions) => AwsClients;

/**
 * The clients a command uses: the Region in the AWS CLI's order (--region, AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's `region`), a clear error when there is none, and with --debug a
 * line on stderr for every call. Loaded lazily by the command runner, with the SDK.
 */
export async function openClients(
  globals: GlobalOptions,
  env: Readonly<Record<string, string | undefined>>,
  output: Output,
  factory: ClientFactory,
): Promise<AwsClients> {
  const fromEnvironment = globals.region ? undefined : regionFromEnvironment(env);
  const region = globals.region ?? fromEnvironment?.region;
  const clients = factory(clientOptionsFor(globals, region));
  let resolved: string;
  try {
    resolved = await clients.ec2.config.region();
  } catch (error) {
    for (const client of Object.values(clients)) client.destroy();
    throw new StaticIpError(
      'RegionMissing',
      `no AWS Region is set${globals.profile ? ` (profile "${globals.profile}" has no region)` : ''}: pass --region, set AWS_REGION or AWS_DEFAULT_REGION, or give the profile a region (\`aws configure set region us-east-1\`)`,
      { cause: error },
    );
  }
  if (output.options.debug) {
    const source = globals.region
      ? '--region'
      : (fromEnvironment?.variable ?? `profile "${globals.profile ?? env.AWS_PROFILE ?? 'default'}"`);
    const endpoint = globals.endpointUrl ?? env.AWS_ENDPOINT_URL;
    output.debug(`region ${resolved} (from ${source})${endpoint ? `, endpoint ${originOf(endpoint)}` : ''}`);
  }
  return traceForDebug(clients, output);
}

/** The SDK options the global flags give (--profile, --endpoint-url), in `region`. */
export function clientOptionsFor(globals: GlobalOptions, region: string | undefined): AwsClientOptions {
  return {
    ...(region ? { region } : {}),
    ...(globals.profile ? { profile: globals.profile } : {}),
    ...(globals.endpointUrl ? { endpointUrl: globals.endpointUrl } : {}),
  };
}

/** With --debug, a line on stderr for every call the clients make (also other services' clients). */
export async function traceForDebug<T extends SdkClients<T>>(clients: T, output: Output): Promise<T> {
  if (!output.options.debug) return clients;
  const { traceCalls } = await import('../aws/call-recorder.js');
  return traceCalls(clients, (call) =>
    output.debug(
      `${call.service}.${call.operation} ${Math.round(call.durationMs)} ms ${call.outcome}${call.attempts !== undefined && call.attempts > 1 ? ` (${call.attempts} attempts)` : ''}`,
    ),
  );
}

/** Scheme, host and port only: a URL's user and password are credentials, and never printed. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}
