import { AssociateAddressCommand, DescribeAddressesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { InitializeMiddleware } from '@smithy/types';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { LAST_SUBNET_TAG_KEY, POOL_TAG_KEY } from '../../src/core/pool.js';
import {
  type ControllerHandler,
  createControllerHandler,
  type EventRunResponse,
  type IsCompleteResponse,
  type OnEventResponse,
} from '../../src/handlers/controller.js';
import type { Runtime } from '../../src/handlers/runtime.js';
import {
  type CloudTrailEvent,
  cloudTrailEvent,
  createVpcFixture,
  LambdaSimulator,
  lambdaContext,
  type VpcFixture,
} from '../../testbed/index.js';
import { allocateAddress } from '../support/addresses.js';
import { useLocalAws } from '../support/local-aws.js';

const localAws = useLocalAws({ eipQuota: 20 });
const POOL = 'shop';
const SWITCH = 90_000;
const context = lambdaContext({ requestId: 'req-1' });
const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {}, resources: [] };

let clients: AwsClients;
let vpc: VpcFixture;
let sim: LambdaSimulator;
let events: CloudTrailEvent[];
let lines: Array<Record<string, unknown>>;
let calls: string[];
let callsBeforeReconcile: string[];
let runtime: Runtime;

beforeEach(async () => {
  await localAws().reset();
  clients = localAws().clients();
  calls = [];
  const step = { step: 'initialize', name: 'countCalls' } as const;
  clients.ec2.middlewareStack.add(countCalls(), step);
  clients.lambda.middlewareStack.add(countCalls(), step);
  clients.tagging.middlewareStack.add(countCalls(), step);
  vpc = await createVpcFixture(clients.ec2, { securityGroups: 3 });
  sim = new LambdaSimulator({ localAws: localAws(), timings: { eniSwitchMs: SWITCH } });
  events = [];
  sim.onCloudTrailEvent((event) => events.push(event));
  lines = [];
  // The handler's waits move the simulator's virtual clock: minutes of polling take no real time.
  runtime = { now: () => sim.clock.now(), sleep: (ms) => sim.advance(ms) };
});

/** Records every SDK call made through the test's clients, by command name. */
function countCalls<Input extends object, Output extends object>(): InitializeMiddleware<Input, Output> {
  return (next, middlewareContext) => async (args) => {
    calls.push(String(middlewareContext.commandName).replace(/Command$/, ''));
    return next(args);
  };
}

function subnet(index = 0): string {
  return vpc.publicSubnetIds[index] as string;
}
function group(index = 0): string {
  return vpc.securityGroupIds[index] as string;
}

function controller(environment: Record<string, string> = {}): ControllerHandler {
  return createControllerHandler({
    clients,
    // Debug lines too: the fast path's line marks where its calls end.
    environment: { LSI_POOL: POOL, POWERTOOLS_LOG_LEVEL: 'DEBUG', ...environment },
    runtime,
    log: (line) => {
      const parsed = JSON.parse(line);
      // The calls made before the fast path reported: those it spent, before the full reconcile.
      if (String(parsed.message).startsWith('fast path')) callsBeforeReconcile = [...calls];
      lines.push(parsed);
    },
  });
}

function allocate(tags: Record<string, string> = { [POOL_TAG_KEY]: POOL }) {
  return allocateAddress(clients.ec2, tags);
}

async function addresses(ec2: EC2Client = clients.ec2) {
  return (await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
}

/** The pool IP each of the simulator's ENIs holds (undefined: none). */
async function ipsByEni(): Promise<Map<string, string | undefined>> {
  const all = await addresses();
  return new Map(
    sim.enis().map((eni) => [eni.id, all.find((a) => a.NetworkInterfaceId === eni.id)?.PublicIp]),
  );
}

function request(
  type: 'Create' | 'Update' | 'Delete',
  properties: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider-onEvent',
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/signed',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
    RequestId: `request-${type}`,
    LogicalResourceId: 'StaticIpPool',
    ResourceType: 'Custom::LambdaStaticIp',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
      ...properties,
    },
    ...extra,
  };
}

/** What the Provider framework passes to isComplete: the request merged with onEvent's answer. */
function isCompleteRequest(onEventRequest: object, answer: object) {
  return { ...onEventRequest, ...answer };
}

function summaries() {
  return lines.filter((line) => line.message === 'reconcile summary');
}
function metrics() {
  return lines.filter((line) => '_aws' in line);
}

