import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AssociateAddressCommand, DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disassociateAll } from '../../src/aws/addresses.js';
import { type AwsClients, createAwsClients } from '../../src/aws/clients.js';
import { getFunctionState } from '../../src/aws/function-state.js';
import { observe, observePoolFunctions } from '../../src/aws/observe.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { type ReconcileEvent, reconcile } from '../../src/reconcile/reconcile.js';
import { unbindPool } from '../../src/reconcile/unbind-pool.js';
import { createVpcFixture, LambdaSimulator, type VpcFixture } from '../../testbed/index.js';
import { allocateAddress } from '../support/addresses.js';
import { useLocalAws } from '../support/local-aws.js';

const localAws = useLocalAws({ eipQuota: 20 });
let clients: AwsClients;
let vpc: VpcFixture;
let sim: LambdaSimulator;
const POOL = 'shop';

beforeEach(async () => {
  await localAws().reset();
  clients = localAws().clients();
  vpc = await createVpcFixture(clients.ec2, { securityGroups: 3 });
  sim = new LambdaSimulator({ localAws: localAws() });
});

function allocate(tags: Record<string, string> = {}) {
  return allocateAddress(clients.ec2, tags);
}

async function bind(allocationId: string, networkInterfaceId: string): Promise<void> {
  await clients.ec2.send(
    new AssociateAddressCommand({
      AllocationId: allocationId,
      NetworkInterfaceId: networkInterfaceId,
      AllowReassociation: false,
    }),
  );
}

