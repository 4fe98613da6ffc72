import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { FIELD_TEST_TAG_KEY, fieldTestNames, taggedForRun } from '../../core/field-test/run-id.js';
import { logsManagementWrites } from '../../core/field-test/trail-selectors.js';
import { ENI_CREATED_PATTERN } from '../../handlers/event-patterns.js';
import { type AwsClientOptions, clientConfig } from '../clients.js';
import { awsErrorCode } from '../errors.js';
import { fieldTestRuleNames } from './tagged-rules.js';

/** The clients the field test's event measurement uses. */
export interface FieldTestEventClients {
  readonly cloudtrail: CloudTrailClient;
  readonly eventbridge: EventBridgeClient;
  readonly sqs: SQSClient;
}

/** The clients, with the same settings as the others (only the field test, loaded lazily, uses them). */
export function createFieldTestEventClients(options: AwsClientOptions): FieldTestEventClients {
  const config = clientConfig(options);
  return {
    cloudtrail: new CloudTrailClient(config),
    eventbridge: new EventBridgeClient(config),
    sqs: new SQSClient(config),
  };
}

/**
 * A trail that logs this Region's EC2 management write calls, which EventBridge then receives: DescribeTrails
 * with shadow trails (the Region's own trails and the multi-Region and organization trails that apply
 * here), each checked with GetTrailStatus (`IsLogging`) and GetEventSelectors, by ARN as both require for a
 * shadow trail (CloudTrail API reference). Undefined, with why, when none does.
 */
export async function findManagementTrail(
  cloudtrail: CloudTrailClient,
  region: string,
): Promise<{ readonly trailArn: string } | { readonly reason: string }> {
  const none = `no trail logging management events in ${region}`;
  const trails =
    (await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  const skipped: string[] = [];
  for (const trail of trails) {
    const arn = trail.TrailARN ?? trail.Name;
    if (!arn) continue;
    if (trail.IsMultiRegionTrail === false && trail.HomeRegion && trail.HomeRegion !== region) continue;
    try {
      const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: arn }));
      if (!status.IsLogging) continue;
      const selectors = await cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn }));
      if (logsManagementWrites(selectors.EventSelectors, selectors.AdvancedEventSelectors)) {
        return { trailArn: arn };
      }
    } catch (error) {
      // An organization trail seen from a member account may refuse these calls: it is not ours to read.
      skipped.push(`${arn} (${awsErrorCode(error) ?? 'Error'})`);
    }
  }
  return { reason: skipped.length > 0 ? `${none} (could not read ${skipped.join(', ')})` : none };
}

/** A CloudTrail `CreateNetworkInterface` event as the queue delivered it. */
export interface ReceivedEniEvent {
  readonly networkInterfaceId?: string;
  readonly vpcId?: string;
  /** CloudTrail's `eventTime` (whole seconds), epoch ms. */
  readonly eventTime?: number;
}

/**
 * The run's EventBridge rule (the controller's `ENI_CREATED_PATTERN`, so the delivery measured is the one
 * the controller gets) and the SQS queue it targets, both tagged with the run id. The queue's policy lets
 * only this rule send (`aws:SourceArn`), as the EventBridge guide's SQS-target permissions describe.
 */
export class FieldTestEventQueue {
  private constructor(
    private readonly sqs: SQSClient,
    readonly queueUrl: string,
    readonly ruleArn: string,
  ) {}

  static async create(clients: FieldTestEventClients, runId: string): Promise<FieldTestEventQueue> {
    const { sqs, eventbridge } = clients;
    const name = fieldTestNames.eventQueue(runId);
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { MessageRetentionPeriod: '7200' },
        tags: { [FIELD_TEST_TAG_KEY]: runId },
      }),
    );
    const queueUrl = created.QueueUrl as string;
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
    const rule = fieldTestNames.eventRule(runId);
    const { RuleArn } = await eventbridge.send(
      new PutRuleCommand({
        Name: rule,
        EventPattern: JSON.stringify(ENI_CREATED_PATTERN),
        State: 'ENABLED',
        Description: `lambda-static-ip field test ${runId}: CloudTrail CreateNetworkInterface delivery`,
        Tags: [{ Key: FIELD_TEST_TAG_KEY, Value: runId }],
      }),
    );
    const ruleArn = RuleArn as string;
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'FieldTestRule',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queueArn,
          Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
        },
      ],
    };
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }),
    );
    await eventbridge.send(
      new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'field-test-queue', Arn: queueArn }] }),
    );
    return new FieldTestEventQueue(sqs, queueUrl, ruleArn);
  }

  /** Every event waiting in the queue, removed from it (short polls until one comes back empty). */
  async receive(): Promise<ReceivedEniEvent[]> {
    const events: ReceivedEniEvent[] = [];
    for (;;) {
      const { Messages } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!Messages || Messages.length === 0) return events;
      for (const message of Messages) events.push(parseEniEvent(message.Body));
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle as string,
          })),
        }),
      );
    }
  }
}

function parseEniEvent(body: string | undefined): ReceivedEniEvent {
  try {
    const event = JSON.parse(body ?? '{}') as {
      detail?: {
        eventTime?: string;
        responseElements?: { networkInterface?: { networkInterfaceId?: string; vpcId?: string } } | null;
      };
    };
    const eni = event.detail?.responseElements?.networkInterface;
    const eventTime = Date.parse(event.detail?.eventTime ?? '');
    return {
      ...(eni?.networkInterfaceId ? { networkInterfaceId: eni.networkInterfaceId } : {}),
      ...(eni?.vpcId ? { vpcId: eni.vpcId } : {}),
      ...(Number.isFinite(eventTime) ? { eventTime } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * Deletes the event rules (targets first) and queues field-test runs created: found by name prefix, and
 * deleted only when they carry the field-test tag (of this run, with `runId`).
 */
export async function deleteFieldTestEventWatch(
  clients: Pick<FieldTestEventClients, 'eventbridge' | 'sqs'>,
  runId: string | undefined,
  attempt: (what: string, action: () => Promise<unknown>) => Promise<boolean>,
): Promise<void> {
  const { eventbridge, sqs } = clients;
  const prefix = runId === undefined ? fieldTestNames.prefix : fieldTestNames.eventRule(runId);
  for (const name of await fieldTestRuleNames(eventbridge, prefix, runId)) {
    await attempt(`event rule ${name}`, async () => {
      const targets = (await eventbridge.send(new ListTargetsByRuleCommand({ Rule: name }))).Targets ?? [];
      if (targets.length > 0) {
        await eventbridge.send(
          new RemoveTargetsCommand({ Rule: name, Ids: targets.map((target) => target.Id as string) }),
        );
      }
      await eventbridge.send(new DeleteRuleCommand({ Name: name }));
    });
  }
  const queues =
    (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000 }))).QueueUrls ?? [];
  for (const url of queues) {
    const tags = (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
    if (!taggedForRun(tags, runId)) continue;
    await attempt(`queue ${url.split('/').at(-1)}`, () =>
      sqs.send(new DeleteQueueCommand({ QueueUrl: url })),
    );
  }
}