describe('custom resource lifecycle', () => {
  it('Create waits (isComplete false) while a pool function has no ENI, and completes once it is bound', async () => {
    const pool = await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group()] });
    await sim.advance(SWITCH);
    await sim.idleReclaim('api'); // Lambda took the ENI back: the next one comes with no IP.
    const handler = controller();

    const create = request('Create', { Pool: POOL, Functions: ['api'] });
    const answer = (await handler(create, context)) as OnEventResponse;
    expect(answer.PhysicalResourceId).toBe('lambda-static-ip:shop');
    expect(await handler(isCompleteRequest(create, answer), context)).toEqual({ IsComplete: false });
    expect(summaries().at(-1)).toMatchObject({ completion: 'pending', problems: ['NoEniYet'] });

    await sim.invoke('api'); // wakes it: Lambda creates a new ENI
    const done = (await handler(isCompleteRequest(create, answer), context)) as IsCompleteResponse;
    expect(done).toEqual({
      IsComplete: true,
      Data: { Pool: POOL, AllowList: pool.ip, PoolSize: '1', BoundEnis: '1' },
    });
    expect([...(await ipsByEni()).values()]).toEqual([pool.ip]);
    expect(summaries().at(-1)).toMatchObject({
      level: 'INFO',
      message: 'reconcile summary',
      pool: POOL,
      trigger: 'custom-resource:Create:is-complete',
      applied: 1,
      failed: 0,
      unboundEnis: 0,
      converged: true,
      function_request_id: 'req-1',
      completion: 'complete',
    });
    expect(typeof summaries().at(-1)?.durationMs).toBe('number');
    expect(metrics().at(-1)).toMatchObject({ Pool: POOL, ActionsApplied: 1, UnboundEnis: 0, FreePoolIps: 0 });
  });

  it('fails a Create with a readable PoolExhausted reason, and the Delete that follows unbinds what it bound', async () => {
    const pool = await allocate();
    await sim.createFunction({ name: 'api', subnetIds: vpc.publicSubnetIds, securityGroupIds: [group()] });
    const handler = controller();

    const create = request('Create', { Pool: POOL, Functions: ['api'], Allocate: 'false' });
    const answer = (await handler(create, context)) as OnEventResponse;
    const failure = handler(isCompleteRequest(create, answer), context);
    await expect(failure).rejects.toThrow(
      /pool "shop" cannot bind every ENI of its functions: PoolExhausted: ENI eni-/,
    );
    await expect(failure).rejects.toThrow(/pass --allocate/);
    expect(lines.at(-1)).toMatchObject({
      level: 'ERROR',
      message: 'run failed',
      error: { code: 'PoolExhausted' },
    });
    expect([...(await ipsByEni()).values()].filter(Boolean)).toEqual([pool.ip]);

    // CloudFormation rolls back: Delete with the physical id onEvent returned.
    const remove = request(
      'Delete',
      { Pool: POOL, Functions: ['api'], Allocate: 'false' },
      { PhysicalResourceId: answer.PhysicalResourceId },
    );
    const deleted = (await handler(remove, context)) as OnEventResponse;
    expect(deleted.PhysicalResourceId).toBe('lambda-static-ip:shop');
    expect(await handler(isCompleteRequest(remove, deleted), context)).toEqual({ IsComplete: true });
    expect([...(await ipsByEni()).values()].filter(Boolean)).toEqual([]);
    expect((await addresses()).map((a) => a.AllocationId)).toEqual([pool.id]); // never released
    expect(lines.find((line) => line.message === 'unbind summary')).toMatchObject({
      pool: POOL,
      disassociated: 1,
    });
  });

  /** A pool function `api` (tagged) in subnet 0 with group 0, serving, and a scheduled run that bound it. */
  async function boundPoolFunction() {
    await sim.createFunction({
      name: 'api',
      subnetIds: [subnet()],
      securityGroupIds: [group(0)],
      tags: { [POOL_TAG_KEY]: POOL },
    });
    await sim.advance(SWITCH);
    const handler = controller();
    await handler(scheduled, context);
    return handler;
  }

  it('the keepers wait binds the ENI of a named keeper before the function moves onto it: same ENI, no downtime', async () => {
    const [first, second] = [await allocate(), await allocate()];
    const handler = await boundPoolFunction();
    const [apiIp] = [...(await ipsByEni()).values()].filter(Boolean);
    const free = [first.ip, second.ip].find((ip) => ip !== apiIp);
    expect(free).toBeDefined();
    // The deployment: the new combination's keeper first. Untagged here, as if the tagging API did not
    // list it yet: the wait names it.
    await sim.createFunction({ name: 'keeper-g1', subnetIds: [subnet()], securityGroupIds: [group(1)] });
    const [keeperEni] = sim.enisOf(subnet(), [group(1)]).map((eni) => eni.id);
    const create = request('Create', { Pool: POOL, Keepers: ['keeper-g1'], Spares: '0' });
    const answer = (await handler(create, context)) as OnEventResponse;
    expect(answer.PhysicalResourceId).toBe('lambda-static-ip:shop:keepers');
    const done = (await handler(isCompleteRequest(create, answer), context)) as IsCompleteResponse;
    expect(done.IsComplete).toBe(true);
    expect((await ipsByEni()).get(keeperEni as string)).toBe(free);

    // Then the function: it joins the keeper's ENI, already bound.
    const moved = sim.clock.now();
    await sim.updateVpcConfig('api', { subnetIds: [subnet()], securityGroupIds: [group(1)] });
    await sim.advance(SWITCH);
    expect(sim.describe('api').servingEniIds).toEqual([keeperEni]);
    expect(sim.timeline.downtimeMs('api', sim.clock.now()) - sim.timeline.downtimeMs('api', moved)).toBe(0);
  });

  it('the keepers wait fails with PoolExhausted, naming how many IPs the change needs, before any function is touched', async () => {
    const only = await allocate();
    const handler = await boundPoolFunction();
    await sim.createFunction({ name: 'keeper-a', subnetIds: [subnet(0)], securityGroupIds: [group(1)] });
    await sim.createFunction({ name: 'keeper-b', subnetIds: [subnet(1)], securityGroupIds: [group(1)] });
    const create = request('Create', { Pool: POOL, Keepers: ['keeper-a', 'keeper-b'] });
    const answer = (await handler(create, context)) as OnEventResponse;
    const failure = handler(isCompleteRequest(create, answer), context);
    await expect(failure).rejects.toThrow(
      /^this change needs 2 more IP\(s\) in pool "shop" than it has free/,
    );
    await expect(failure).rejects.toThrow(/Nothing was changed on your functions/);
    expect(lines.at(-1)).toMatchObject({ message: 'run failed', error: { code: 'PoolExhausted' } });

    // The rollback's Delete of the wait undoes nothing: the function keeps its ENI and its IP.
    const remove = request(
      'Delete',
      { Pool: POOL, Keepers: ['keeper-a', 'keeper-b'] },
      { PhysicalResourceId: answer.PhysicalResourceId },
    );
    await handler(remove, context);
    expect(lines.at(-1)).toMatchObject({ message: 'nothing to undo' });
    const [apiEni] = sim.describe('api').servingEniIds;
    expect((await ipsByEni()).get(apiEni as string)).toBe(only.ip);
  });

  it('a Create that failed before reporting a physical id is followed by a Delete that succeeds and does nothing', async () => {
    const pool = await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group()] });
    const handler = controller({ LSI_FUNCTIONS: 'api' });
    await handler(scheduled, context); // api's ENI holds a pool IP now: the Deletes below must leave it
    const bad = { Pool: POOL, Functions: ['api'], MaxIps: 'lots' };
    await expect(handler(request('Create', bad), context)).rejects.toThrow(
      'custom resource property MaxIps is "lots": expected a whole number from 1 to 1000',
    );

    // The Provider framework's marker, or CloudFormation's RequestId when no framework is in between.
    for (const id of ['AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', 'request-Create']) {
      const remove = request('Delete', bad, { PhysicalResourceId: id });
      const answer = (await handler(remove, context)) as OnEventResponse;
      expect(answer.PhysicalResourceId).toBe(id);
      expect(await handler(isCompleteRequest(remove, answer), context)).toEqual({ IsComplete: true });
    }
    expect(lines.filter((line) => line.message === 'nothing to undo')).toHaveLength(2);
    expect([...(await ipsByEni()).values()]).toEqual([pool.ip]);
  });

  it("Delete unbinds only the pool's IPs from its functions' ENIs, even with unreadable properties, and releases nothing", async () => {
    const [pool1, pool2, spare] = [await allocate(), await allocate(), await allocate()];
    const foreign = await allocate({});
    const otherPool = await allocate({ [POOL_TAG_KEY]: 'elsewhere' });
    await sim.createFunction({ name: 'api', subnetIds: vpc.publicSubnetIds, securityGroupIds: [group(0)] });
    await sim.createFunction({ name: 'reports', subnetIds: [subnet(0)], securityGroupIds: [group(1)] });
    await sim.createFunction({ name: 'batch', subnetIds: [subnet(1)], securityGroupIds: [group(2)] });
    const [reportsEni] = sim.enisOf(subnet(0), [group(1)]);
    const [batchEni] = sim.enisOf(subnet(1), [group(2)]);
    for (const [address, eni] of [
      [foreign, reportsEni],
      [otherPool, batchEni],
    ] as const) {
      await clients.ec2.send(
        new AssociateAddressCommand({
          AllocationId: address.id,
          NetworkInterfaceId: eni?.id,
          AllowReassociation: false,
        }),
      );
    }
    const handler = controller({ LSI_FUNCTIONS: '["api"]' });
    await handler(scheduled, context);
    const poolIps = new Set([pool1.ip, pool2.ip, spare.ip]);
    // api's two ENIs hold two different pool IPs.
    const held = await ipsByEni();
    const apiIps = [subnet(0), subnet(1)].map((id) => held.get(sim.enisOf(id, [group(0)])[0]?.id as string));
    expect(new Set(apiIps).size).toBe(2);
    expect(apiIps.every((ip) => ip !== undefined && poolIps.has(ip))).toBe(true);

    // Properties too broken to read: the environment still names api.
    const remove = request(
      'Delete',
      { Functions: 'not a list' },
      { PhysicalResourceId: 'lambda-static-ip:shop' },
    );
    await handler(remove, context);
    const after = await ipsByEni();
    expect(after.get(reportsEni?.id as string)).toBe(foreign.ip);
    expect(after.get(batchEni?.id as string)).toBe(otherPool.ip);
    expect([...after.values()].filter((ip) => ip && poolIps.has(ip))).toEqual([]);
    expect((await addresses()).map((a) => a.AllocationId).sort()).toEqual(
      [pool1.id, pool2.id, spare.id, foreign.id, otherPool.id].sort(),
    );
    expect(lines.find((line) => line.message === 'ignoring unreadable input while deleting')).toMatchObject({
      level: 'WARN',
    });
    expect(lines.find((line) => line.message === 'unbind summary')).toMatchObject({
      disassociated: 2,
      alreadyGone: 0,
    });
  });

  it('fails with SubnetNotPublic when a pool function sits in a private subnet', async () => {
    await allocate();
    await sim.createFunction({
      name: 'internal',
      subnetIds: vpc.privateSubnetIds,
      securityGroupIds: [group()],
    });
    const handler = controller();
    const create = request('Create', { Functions: ['internal'], Allocate: 'true' });
    const answer = (await handler(create, context)) as OnEventResponse;
    await expect(handler(isCompleteRequest(create, answer), context)).rejects.toThrow(
      /SubnetNotPublic: subnet subnet-\w+ has no route 0.0.0.0\/0 to an internet gateway/,
    );
  });

  it('Update reconciles with the new properties, keeps the physical id, and reports the grown allow-list', async () => {
    const first = await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group()] });
    const handler = controller();
    const create = request('Create', { Functions: ['api'] });
    const created = (await handler(create, context)) as OnEventResponse;
    expect(await handler(isCompleteRequest(create, created), context)).toMatchObject({
      IsComplete: true,
      Data: { PoolSize: '1' },
    });

    const update = request(
      'Update',
      { Functions: ['api'], Allocate: 'true', Spares: '1' },
      { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: { Functions: ['api'] } },
    );
    const updated = (await handler(update, context)) as OnEventResponse;
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    const done = (await handler(isCompleteRequest(update, updated), context)) as IsCompleteResponse;
    expect(done.Data).toMatchObject({ PoolSize: '2', BoundEnis: '1' });
    expect(done.Data?.AllowList?.split(',')).toContain(first.ip);
    expect(summaries().at(-2)).toMatchObject({ trigger: 'custom-resource:Update', applied: 1 });
  });

  it('times out with the reason it waited for, before the Provider would', async () => {
    await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group()] });
    await sim.advance(SWITCH);
    await sim.idleReclaim('api');
    const handler = controller();
    const create = request('Create', { Functions: ['api'], WaitSeconds: '60' });
    const answer = (await handler(create, context)) as OnEventResponse;
    await sim.advance(61_000);
    await expect(handler(isCompleteRequest(create, answer), context)).rejects.toThrow(
      /gave up after 61 s waiting for every ENI of pool "shop" to hold a pool IP: no ENI yet in subnet-/,
    );
  });
});

