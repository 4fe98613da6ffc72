import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BuildMiddleware } from '@smithy/types';
import { type AwsClientOptions, type AwsClients, createAwsClients } from '../src/aws/clients.js';
import { LocalAwsUnavailableError } from './local-aws-unavailable.js';
import { findMotoPython } from './moto-python.js';

export { LocalAwsUnavailableError } from './local-aws-unavailable.js';

/** moto's fixed account id, unless MOTO_ACCOUNT_ID says otherwise. */
export const LOCAL_ACCOUNT_ID = '123456789012';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface LocalAwsOptions {
  /** Elastic IPs allowed per Region, as AWS's default quota. @default 5 */
  readonly eipQuota?: number;
  /**
   * The Python interpreter that has moto[server] 5.2.1. @default LSI_PYTHON, then `python3` when it has
   * moto, then the project-local virtual environment's (findMotoPython)
   */
  readonly python?: string;
  /**
   * When no interpreter has moto, make the project-local virtual environment and install moto into it,
   * reporting progress to `onProgress`. @default false
   */
  readonly install?: boolean;
  readonly onProgress?: (line: string) => void;
  /** Give up when the server has not said where it listens by then. @default 30000 */
  readonly startTimeoutMs?: number;
  /**
   * Apply the speed-only patches (`_speed_up_*` in patches.py, which change no answer). Only the test that
   * proves them neutral turns them off. @default true
   */
  readonly speedPatches?: boolean;
}

/** State overrides the Lambda simulator sets on a function, in the Lambda API's own field names. */
export interface FunctionStateOverride {
  readonly State?: string;
  readonly StateReason?: string;
  readonly StateReasonCode?: string;
  readonly LastUpdateStatus?: string;
  readonly LastUpdateStatusReason?: string;
  readonly LastUpdateStatusReasonCode?: string;
}

/** Test-bed settings that change how the local AWS behaves (POST /_testbed/config). */
export interface LocalAwsSettings {
  /** Elastic IPs allowed per Region. */
  readonly eipQuota?: number;
  /**
   * Eventual consistency, off by default: a new address (ENI) stays invisible to describes and unknown to
   * AssociateAddress for its next `newAddressCalls` (`newEniCalls`) calls that would have shown it, and
   * for at least `ms` milliseconds. Setting it replaces the previous value; `{}` turns it off.
   */
  readonly consistency?: {
    readonly newAddressCalls?: number;
    readonly newEniCalls?: number;
    readonly ms?: number;
  };
  /**
   * Stale reads, off by default: DescribeAddresses and DescribeNetworkInterfaces answer association state
   * as it was a random 0..`maxMs` ms earlier, each call as of one moment (filters included). The draws
   * come from `seed` and the call's index per operation, so the same calls get the same staleness.
   * Setting it replaces the previous value and restarts the draws; `{}` turns it off. Callers that play
   * AWS itself ({@link LocalAws.serviceClients}) always read fresh.
   */
  readonly staleReads?: { readonly maxMs?: number; readonly seed?: number };
}

/** One change of an Elastic IP's association, as the local AWS made it (GET /_testbed/associations). */
export interface AssociationEvent {
  /** Order of the change, from 0 at the last reset. */
  readonly seq: number;
  /** Milliseconds since the server started (monotonic). */
  readonly ms: number;
  /**
   * `associated`: bound (to `networkInterfaceId`; `movedFrom` when AllowReassociation took it from another
   * ENI); `disassociated`: unbound by DisassociateAddress; `displaced`: pushed off `networkInterfaceId`
   * because `by` was associated with that ENI; `dropped`: its ENI was deleted; `released`: given back.
   */
  readonly event: 'associated' | 'disassociated' | 'displaced' | 'dropped' | 'released';
  readonly allocationId?: string;
  readonly publicIp?: string;
  readonly networkInterfaceId?: string;
  readonly associationId?: string;
  readonly movedFrom?: string;
  readonly by?: string;
  readonly reason?: string;
}

/** Every association change since the last reset (the last 20,000 of them). */
export interface AssociationLog {
  readonly events: readonly AssociationEvent[];
  /** Changes since the last reset, including any the log no longer holds. */
  readonly total: number;
  /** Addresses pushed off an ENI by a second association since the last reset. */
  readonly displacements: number;
  /** Describes (with `staleReads` on) whose answer showed an older association state than the current one. */
  readonly staleAnswers: number;
}

/** The header with which a caller plays AWS itself on the local AWS (see {@link LocalAws.serviceClients}). */
export const AWS_CALLER_HEADER = 'x-lsi-testbed-caller';

