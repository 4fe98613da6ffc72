import { AllocateAddressCommand, DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients } from '../../src/aws/clients.js';
import { awsErrorCode } from '../../src/aws/errors.js';
import { type FaultProxy, type FaultRates, LOCAL_CREDENTIALS, startFaultProxy } from '../../testbed/index.js';
import { useLocalAws } from '../support/local-aws.js';

const localAws = useLocalAws({ eipQuota: 50 });
let proxy: FaultProxy | undefined;

beforeEach(async () => {
  await localAws().reset();
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

/** Clients through the proxy, without SDK retries, so each fault is seen as it is. */
async function through(rates: FaultRates, seed = 7): Promise<AwsClients> {
  proxy = await startFaultProxy({ target: localAws().endpoint, rates, seed, latencyMs: [5, 10] });
  return createAwsClients({
    region: localAws().region,
    endpointUrl: proxy.endpoint,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
}

async function errorOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

async function addressCount(): Promise<number> {
  const direct = localAws().clients();
  return ((await direct.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? []).length;
}

describe('the fault proxy', () => {
  it('throttles each service in its own protocol, as the SDK recognises throttling', async () => {
    const clients = await through({ throttle: 1 });
    const ec2 = await errorOf(clients.ec2.send(new DescribeAddressesCommand({})));
    const lambda = await errorOf(clients.lambda.send(new ListFunctionsCommand({})));
    const tagging = await errorOf(clients.tagging.send(new GetResourcesCommand({})));
    expect([awsErrorCode(ec2), awsErrorCode(lambda), awsErrorCode(tagging)]).toEqual([
      'RequestLimitExceeded',
      'TooManyRequestsException',
      'ThrottledException',
    ]);
    expect(proxy?.counts).toMatchObject({ calls: 3, throttle: 3, forwarded: 0 });
  });

  it('answers 500 without forwarding, so nothing happens', async () => {
    const clients = await through({ serverError: 1 });
    const error = await errorOf(clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' })));
    expect(awsErrorCode(error)).toBe('InternalError');
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(500);
    expect(await addressCount()).toBe(0);
  });

  it('drops the connection before forwarding (nothing done) or after (done, but the caller cannot tell)', async () => {
    let clients = await through({ dropBeforeForward: 1 });
    let error = await errorOf(clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' })));
    expect((error as { code?: string }).code).toBe('ECONNRESET');
    expect(await addressCount()).toBe(0);
    await proxy?.stop();

    clients = await through({ dropAfterForward: 1 });
    error = await errorOf(clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' })));
    expect((error as { code?: string }).code).toBe('ECONNRESET');
    expect(await addressCount()).toBe(1);
    expect(proxy?.injected).toEqual([
      { service: 'ec2', operation: 'AllocateAddress', kind: 'dropAfterForward' },
    ]);
  });

  it('injects the same faults for the same seed and calls, at about the configured rate', async () => {
    const outcomes = async (seed: number) => {
      const clients = await through({ throttle: 0.3, latency: 0.2 }, seed);
      const results: string[] = [];
      for (let index = 0; index < 40; index++) {
        try {
          await clients.ec2.send(new DescribeAddressesCommand({}));
          results.push('ok');
        } catch (error) {
          results.push(awsErrorCode(error) ?? 'error');
        }
      }
      const latency = proxy?.counts.latency ?? 0;
      await proxy?.stop();
      return { results, latency };
    };
    const first = await outcomes(11);
    const again = await outcomes(11);
    const other = await outcomes(12);
    expect(again).toEqual(first);
    expect(other.results).not.toEqual(first.results);
    const throttled = first.results.filter((result) => result === 'RequestLimitExceeded').length;
    expect(throttled).toBeGreaterThan(4);
    expect(throttled).toBeLessThan(20);
    expect(first.latency).toBeGreaterThan(0);
  });

  it('never faults the test-bed routes, and forwards everything untouched with no rates', async () => {
    const clients = await through({});
    await clients.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const health = await fetch(`${proxy?.endpoint}/_testbed/health`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(proxy?.counts).toMatchObject({ calls: 1, forwarded: 1, throttle: 0 });
  });
});
