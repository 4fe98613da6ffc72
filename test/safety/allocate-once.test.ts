import { DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatePoolAddress } from '../../src/aws/addresses.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { awsErrorCode } from '../../src/aws/errors.js';
import { type FaultProxy, type FaultRates, LOCAL_CREDENTIALS, startFaultProxy } from '../../testbed/index.js';
import { useLocalAws } from '../support/local-aws.js';

const localAws = useLocalAws({ eipQuota: 20 });
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

/** Allocates through a proxy that faults only AllocateAddress; returns the outcome and the addresses made. */
async function allocateThrough(rates: FaultRates, seed = 3) {
  await localAws().reset();
  proxy = await startFaultProxy({
    target: localAws().endpoint,
    seed,
    rates,
    select: (call) => call.operation === 'AllocateAddress',
  });
  const clients = createAwsClients({
    region: localAws().region,
    endpointUrl: proxy.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  const outcome = await allocatePoolAddress(clients.ec2, 'once', 'subnet-1').then(
    () => 'allocated',
    (error: unknown) => awsErrorCode(error) ?? 'error',
  );
  const direct = localAws().clients();
  const addresses = (await direct.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  return { outcome, addresses, attempts: proxy.counts.calls };
}

describe('AllocateAddress is sent at most once when its outcome is unknown', () => {
  it('a lost response is not retried: exactly one address exists, tagged for the pool', async () => {
    const { outcome, addresses, attempts } = await allocateThrough({ dropAfterForward: 1 });
    expect(outcome).toBe('AllocationOutcomeUnknown');
    expect(attempts).toBe(1);
    expect(addresses).toHaveLength(1);
    expect(addresses[0]?.Tags).toEqual(
      expect.arrayContaining([{ Key: 'lambda-static-ip:pool', Value: 'once' }]),
    );
  });

  it('a 500 is not retried either (AWS may have acted); nothing was allocated twice', async () => {
    const { outcome, addresses, attempts } = await allocateThrough({ serverError: 1 });
    expect(outcome).toBe('AllocationOutcomeUnknown');
    expect(attempts).toBe(1);
    expect(addresses.length).toBeLessThanOrEqual(1);
  });

  it('throttling proves nothing happened, so the SDK retries it as usual', async () => {
    const { outcome, addresses, attempts } = await allocateThrough({ throttle: 0.5 }, 1);
    expect(attempts).toBeGreaterThan(1);
    if (outcome === 'allocated') expect(addresses).toHaveLength(1);
    else expect(addresses).toHaveLength(0);
  });
});