async function addressesById() {
  const all = (await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  return new Map(all.map((address) => [address.AllocationId as string, address]));
}

describe('observe: named functions that are gone', () => {
  it('fails by default and leaves them out with missingFunctions: ignore', async () => {
    await sim.createFunction({
      name: 'api',
      subnetIds: [vpc.publicSubnetIds[0] as string],
      securityGroupIds: [vpc.securityGroupIds[0] as string],
    });
    await expect(observe(clients, { pool: POOL, functions: ['api', 'gone'] })).rejects.toMatchObject({
      code: 'UnknownFunction',
    });
    const observation = await observe(clients, {
      pool: POOL,
      functions: ['api', 'gone'],
      missingFunctions: 'ignore',
    });
    expect(observation.functions.filter((fn) => fn.inPool).map((fn) => fn.name)).toEqual(['api']);

    const functions = await observePoolFunctions(clients, { pool: POOL, functions: ['api'] }, 'us-east-1');
    expect(functions.functions.map((fn) => [fn.name, fn.inPool])).toEqual([['api', true]]);
  });
});

describe('reconcile: the observed event', () => {
  it('carries the observation the plan was made from', async () => {
    await sim.createFunction({
      name: 'api',
      subnetIds: [vpc.publicSubnetIds[0] as string],
      securityGroupIds: [vpc.securityGroupIds[0] as string],
    });
    const events: ReconcileEvent[] = [];
    await reconcile(clients, { pool: POOL, functions: ['api'] }, { onEvent: (event) => events.push(event) });
    const observed = events.find((event) => event.type === 'observed');
    expect(observed?.type === 'observed' && observed.observation.functions.map((fn) => fn.name)).toEqual([
      'api',
    ]);
    expect(observed?.type === 'observed' && observed.observation.region).toBe('us-east-1');
  });
});

describe('unbindPool', () => {
  it("disassociates only the pool's IPs on its functions' ENIs, releases nothing, and is idempotent", async () => {
    const [sg1, sg2, sg3] = vpc.securityGroupIds as [string, string, string];
    const subnet = vpc.publicSubnetIds[0] as string;
    await sim.createFunction({
      name: 'api',
      subnetIds: [subnet],
      securityGroupIds: [sg1],
      tags: { [POOL_TAG_KEY]: POOL },
    });
    await sim.createFunction({ name: 'named', subnetIds: [subnet], securityGroupIds: [sg2] });
    await sim.createFunction({ name: 'other', subnetIds: [subnet], securityGroupIds: [sg3] });
    const [apiEni] = sim.enisOf(subnet, [sg1]);
    const [namedEni] = sim.enisOf(subnet, [sg2]);
    const [otherEni] = sim.enisOf(subnet, [sg3]);

    const pool1 = await allocate({ [POOL_TAG_KEY]: POOL });
    const pool2 = await allocate({ [POOL_TAG_KEY]: POOL });
    const free = await allocate({ [POOL_TAG_KEY]: POOL });
    const otherPool = await allocate({ [POOL_TAG_KEY]: 'elsewhere' });
    await bind(pool1.id, apiEni?.id as string);
    await bind(pool2.id, namedEni?.id as string);
    await bind(otherPool.id, otherEni?.id as string);

    const result = await unbindPool(clients, { pool: POOL, functions: ['named', 'deleted-already'] });
    expect(
      result.unbound.map((entry) => [entry.networkInterfaceId, entry.allocationId, entry.removed]),
    ).toEqual(
      expect.arrayContaining([
        [apiEni?.id, pool1.id, true],
        [namedEni?.id, pool2.id, true],
      ]),
    );
    expect(result.unbound).toHaveLength(2);

    const after = await addressesById();
    // Nothing released: the same four addresses.
    expect([...after.keys()].sort()).toEqual([pool1.id, pool2.id, free.id, otherPool.id].sort());
    expect(after.get(pool1.id)?.AssociationId).toBeUndefined();
    expect(after.get(pool2.id)?.AssociationId).toBeUndefined();
    expect(after.get(free.id)?.AssociationId).toBeUndefined();
    expect(after.get(otherPool.id)?.NetworkInterfaceId).toBe(otherEni?.id);

    expect((await unbindPool(clients, { pool: POOL })).unbound).toEqual([]);
  });

  it('disassociateAll counts an association that is already gone as done', async () => {
    await sim.createFunction({
      name: 'api',
      subnetIds: [vpc.publicSubnetIds[0] as string],
      securityGroupIds: [vpc.securityGroupIds[0] as string],
    });
    const address = await allocate();
    await bind(address.id, sim.enis()[0]?.id as string);
    const associationId = (await addressesById()).get(address.id)?.AssociationId as string;
    const first = await disassociateAll(clients.ec2, [associationId]);
    const second = await disassociateAll(clients.ec2, [associationId]);
    expect(first).toEqual({ disassociated: [associationId], alreadyGone: [] });
    expect(second).toEqual({ disassociated: [], alreadyGone: [associationId] });
  });
});

describe('getFunctionState', () => {
  it('reports LastUpdateStatus while a VPC update is in flight', async () => {
    const [sg1, sg2] = vpc.securityGroupIds as [string, string];
    await sim.createFunction({ name: 'api', subnetIds: vpc.publicSubnetIds, securityGroupIds: [sg1] });
    await sim.advance(90_000);
    await sim.updateVpcConfig('api', { subnetIds: vpc.publicSubnetIds, securityGroupIds: [sg2] });
    expect(await getFunctionState(clients.lambda, 'api')).toMatchObject({
      state: 'Active',
      lastUpdateStatus: 'InProgress',
    });
    await sim.advance(90_000);
    expect((await getFunctionState(clients.lambda, 'api')).lastUpdateStatus).toBe('Successful');
    await expect(getFunctionState(clients.lambda, 'missing')).rejects.toMatchObject({
      code: 'AwsCallFailed',
    });
  });
});

describe('requestTimeoutMs', () => {
  let silent: Server;
  beforeAll(async () => {
    // Accepts connections and never answers: a hung endpoint.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('bounds each attempt, so maxAttempts x requestTimeoutMs bounds a call', async () => {
    const { port } = silent.address() as AddressInfo;
    const hung = createAwsClients({
      region: 'us-east-1',
      endpointUrl: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 2,
      requestTimeoutMs: 200,
    });
    const started = Date.now();
    await expect(hung.ec2.send(new DescribeAddressesCommand({}))).rejects.toMatchObject({
      name: 'TimeoutError',
      $metadata: { attempts: 2 },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
