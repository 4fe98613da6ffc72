import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { createVpcFixture, LambdaSimulator } from '../../testbed/index.js';
import { allocateAddress } from '../support/addresses.js';
import { runNode } from '../support/cli.js';
import { useLocalAws } from '../support/local-aws.js';

// Built by the global setup (test/support/build-once.ts), as `npm run build` builds them.
const bundle = (name: string) =>
  fileURLToPath(new URL(`../../dist/handlers/${name}/index.mjs`, import.meta.url));

interface Invocation {
  readonly code: number;
  readonly result: unknown;
  readonly lines: Array<Record<string, unknown>>;
  readonly stderr: string;
}

/**
 * Loads a bundle in a fresh Node process, as the Lambda runtime would (`index.handler`), invokes it once
 * with `event`, and returns its answer and the JSON lines it wrote to stdout.
 */
async function invoke(name: string, event: unknown, env: Record<string, string>): Promise<Invocation> {
  const script = `
    const { handler } = await import(${JSON.stringify(bundle(name))});
    const context = {
      awsRequestId: 'bundle-req',
      functionName: ${JSON.stringify(name)},
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + ${JSON.stringify(name)},
      memoryLimitInMB: '256',
      getRemainingTimeInMillis: () => 300000,
    };
    try {
      process.stderr.write('RESULT ' + JSON.stringify(await handler(${JSON.stringify(event)}, context)) + '\\n');
    } catch (error) {
      process.stderr.write('ERROR ' + error.message + '\\n');
      process.exitCode = 1;
    }`;
  const run = await runNode(['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: 'true', ...env },
  });
  const resultLine = run.stderr.split('\n').find((line) => line.startsWith('RESULT '));
  return {
    ...run,
    result: resultLine ? JSON.parse(resultLine.slice('RESULT '.length)) : undefined,
    lines: run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  };
}

describe('handler bundles', () => {
  it('exist as single ESM files that load in Node without their environment and export `handler`', async () => {
    for (const name of ['controller', 'probe']) {
      expect(existsSync(bundle(name))).toBe(true);
      // Loading must not read the environment or call AWS: only invoking does.
      const loaded = await runNode(
        [
          '--input-type=module',
          '-e',
          `process.stdout.write(typeof (await import(${JSON.stringify(bundle(name))})).handler)`,
        ],
        { env: { PATH: process.env.PATH } },
      );
      expect(loaded.stderr).toBe('');
      expect(loaded.stdout).toBe('function');
    }
    // The probe carries no AWS SDK: it stays small. The controller carries only the SDK commands it sends
    // and the environment credential source (scripts/bundle-handlers.mjs): issue 20 caps it at 400 KB.
    expect(statSync(bundle('probe')).size).toBeLessThan(100 * 1024);
    expect(statSync(bundle('controller')).size).toBeLessThanOrEqual(400 * 1024);
  });

  describe('the probe bundle', () => {
    let echo: Server;
    beforeAll(async () => {
      echo = createServer((_request, response) => response.end('127.0.0.1\n'));
      await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    });

    it('asks the echo endpoint and writes its metric line', async () => {
      const { port } = echo.address() as AddressInfo;
      const run = await invoke(
        'probe',
        {},
        {
          LSI_POOL: 'shop',
          LSI_ALLOW_LIST: '127.0.0.1',
          LSI_PROBE_SUBNET: 'subnet-0a1',
          LSI_ECHO_URL: `http://127.0.0.1:${port}/`,
        },
      );
      expect(run.code).toBe(0);
      expect(run.result).toMatchObject({ egressIp: '127.0.0.1', inPool: true });
      expect(run.lines.find((line) => '_aws' in line)).toMatchObject({
        EgressIpInPool: 1,
        Subnet: 'subnet-0a1',
      });
    });
  });

  describe('the controller bundle', () => {
    const localAws = useLocalAws();

    it('reconciles a pool against the local AWS with the SDK it bundles', async () => {
      await localAws().reset();
      const clients = localAws().clients();
      const vpc = await createVpcFixture(clients.ec2);
      const sim = new LambdaSimulator({ localAws: localAws() });
      await sim.createFunction({
        name: 'api',
        subnetIds: vpc.publicSubnetIds,
        securityGroupIds: [vpc.securityGroupIds[0] as string],
      });
      for (let index = 0; index < 2; index++) await allocateAddress(clients.ec2, { [POOL_TAG_KEY]: 'shop' });
      const env = {
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL: localAws().endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        LSI_POOL: 'shop',
        LSI_FUNCTIONS: '["api"]',
      };
      const run = await invoke('controller', { 'detail-type': 'Scheduled Event', source: 'aws.events' }, env);
      expect(run.stderr).not.toContain('ERROR');
      expect(run.result).toMatchObject({ trigger: 'schedule', applied: 2, converged: true });
      // Powertools Logger and Metrics, bundled: the summary line and the EMF line, on stdout.
      expect(run.lines.find((line) => line.message === 'reconcile summary')).toMatchObject({
        level: 'INFO',
        service: 'lambda-static-ip-controller',
        function_request_id: 'bundle-req',
        unboundEnis: 0,
      });
      expect(run.lines.find((line) => '_aws' in line)).toMatchObject({ Pool: 'shop', ActionsApplied: 2 });

      const bad = await invoke(
        'controller',
        { 'detail-type': 'Scheduled Event' },
        { ...env, LSI_SPARES: 'x' },
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('environment variable LSI_SPARES is "x"');
    });
  });
});
