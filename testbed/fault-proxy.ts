import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededUnit } from './seeded-random.js';

/**
 * What can go wrong between an SDK and AWS, one kind at a time per call:
 * - `throttle`: the call is refused before AWS acts (EC2 `RequestLimitExceeded`, HTTP 503; Lambda
 *   `TooManyRequestsException`, 429; tagging `ThrottledException`, 400). Nothing happened.
 * - `serverError`: HTTP 500 (`InternalError` / `ServiceException` / `InternalServiceException`)
 *   without forwarding. Nothing happened, but the caller cannot know that.
 * - `dropBeforeForward`: the connection is closed before the call reaches AWS. Nothing happened.
 * - `dropAfterForward`: the call reaches AWS and takes effect, then the connection is closed before
 *   the response arrives: the caller sees a network error for something that *was* done.
 * - `serverErrorAfterForward`: the call reaches AWS and takes effect, then the caller gets an HTTP 500
 *   instead of its answer (AWS failed after acting): the 5xx a caller must not take as "nothing happened".
 * - `latency`: the call is delayed by a random time within `latencyMs`, then forwarded.
 */
export type FaultKind =
  | 'throttle'
  | 'serverError'
  | 'dropBeforeForward'
  | 'dropAfterForward'
  | 'serverErrorAfterForward'
  | 'latency';

/** Probability (0-1) of each fault per call. A call gets at most one of the failing kinds. */
export type FaultRates = Partial<Record<FaultKind, number>>;

/** One AWS call as the proxy understands it: the SigV4 service name and the operation. */
export interface ProxiedCall {
  readonly service: string;
  readonly operation: string;
}

export interface FaultProxyOptions {
  /** The local AWS endpoint to forward to. */
  readonly target: string;
  /** Same seed, same calls: same faults (decisions depend on the call and its occurrence, not on timing). @default 1 */
  readonly seed?: number;
  /** @default no faults: a transparent proxy */
  readonly rates?: FaultRates;
  /** Range of the added delay for `latency` faults. @default [20, 200] */
  readonly latencyMs?: readonly [number, number];
  /** Which calls may be faulted. @default every call to ec2, lambda and tagging */
  readonly select?: (call: ProxiedCall) => boolean;
  /** Sees every call AWS answered (also those whose response is then dropped), with the HTTP status. */
  readonly onForwarded?: (call: ProxiedCall, status: number) => void;
}

/** One fault the proxy injected. */
export interface InjectedFault extends ProxiedCall {
  readonly kind: FaultKind;
}

export interface FaultProxy {
  /** Point SDK clients here instead of at the local AWS. */
  readonly endpoint: string;
  /** Calls seen, calls AWS answered, and each kind of fault injected. */
  readonly counts: Readonly<Record<FaultKind | 'calls' | 'forwarded', number>>;
  /** Every fault, in the order injected. */
  readonly injected: readonly InjectedFault[];
  /** Changes the rates from now on (e.g. no faults while a test checks the end state). */
  setRates(rates: FaultRates): void;
  stop(): Promise<void>;
}

// Kinds added later go last, so that a seed keeps giving the same faults for the earlier ones.
const FAILING_KINDS = [
  'throttle',
  'serverError',
  'dropBeforeForward',
  'dropAfterForward',
  'serverErrorAfterForward',
] as const;
const DEFAULT_SERVICES = new Set(['ec2', 'lambda', 'tagging']);

