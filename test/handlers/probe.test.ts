import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createProbeHandler } from '../../src/handlers/probe.js';
import { lambdaContext } from '../../testbed/index.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A local HTTP server; returns its URL. */
async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** Answers like checkip.amazonaws.com: the caller's address and a newline. */
const echo: RequestListener = (request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end(`${request.socket.remoteAddress?.replace(/^::ffff:/, '')}\n`);
};

function probe(env: Record<string, string>) {
  const lines: Array<Record<string, unknown>> = [];
  const handler = createProbeHandler({
    environment: { LSI_POOL: 'shop', LSI_PROBE_SUBNET: 'subnet-0a1', ...env },
    log: (line) => lines.push(JSON.parse(line)),
    now: () => Date.UTC(2026, 0, 1),
  });
  const metric = () => lines.find((line) => '_aws' in line);
  return { handler, lines, metric };
}

const context = lambdaContext({ requestId: 'req-7', functionName: 'probe-1', remainingMs: 15_000 });

describe('egress probe', () => {
  it('publishes EgressIpInPool 1 when the echoed address is on the allow-list', async () => {
    const url = await serve(echo);
    const { handler, lines, metric } = probe({
      LSI_ECHO_URL: url,
      LSI_ALLOW_LIST: '["198.51.100.7","127.0.0.1"]',
    });
    expect(await handler({}, context)).toEqual({
      pool: 'shop',
      subnet: 'subnet-0a1',
      egressIp: '127.0.0.1',
      inPool: true,
    });
    expect(metric()).toMatchObject({
      Pool: 'shop',
      Subnet: 'subnet-0a1',
      EgressIpInPool: 1,
      egressIp: '127.0.0.1',
      requestId: 'req-7',
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'LambdaStaticIp',
            Dimensions: [['Pool', 'Subnet']],
            Metrics: [{ Name: 'EgressIpInPool', Unit: 'None' }],
          },
        ],
      },
    });
    // Powertools Logger's line: its level names and Lambda context keys, then ours.
    expect(lines.find((line) => line.message === 'egress probe')).toMatchObject({
      level: 'INFO',
      service: 'lambda-static-ip-probe',
      function_name: 'probe-1',
      function_request_id: 'req-7',
      egressIp: '127.0.0.1',
      inPool: true,
    });
    expect(lines).toHaveLength(2);
  });

  it('reports for its placement, not a subnet, when it spans subnets', async () => {
    const url = await serve(echo);
    const lines: Array<Record<string, unknown>> = [];
    const handler = createProbeHandler({
      environment: {
        LSI_POOL: 'shop',
        LSI_PROBE_PLACEMENT: 'PlacementAB12CD34',
        LSI_ECHO_URL: url,
        LSI_ALLOW_LIST: '127.0.0.1',
      },
      log: (line) => lines.push(JSON.parse(line)),
    });
    expect(await handler({}, context)).toEqual({
      pool: 'shop',
      placement: 'PlacementAB12CD34',
      egressIp: '127.0.0.1',
      inPool: true,
    });
    const metric = lines.find((line) => '_aws' in line);
    expect(metric).toMatchObject({ Pool: 'shop', Placement: 'PlacementAB12CD34', EgressIpInPool: 1 });
    expect(metric).not.toHaveProperty('Subnet');
    expect(metric?._aws).toMatchObject({ CloudWatchMetrics: [{ Dimensions: [['Pool', 'Placement']] }] });
  });

  it('publishes 0 and logs an error when the address is not on the allow-list', async () => {
    const url = await serve(echo);
    const { handler, lines, metric } = probe({
      LSI_ECHO_URL: url,
      LSI_ALLOW_LIST: '198.51.100.7, 198.51.100.8',
    });
    expect((await handler({}, context)).inPool).toBe(false);
    expect(metric()).toMatchObject({ EgressIpInPool: 0, egressIp: '127.0.0.1' });
    expect(lines.find((line) => line.message === 'egress probe')).toMatchObject({
      level: 'ERROR',
      inPool: false,
    });
  });

  it('publishes 0 and logs the failure when the echo endpoint errs, answers nonsense or hangs', async () => {
    const failing = await serve((_request, response) => {
      response.writeHead(503);
      response.end('unavailable');
    });
    const nonsense = await serve((_request, response) => response.end('<html>hello</html>'));
    const hanging = await serve(() => {});
    const cases: Array<[string, RegExp]> = [
      [failing, /answered HTTP 503/],
      [nonsense, /not an IP address/],
      [hanging, /timeout|aborted/i],
    ];
    for (const [url, reason] of cases) {
      const { handler, lines, metric } = probe({
        LSI_ECHO_URL: url,
        LSI_ALLOW_LIST: '127.0.0.1',
        LSI_PROBE_TIMEOUT_MS: '300',
      });
      const started = Date.now();
      expect(await handler({}, context)).toEqual({ pool: 'shop', subnet: 'subnet-0a1', inPool: false });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(metric()).toMatchObject({ EgressIpInPool: 0 });
      const error = lines.find((line) => line.message === 'egress probe could not learn its IP');
      expect(error).toMatchObject({ level: 'ERROR', pool: 'shop', subnet: 'subnet-0a1', echoUrl: url });
      expect(JSON.stringify(error?.error)).toMatch(reason);
    }
  });

  it('rejects a bad environment, naming the variable', async () => {
    const bad = [
      [{ LSI_ALLOW_LIST: '127.0.0.1, not-an-ip' }, /LSI_ALLOW_LIST .*"not-an-ip" is not an IP address/],
      [
        { LSI_ALLOW_LIST: '127.0.0.1', LSI_ECHO_URL: 'ftp://example.com' },
        /LSI_ECHO_URL .*expected an http\(s\) URL/,
      ],
      [{ LSI_ALLOW_LIST: '127.0.0.1', LSI_PROBE_SUBNET: 'sub' }, /LSI_PROBE_SUBNET is "sub"/],
      [{}, /LSI_ALLOW_LIST is not set/],
      [{ LSI_ALLOW_LIST: '127.0.0.1', LSI_PROBE_PLACEMENT: 'p-1' }, /both are set; set exactly one/],
      [{ LSI_ALLOW_LIST: '127.0.0.1', LSI_PROBE_SUBNET: '' }, /LSI_PROBE_SUBNET is ""/],
    ] as const;
    for (const [env, message] of bad) {
      const { handler, lines } = probe(env as Record<string, string>);
      await expect(handler({}, context)).rejects.toThrow(message);
      expect(lines[0]).toMatchObject({
        level: 'ERROR',
        message: 'egress probe misconfigured',
        error: { name: 'InputError', code: 'InvalidEnvironment', message },
      });
    }
  });
});
