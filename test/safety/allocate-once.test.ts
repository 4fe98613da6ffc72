import { DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatePoolAddress } from '../../src/aws/addresses.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { awsErrorCode } from '../../src/aws/errors.js';
import { reconcile } from '../../src/reconcile/reconcile.js';
import {
  createLambdaWorld,
  type FaultProxy,
  type FaultRates,
  LOCAL_CREDENTIALS,
  seededUnit,
  startFaultProxy,
} from '../../testbed/index.js';
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
  const outcome = await allocatePoolAddress(clients.ec2, 'once', 'eni-1').then(
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

  it('a 500 after AWS acted is not retried: exactly the one address AWS made exists', async () => {
    const { outcome, addresses, attempts } = await allocateThrough({ serverErrorAfterForward: 1 });
    expect(outcome).toBe('AllocationOutcomeUnknown');
    expect(attempts).toBe(1);
    expect(addresses).toHaveLength(1);
  });

  it('a 500 before AWS acted is not retried either (the caller cannot tell): nothing was allocated', async () => {
    const { outcome, addresses, attempts } = await allocateThrough({ serverError: 1 });
    expect(outcome).toBe('AllocationOutcomeUnknown');
    expect(attempts).toBe(1);
    // A retry would have been forwarded and allocated one.
    expect(addresses).toHaveLength(0);
  });

  it('throttling proves nothing happened, so the SDK retries it as usual', async () => {
    // A seed whose first AllocateAddress is throttled and second is not, found from the proxy's own
    // deterministic draw: the SDK must send it again, once, and get one address.
    const throttled = (seed: number, occurrence: number) =>
      seededUnit(seed, 'ec2:AllocateAddress', occurrence, 'fault') < 0.5;
    const seed = Array.from({ length: 100 }, (_, index) => index + 1).find(
      (candidate) => throttled(candidate, 1) && !throttled(candidate, 2),
    ) as number;
    const { outcome, addresses, attempts } = await allocateThrough({ throttle: 0.5 }, seed);
    expect(attempts).toBe(2);
    expect(outcome).toBe('allocated');
    expect(addresses).toHaveLength(1);
  });

  it('apply whose AllocateAddress answers are all lost binds the address it did allocate, and allocates no other', async () => {
    await localAws().reset();
    const world = await createLambdaWorld(localAws(), {
      functions: [{ name: 'api', pool: 'once' }],
      publicSubnets: 1,
    });
    const eniId = world.sim.enis()[0]?.id as string;
    proxy = await startFaultProxy({
      target: localAws().endpoint,
      rates: { dropAfterForward: 1 },
      select: (call) => call.operation === 'AllocateAddress',
    });
    const clients = createAwsClients({
      region: localAws().region,
      endpointUrl: proxy.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const result = await reconcile(clients, { pool: 'once', allocate: true });

    expect(result.failed.map((failure) => failure.code)).toEqual(['AllocationOutcomeUnknown']);
    expect(proxy.counts.dropAfterForward).toBe(1);
    expect(result.converged).toBe(true);
    const addresses = (await localAws().clients().ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
    expect(addresses).toHaveLength(1);
    expect(addresses[0]?.NetworkInterfaceId).toBe(eniId);
  });
});