/** A running local AWS: moto in server mode with the test bed's fidelity patches (testbed/moto/patches.py). */
export interface LocalAws {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Client options that reach this local AWS. */
  clientOptions(region?: string): AwsClientOptions;
  /** SDK clients for this local AWS. */
  clients(region?: string): AwsClients;
  /**
   * SDK clients that play AWS itself: the Lambda simulator's (Lambda deletes its own in-use ENIs, which
   * the account cannot) and a test's reads of the truth (never stale). Code under test never gets these.
   */
  serviceClients(region?: string): AwsClients;
  /** Every Elastic IP association change since the last reset, and how many were displacements. */
  associations(): Promise<AssociationLog>;
  /** Wipes every resource in every Region (moto's /moto-api/reset). Settings stay. */
  reset(): Promise<void>;
  /** Changes test-bed settings at run time; they survive reset(). */
  configure(settings: LocalAwsSettings): Promise<void>;
  /** Sets (or, with an empty override, clears) what the Lambda API reports as a function's state. */
  setFunctionState(
    target: { readonly region: string; readonly functionName: string; readonly version?: string },
    override: FunctionStateOverride,
  ): Promise<void>;
  stop(): Promise<void>;
}

function resolveLauncher(): string {
  // From source the launcher sits beside this file; compiled code runs from dist/testbed, and the
  // Python files stay in testbed/moto.
  const besideSource = fileURLToPath(new URL('./moto/launch.py', import.meta.url));
  return existsSync(besideSource)
    ? besideSource
    : fileURLToPath(new URL('../../testbed/moto/launch.py', import.meta.url));
}

/** Starts moto on 127.0.0.1 with a free port and the fidelity patches applied. */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const python = await findMotoPython({
    python: options.python,
    install: options.install,
    onProgress: options.onProgress,
  });

  const args = [resolveLauncher(), '--port', '0', '--eip-quota', String(options.eipQuota ?? 5)];
  if (options.speedPatches === false) args.push('--no-speed-patches');
  const child = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const endpoint = await readEndpoint(child, options.startTimeoutMs ?? 30_000);
  return new RunningLocalAws(child, endpoint);
}

function readEndpoint(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new LocalAwsUnavailableError(`moto did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { endpoint: string }).endpoint);
      } catch {
        reject(
          new LocalAwsUnavailableError(`moto launcher printed ${JSON.stringify(line)}, not its endpoint`),
        );
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new LocalAwsUnavailableError(`moto exited with code ${code} before starting: ${stderr}`));
    });
  });
}

/** Marks every request as AWS's own (see {@link LocalAws.serviceClients}). */
function actAsAws<Input extends object, Output extends object>(): BuildMiddleware<Input, Output> {
  return (next) => (args) => {
    const request = args.request as { headers?: Record<string, string> };
    if (request.headers) request.headers[AWS_CALLER_HEADER] = 'aws';
    return next(args);
  };
}

class RunningLocalAws implements LocalAws {
  readonly region = LOCAL_REGION;
  readonly accountId = process.env.MOTO_ACCOUNT_ID ?? LOCAL_ACCOUNT_ID;
  #stopped = false;

  constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
  ) {
    // Drain the server's stderr so a chatty moto never blocks on a full pipe.
    child.stderr?.resume();
    child.stdout?.resume();
  }

  clientOptions(region = this.region): AwsClientOptions {
    return { region, endpointUrl: this.endpoint, credentials: LOCAL_CREDENTIALS };
  }

  clients(region = this.region): AwsClients {
    return createAwsClients(this.clientOptions(region));
  }

  serviceClients(region = this.region): AwsClients {
    const clients = createAwsClients(this.clientOptions(region));
    const step = { step: 'build', name: 'lambdaStaticIpTestbedAwsCaller' } as const;
    clients.ec2.middlewareStack.add(actAsAws(), step);
    clients.lambda.middlewareStack.add(actAsAws(), step);
    clients.tagging.middlewareStack.add(actAsAws(), step);
    return clients;
  }

  async associations(): Promise<AssociationLog> {
    const response = await fetch(`${this.endpoint}/_testbed/associations`);
    const text = await response.text();
    if (!response.ok)
      throw new Error(`local AWS /_testbed/associations answered ${response.status}: ${text}`);
    return JSON.parse(text) as AssociationLog;
  }

  async reset(): Promise<void> {
    await this.post('/moto-api/reset', {});
  }

  async configure(settings: LocalAwsSettings): Promise<void> {
    await this.post('/_testbed/config', settings);
  }

  async setFunctionState(
    target: { readonly region: string; readonly functionName: string; readonly version?: string },
    override: FunctionStateOverride,
  ): Promise<void> {
    await this.post('/_testbed/lambda/function-state', {
      accountId: this.accountId,
      region: target.region,
      functionName: target.functionName,
      version: target.version ?? '$LATEST',
      ...override,
    });
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.endpoint}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`local AWS ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}