/**
 * Starts an HTTP proxy on 127.0.0.1 (free port) in front of the local AWS that injects faults at the
 * given rates. Test-bed routes (`/_testbed/`, `/moto-api/`) are always forwarded untouched.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const seed = options.seed ?? 1;
  const [minDelay, maxDelay] = options.latencyMs ?? [20, 200];
  const select = options.select ?? ((call: ProxiedCall) => DEFAULT_SERVICES.has(call.service));
  let rates: FaultRates = { ...options.rates };
  const counts: Record<FaultKind | 'calls' | 'forwarded', number> = {
    calls: 0,
    forwarded: 0,
    throttle: 0,
    serverError: 0,
    dropBeforeForward: 0,
    dropAfterForward: 0,
    serverErrorAfterForward: 0,
    latency: 0,
  };
  const injected: InjectedFault[] = [];
  const occurrences = new Map<string, number>();
  const sockets = new Set<Socket>();

  const forward = (
    incoming: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: target.host },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer) => {
    const path = incoming.url ?? '/';
    const call = identify(incoming, body);
    const faultable = !path.startsWith('/_testbed/') && !path.startsWith('/moto-api/') && select(call);
    let kind: FaultKind | undefined;
    if (faultable) {
      counts.calls++;
      const key = `${call.service}:${call.operation}`;
      const occurrence = (occurrences.get(key) ?? 0) + 1;
      occurrences.set(key, occurrence);
      // One draw per call decides which failing fault (if any) it gets; another decides latency.
      const draw = seededUnit(seed, key, occurrence, 'fault');
      let threshold = 0;
      for (const candidate of FAILING_KINDS) {
        threshold += rates[candidate] ?? 0;
        if (draw < threshold) {
          kind = candidate;
          break;
        }
      }
      if (seededUnit(seed, key, occurrence, 'latency') < (rates.latency ?? 0)) {
        counts.latency++;
        injected.push({ ...call, kind: 'latency' });
        const delay = minDelay + seededUnit(seed, key, occurrence, 'delay') * (maxDelay - minDelay);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    if (kind) {
      counts[kind]++;
      injected.push({ ...call, kind });
    }
    if (kind === 'dropBeforeForward') {
      incoming.socket.destroy();
      return;
    }
    if (kind === 'throttle' || kind === 'serverError') {
      const error = errorResponse(call.service, kind);
      outgoing.writeHead(error.status, { ...error.headers, 'content-length': Buffer.byteLength(error.body) });
      outgoing.end(error.body);
      return;
    }
    const answer = await forward(incoming, body);
    if (faultable) counts.forwarded++;
    options.onForwarded?.(call, answer.status);
    if (kind === 'dropAfterForward') {
      incoming.socket.destroy();
      return;
    }
    if (kind === 'serverErrorAfterForward') {
      const error = errorResponse(call.service, 'serverError');
      outgoing.writeHead(error.status, { ...error.headers, 'content-length': Buffer.byteLength(error.body) });
      outgoing.end(error.body);
      return;
    }
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    outgoing.writeHead(answer.status, { ...headers, 'content-length': answer.body.length });
    outgoing.end(answer.body);
  };

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      handle(incoming, outgoing, Buffer.concat(chunks)).catch((error: unknown) => {
        if (!outgoing.headersSent) {
          outgoing.writeHead(502, { 'content-type': 'text/plain' });
          outgoing.end(`fault proxy: ${error instanceof Error ? error.message : String(error)}`);
        } else incoming.socket.destroy();
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    injected,
    setRates(next) {
      rates = { ...next };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The service (from the SigV4 credential scope) and the operation of one request. */
function identify(incoming: IncomingMessage, body: Buffer): ProxiedCall {
  const authorization = String(incoming.headers.authorization ?? '');
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ?? 'unknown';
  const target = incoming.headers['x-amz-target'];
  if (typeof target === 'string') return { service, operation: target.split('.').pop() ?? target };
  if (service === 'lambda')
    return { service, operation: lambdaOperation(incoming.method ?? 'GET', incoming.url ?? '/') };
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  return { service, operation: action ?? `${incoming.method} ${incoming.url}` };
}

/** Lambda's REST routes, for the operations this project uses; others are named by method and path. */
function lambdaOperation(method: string, url: string): string {
  const path = url.split('?')[0] ?? url;
  const routes: Array<[string, RegExp, string]> = [
    ['GET', /^\/2015-03-31\/functions\/?$/, 'ListFunctions'],
    ['GET', /^\/2015-03-31\/functions\/[^/]+\/configuration$/, 'GetFunctionConfiguration'],
    ['GET', /^\/2015-03-31\/functions\/[^/]+\/aliases$/, 'ListAliases'],
    ['GET', /^\/2015-03-31\/functions\/[^/]+$/, 'GetFunction'],
  ];
  return routes.find(([verb, pattern]) => verb === method && pattern.test(path))?.[2] ?? `${method} ${path}`;
}

/** The error each service's protocol uses for throttling and internal errors, as the SDK parses it. */
function errorResponse(
  service: string,
  kind: 'throttle' | 'serverError',
): { status: number; headers: Record<string, string>; body: string } {
  const requestId = `fault-proxy-${kind}`;
  if (service === 'lambda') {
    const type = kind === 'throttle' ? 'TooManyRequestsException' : 'ServiceException';
    return {
      status: kind === 'throttle' ? 429 : 500,
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': type,
        'x-amzn-requestid': requestId,
      },
      body: JSON.stringify({
        Type: kind === 'throttle' ? 'User' : 'Service',
        message: 'injected by the fault proxy',
      }),
    };
  }
  if (service === 'tagging') {
    const type = kind === 'throttle' ? 'ThrottledException' : 'InternalServiceException';
    return {
      status: kind === 'throttle' ? 400 : 500,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: type, Message: 'injected by the fault proxy' }),
    };
  }
  // EC2's query protocol; IAM and STS use another XML shape, but they are not faulted by default.
  const code = kind === 'throttle' ? 'RequestLimitExceeded' : 'InternalError';
  return {
    status: kind === 'throttle' ? 503 : 500,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>injected by the fault proxy</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
  };
}
