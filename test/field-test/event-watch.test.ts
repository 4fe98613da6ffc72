import {
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { ListRulesCommand, PutEventsCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '../../src/aws/clients.js';
import { cleanupFieldTest } from '../../src/aws/field-test/cleanup.js';
import {
  createFieldTestEventClients,
  type FieldTestEventClients,
  FieldTestEventQueue,
  findManagementTrail,
} from '../../src/aws/field-test/event-watch.js';
import { type CloudTrailEvent, cloudTrailEvent } from '../../testbed/cloudtrail-events.js';
import { type LocalAws, startLocalAws } from '../../testbed/index.js';

let aws: LocalAws;
let clients: FieldTestEventClients;
beforeAll(async () => {
  aws = await startLocalAws();
  clients = createFieldTestEventClients(aws.clientOptions());
});
afterAll(async () => {
  await aws?.stop();
});

const context = {
  accountId: '123456789012',
  region: 'us-east-1',
  time: Date.UTC(2026, 0, 1, 0, 0, 7),
  id: 'e1',
};
const eni = {
  networkInterfaceId: 'eni-0f00000000000001',
  subnetId: 'subnet-1',
  vpcId: 'vpc-1',
  availabilityZone: 'us-east-1a',
  description: 'AWS Lambda VPC ENI-lsi-ft-run1-0-api-1b2c',
  securityGroupIds: ['sg-1'],
  privateIpAddress: '10.219.0.10',
};
const put = (event: CloudTrailEvent) =>
  clients.eventbridge.send(
    new PutEventsCommand({
      Entries: [
        { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) },
      ],
    }),
  );

describe('field test: CloudTrail event delivery', () => {
  it('is measured only with a logging trail whose selectors keep management writes', async () => {
    await aws.reset();
    const region = aws.region;
    const none = `no trail logging management events in ${region}`;
    expect(await findManagementTrail(clients.cloudtrail, region)).toEqual({ reason: none });

    await new S3Client({ ...clientConfig(aws.clientOptions()), forcePathStyle: true }).send(
      new CreateBucketCommand({ Bucket: 'trail-logs' }),
    );
    const { TrailARN } = await clients.cloudtrail.send(
      new CreateTrailCommand({ Name: 'reads', S3BucketName: 'trail-logs' }),
    );
    // Not logging yet, then logging only read-only events: neither delivers CreateNetworkInterface.
    expect(await findManagementTrail(clients.cloudtrail, region)).toEqual({ reason: none });
    await clients.cloudtrail.send(new StartLoggingCommand({ Name: 'reads' }));
    await clients.cloudtrail.send(
      new PutEventSelectorsCommand({
        TrailName: 'reads',
        EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }],
      }),
    );
    expect(await findManagementTrail(clients.cloudtrail, region)).toEqual({ reason: none });
    await clients.cloudtrail.send(
      new PutEventSelectorsCommand({
        TrailName: 'reads',
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'readOnly', Equals: ['false'] },
            ],
          },
        ],
      }),
    );
    expect(await findManagementTrail(clients.cloudtrail, region)).toEqual({ trailArn: TrailARN });
  });

  it('receives the matching events through the run’s rule and queue, and the cleanup removes only what the run tagged', async () => {
    await aws.reset();
    const runId = 'run1';
    const queue = await FieldTestEventQueue.create(clients, runId);
    // Somebody else's rule under the same prefix, untagged: never ours to delete.
    await clients.eventbridge.send(
      new PutRuleCommand({ Name: 'lsi-ft-run1-eni-events-theirs', EventPattern: '{"source":["x"]}' }),
    );
    await put(cloudTrailEvent.createNetworkInterface(context, eni));
    // Not the controller's pattern: an ENI that is not Lambda's, and a DeleteNetworkInterface.
    await put(
      cloudTrailEvent.withoutInterfaceType(
        cloudTrailEvent.createNetworkInterface(
          { ...context, id: 'e2' },
          { ...eni, networkInterfaceId: 'eni-0f00000000000002', description: 'an instance' },
        ),
      ),
    );
    await put(cloudTrailEvent.deleteNetworkInterface({ ...context, id: 'e3' }, eni.networkInterfaceId));
    const received = [...(await queue.receive()), ...(await queue.receive())];
    expect(received).toEqual([
      { networkInterfaceId: eni.networkInterfaceId, vpcId: 'vpc-1', eventTime: context.time },
    ]);

    const local = aws.clients();
    const cleanup = await cleanupFieldTest(local, {
      runId,
      waitForEnisMs: 0,
      pollMs: 0,
      now: () => 0,
      sleep: async () => undefined,
      deleteFunction: async () => undefined,
      eventClients: clients,
    });
    expect(cleanup.left).toEqual([]);
    expect(cleanup.removed).toEqual(['event rule lsi-ft-run1-eni-events', 'queue lsi-ft-run1-eni-events']);
    const rules =
      (await clients.eventbridge.send(new ListRulesCommand({ NamePrefix: 'lsi-ft-' }))).Rules ?? [];
    expect(rules.map((rule) => rule.Name)).toEqual(['lsi-ft-run1-eni-events-theirs']);
    const queues = (await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'lsi-ft-' }))).QueueUrls;
    expect(queues ?? []).toEqual([]);
  });
});