describe('EventBridge events', () => {
  function created(): CloudTrailEvent[] {
    return events.filter((event) => event.detail.eventName === 'CreateNetworkInterface');
  }

  it('a schedule reconciles the whole pool and reports it in one summary line and one metrics line', async () => {
    await allocate();
    await allocate();
    await sim.createFunction({
      name: 'api',
      subnetIds: vpc.publicSubnetIds,
      securityGroupIds: [group()],
      tags: { [POOL_TAG_KEY]: POOL },
    });
    const result = (await controller()(scheduled, context)) as EventRunResponse;
    expect(result).toMatchObject({ trigger: 'schedule', pool: POOL, applied: 2, converged: true });
    expect([...(await ipsByEni()).values()].every(Boolean)).toBe(true);
    expect(lines.filter((line) => line.level !== 'DEBUG')).toHaveLength(2);
    expect(summaries()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        pool: POOL,
        trigger: 'schedule',
        applied: 2,
        failed: 0,
        unboundEnis: 0,
        freePoolIps: 0,
        converged: true,
        function_request_id: 'req-1',
      }),
    ]);
    expect(metrics()).toEqual([
      expect.objectContaining({
        Pool: POOL,
        UnboundEnis: 0,
        FreePoolIps: 0,
        PoolIps: 2,
        BoundPoolIps: 2,
        ActionsApplied: 2,
        trigger: 'schedule',
        requestId: 'req-1',
      }),
    ]);
    // The document Powertools Metrics wrote: the alarms' namespace and dimensions (no `service`).
    expect(metrics()[0]?._aws).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: 'LambdaStaticIp',
          Dimensions: [['Pool']],
          Metrics: [
            { Name: 'UnboundEnis', Unit: 'Count' },
            { Name: 'FreePoolIps', Unit: 'Count' },
            { Name: 'PoolIps', Unit: 'Count' },
            { Name: 'BoundPoolIps', Unit: 'Count' },
            { Name: 'ActionsApplied', Unit: 'Count' },
            { Name: 'ReconcileDurationMs', Unit: 'Milliseconds' },
          ],
        },
      ],
    });
    // No event named an ENI: nothing to time.
    expect(metrics()[0]).not.toHaveProperty('TimeToBindMs');
  });

  it('binds the ENI a CreateNetworkInterface event names with DescribeAddresses + AssociateAddress, then converges from the view', async () => {
    const first = await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group()] });
    const handler = controller({ LSI_FUNCTIONS: 'api' });
    await handler(scheduled, context); // binds api's ENI, and makes the container's view of the pool
    expect([...(await ipsByEni()).values()]).toEqual([first.ip]);
    // Spares that already served this subnet: binding them needs no tag update.
    const spares = [
      await allocate({ [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: subnet() }),
      await allocate({ [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: subnet() }),
    ];

    // The 65,000-connection case, twice: a second and a third ENI, no IP. The third event comes in the
    // shape AWS's published records take, without interfaceType: Lambda's description is the mark.
    for (const shape of ['interfaceType', 'description only'] as const) {
      events.length = 0;
      const [newEni] = await sim.scaleOut('api');
      const [created_] = created();
      const event =
        shape === 'interfaceType'
          ? created_
          : cloudTrailEvent.withoutInterfaceType(created_ as CloudTrailEvent);
      expect(event?.detail.responseElements).toMatchObject({
        networkInterface: { networkInterfaceId: newEni },
      });

      calls.length = 0;
      await sim.advance(45_000); // the event arrives 45 s after Lambda created the ENI
      const result = (await handler(event, context)) as EventRunResponse;
      expect(result.fastPath).toMatchObject({ kind: 'bound' });
      // CloudTrail's eventTime has whole seconds: the ENI was created within the second before it.
      expect(metrics().at(-1)?.TimeToBindMs).toBeGreaterThanOrEqual(45_000);
      expect(metrics().at(-1)?.TimeToBindMs).toBeLessThan(46_000);
      expect(callsBeforeReconcile).toEqual(['DescribeAddresses', 'AssociateAddress']);
      // The reconcile after it reads only what changes: no ListFunctions, however many functions.
      expect(calls.slice(2).sort()).toEqual(['DescribeAddresses', 'DescribeNetworkInterfaces']);
      expect(result).toMatchObject({ applied: 1, converged: true, observed: 'view' });
      expect(summaries().at(-1)).toMatchObject({
        trigger: 'cloudtrail:CreateNetworkInterface',
        fastPath: 'bound',
        observed: 'view',
        networkInterfaceId: newEni,
        applied: 1,
        unboundEnis: 0,
      });
      expect(
        lines.find((line) => line.message === 'fast path: bound' && line.networkInterfaceId === newEni),
      ).toMatchObject({
        lambdaBy: shape === 'interfaceType' ? 'interface-type' : 'description',
      });
    }
    const bound = await ipsByEni();
    expect(new Set(bound.values())).toEqual(new Set([first.ip, ...spares.map((spare) => spare.ip)]));
  });

  it('between full refreshes, a scheduled run reads only addresses and ENIs; the refresh interval brings a full one', async () => {
    await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group()] });
    const handler = controller({ LSI_FUNCTIONS: 'api', LSI_FULL_REFRESH_SECONDS: '600' });
    expect(await handler(scheduled, context)).toMatchObject({ observed: 'full', applied: 1 });
    for (const minute of [1, 9]) {
      await sim.advance(minute === 1 ? 60_000 : 480_000);
      calls.length = 0;
      expect(await handler(scheduled, context)).toMatchObject({ observed: 'view', converged: true });
      expect(calls.sort()).toEqual(['DescribeAddresses', 'DescribeNetworkInterfaces']);
    }
    await sim.advance(60_000); // 600 s since the full observation
    calls.length = 0;
    expect(await handler(scheduled, context)).toMatchObject({ observed: 'full', converged: true });
    expect(calls).toContain('ListFunctions');
    expect(summaries().at(-1)).toMatchObject({ observed: 'full', level: 'INFO' });
  });

  it('a function event updates the view with one GetFunctionConfiguration, and the new ENI binds from the view', async () => {
    await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group(0)] });
    const handler = controller({ LSI_FUNCTIONS: 'api', LSI_SPARES: '1' });
    await handler(scheduled, context);
    const spare = await allocate();

    // Lambda creates the new combination's ENI as it takes the update, before either event arrives.
    events.length = 0;
    await sim.updateVpcConfig('api', { subnetIds: [subnet()], securityGroupIds: [group(1)] });
    const update = events.find((event) => event.source === 'aws.lambda');
    calls.length = 0;
    const changed = (await handler(update, context)) as EventRunResponse;
    expect(calls[0]).toBe('GetFunctionConfiguration');
    expect(calls).not.toContain('ListFunctions');
    expect(calls).not.toContain('GetResources');
    expect(changed).toMatchObject({ observed: 'view', applied: 1, converged: true });
    const [newEni] = sim.enisOf(subnet(), [group(1)]);
    expect((await ipsByEni()).get(newEni?.id as string)).toBe(spare.ip);

    // The ENI's own event, later: nothing left to do, in three reads.
    calls.length = 0;
    const eniEvent = events.find((event) => event.detail.eventName === 'CreateNetworkInterface');
    const result = (await handler(eniEvent, context)) as EventRunResponse;
    expect(result.fastPath).toMatchObject({
      kind: 'deferred',
      reason: `ENI ${newEni?.id} already holds ${spare.ip}`,
    });
    expect(calls.sort()).toEqual(['DescribeAddresses', 'DescribeAddresses', 'DescribeNetworkInterfaces']);
    expect(result).toMatchObject({ observed: 'view', applied: 0, converged: true });
  });

  it('without a view of the pool (a cold container), observes in full before binding', async () => {
    await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group()] });
    const [event] = created();
    calls.length = 0;
    await sim.advance(30_000);
    const result = (await controller({ LSI_FUNCTIONS: 'api' })(event, context)) as EventRunResponse;
    expect(result.fastPath).toMatchObject({
      kind: 'deferred',
      reason: 'no view of the pool yet',
      observeInFull: true,
    });
    expect(callsBeforeReconcile).toEqual([]);
    expect(calls).toContain('ListFunctions');
    // The reconcile bound the event's ENI: timed from the event, as the fast path is.
    expect(metrics().at(-1)?.TimeToBindMs).toBeGreaterThanOrEqual(30_000);
    expect(metrics().at(-1)?.TimeToBindMs).toBeLessThan(31_000);
    expect(result).toMatchObject({ applied: 1, converged: true, observed: 'full' });
    expect([...(await ipsByEni()).values()].every(Boolean)).toBe(true);
  });

  it('observes in full when an ENI of a combination the view does not know appears, and ignores it with no call once it knows', async () => {
    await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group(0)] });
    const handler = controller({ LSI_FUNCTIONS: 'api' });
    await handler(scheduled, context);
    events.length = 0;
    await sim.createFunction({ name: 'other', subnetIds: [subnet()], securityGroupIds: [group(1)] });
    const [event] = created();

    // The CreateFunction event was lost: the view has never heard of this combination.
    const first = (await handler(event, context)) as EventRunResponse;
    expect(first.fastPath).toMatchObject({ kind: 'deferred', observeInFull: true });
    expect(first).toMatchObject({ observed: 'full', applied: 0, converged: true });

    // The same combination again (a scale-out of other): the refreshed view knows it is not the pool's.
    events.length = 0;
    await sim.scaleOut('other');
    calls.length = 0;
    lines.length = 0;
    const second = (await handler(created()[0], context)) as EventRunResponse;
    expect(second).toMatchObject({
      applied: 0,
      ignored: /no function of pool "shop" uses subnet subnet-\w+ with security groups sg-/,
    });
    expect(calls).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'fast path: ignored', function_request_id: 'req-1' }),
    ]);
    for (const otherEni of sim.enisOf(subnet(), [group(1)])) {
      expect((await ipsByEni()).get(otherEni.id)).toBeUndefined();
    }
  });

  it('never binds an address of LSI_RESERVED on the fast path, even the one that last served the subnet', async () => {
    await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group()] });
    // Held back for a NAT gateway of the same pool: free, and the fast path's first choice otherwise.
    const forGateway = await allocate({ [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: subnet() });
    const handler = controller({ LSI_FUNCTIONS: 'api', LSI_RESERVED: forGateway.id });
    await handler(scheduled, context);
    const spare = await allocate();

    events.length = 0;
    const [second] = await sim.scaleOut('api');
    const bound = (await handler(created()[0], context)) as EventRunResponse;
    expect(bound.fastPath).toMatchObject({ kind: 'bound', allocationId: spare.id });

    // Only the reserved address is free now: the fast path defers, the reconcile reports PoolExhausted.
    events.length = 0;
    const [third] = await sim.scaleOut('api');
    const exhausted = (await handler(created()[0], context)) as EventRunResponse;
    expect(exhausted.fastPath).toMatchObject({ kind: 'deferred', reason: 'pool "shop" has no free IP' });
    expect(exhausted.converged).toBe(true);
    expect(summaries().at(-1)).toMatchObject({ unboundEnis: 1, problems: ['PoolExhausted'] });
    expect(metrics().at(-1)).not.toHaveProperty('TimeToBindMs'); // still waiting: UnboundEnis says so
    const ips = await ipsByEni();
    expect(ips.get(second as string)).toBe(spare.ip);
    expect(ips.get(third as string)).toBeUndefined();
    expect([...ips.values()]).not.toContain(forGateway.ip);
  });

  it('retries AssociateAddress while the new ENI is not visible yet (eventual consistency)', async () => {
    await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group()] });
    const handler = controller({ LSI_FUNCTIONS: 'api' });
    await handler(scheduled, context);
    await allocate({ [POOL_TAG_KEY]: POOL, [LAST_SUBNET_TAG_KEY]: subnet() });
    events.length = 0;
    const [newEni] = await sim.scaleOut('api');
    calls.length = 0;
    let refusals = 1;
    clients.ec2.middlewareStack.add(
      (next, middlewareContext) => async (args) => {
        if (middlewareContext.commandName === 'AssociateAddressCommand' && refusals-- > 0) {
          throw Object.assign(new Error(`The networkInterface ID '${newEni}' does not exist`), {
            name: 'InvalidNetworkInterfaceID.NotFound',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'notVisibleYet' },
    );
    const result = (await handler(created()[0], context)) as EventRunResponse;
    expect(result.fastPath).toMatchObject({ kind: 'bound' });
    expect(callsBeforeReconcile).toEqual(['DescribeAddresses', 'AssociateAddress', 'AssociateAddress']);
    // The address the fast path reports is the one the new ENI holds.
    expect((await ipsByEni()).get(newEni as string)).toBe(
      (result.fastPath as { publicIp?: string } | undefined)?.publicIp,
    );
    expect((await ipsByEni()).get(newEni as string)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('rejects a bad environment or an unknown event with a message naming the bad value', async () => {
    await expect(controller({ LSI_MAX_IPS: 'lots' })(scheduled, context)).rejects.toThrow(
      'environment variable LSI_MAX_IPS is "lots": expected a whole number from 1 to 1000',
    );
    expect(lines.at(-1)).toMatchObject({
      level: 'ERROR',
      message: 'run failed',
      trigger: 'schedule',
      error: { name: 'InputError', code: 'InvalidEnvironment' },
    });
    await expect(
      controller()({ 'detail-type': 'Object Created', source: 'aws.s3' }, context),
    ).rejects.toThrow(/does not handle events of type "Object Created" from "aws.s3"/);
  });
});

describe('watching a VPC update', () => {
  /**
   * A pool of exactly one IP for one function (no spares): when its VPC configuration changes, the new
   * ENI can only get the IP once the old ENI retires, which is when LastUpdateStatus leaves InProgress.
   */
  async function updateWithOneIp(environment: Record<string, string>) {
    const pool = await allocate();
    await sim.createFunction({ name: 'api', subnetIds: [subnet()], securityGroupIds: [group(0)] });
    await sim.advance(SWITCH);
    const handler = controller({ LSI_FUNCTIONS: 'api', ...environment });
    await handler(scheduled, context);
    events.length = 0;
    await sim.updateVpcConfig('api', { subnetIds: [subnet()], securityGroupIds: [group(1)] });
    const updatedAt = sim.clock.now();
    const update = events.find((event) => event.source === 'aws.lambda');
    const eni = events.find((event) => event.detail.eventName === 'CreateNetworkInterface');
    // The update event comes second: the view does not know the new combination yet, so the controller
    // observes in full, which finds the IP still on the old ENI while the update is in flight.
    const fastPath = (await handler(eni, context)) as EventRunResponse;
    expect(fastPath.fastPath).toMatchObject({ kind: 'deferred', observeInFull: true });
    expect(fastPath).toMatchObject({ observed: 'full', converged: true });
    return { pool, handler, update, updatedAt };
  }

  it('polls the function until the update ends and binds the new ENI within one poll interval', async () => {
    const { pool, handler, update, updatedAt } = await updateWithOneIp({ LSI_UPDATE_POLL_SECONDS: '4' });
    const result = (await handler(update, context)) as EventRunResponse;
    expect(result.watch).toMatchObject({ settled: true, polls: 24, waitedMs: 92_000 });
    expect(result).toMatchObject({ applied: 1, converged: true });
    const [newEni] = sim.enisOf(subnet(), [group(1)]);
    expect((await ipsByEni()).get(newEni?.id as string)).toBe(pool.ip);
    await sim.advance(0);
    const outages = sim.timeline.outages('api', sim.clock.now());
    expect(outages.map((outage) => [outage.from - updatedAt, outage.to - updatedAt])).toEqual([
      [SWITCH, 92_000],
    ]);
    expect(summaries().at(-1)).toMatchObject({
      trigger: 'cloudtrail:UpdateFunctionConfiguration20150331v2',
      functionName: 'api',
      watch: { settled: true, polls: 24 },
      applied: 1,
    });
  });

  it('without the watch, the new ENI waits for the next scheduled run', async () => {
    const { handler, update, updatedAt } = await updateWithOneIp({ LSI_UPDATE_WATCH_SECONDS: '0' });
    const result = (await handler(update, context)) as EventRunResponse;
    expect(result.watch).toBeUndefined();
    for (let minute = 1; minute <= 2; minute++) {
      await sim.advance(60_000);
      await handler(scheduled, context);
    }
    await sim.advance(0);
    const outages = sim.timeline.outages('api', sim.clock.now());
    expect(outages.map((outage) => [outage.from - updatedAt, outage.to - updatedAt])).toEqual([
      [SWITCH, 120_000],
    ]);
  });
});
