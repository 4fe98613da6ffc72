/**
 * Every duration AWS does not publish, in one place: a default on the realistic side, the range a
 * guarantee must hold over, and where the numbers come from. The simulator, the controller harness, the
 * churn runs and the bench's sweeps all read them from here; `docs/testbed.md` carries the same table.
 */
export interface Timing {
  /** What the duration is, from which instant to which. */
  readonly what: string;
  readonly defaultMs: number;
  /** The range the sweeps draw from (and the guarantees must hold over). */
  readonly minMs: number;
  readonly maxMs: number;
  /** Why these numbers: an AWS document, a public report, or "no source: assumed". */
  readonly source: string;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

export const TIMINGS = {
  eventDelayMs: {
    what: 'an EC2 or Lambda API call until its "AWS API Call via CloudTrail" event reaches the controller',
    defaultMs: 5 * MINUTE,
    minMs: 5 * SECOND,
    maxMs: 15 * MINUTE,
    source:
      'no published latency: AWS services deliver events to EventBridge "best effort" ' +
      '(docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-delivery-level.html); the nearest ' +
      'published figure, CloudTrail log delivery, is "an average of about 5 minutes" and not guaranteed ' +
      '(docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html). Events may also ' +
      'be lost: a configuration dimension of the sweeps',
  },
  eniSwitchMs: {
    what: 'Lambda creating a Hyperplane ENI until traffic uses it (new function, VPC change, scale-out, restore)',
    defaultMs: 90 * SECOND,
    minMs: 5 * SECOND,
    maxMs: 180 * SECOND,
    source:
      'no published number: the Lambda guide says a VPC update "can take several minutes" and a new VPC function ' +
      'stays Pending until its ENI is ready (docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html); ' +
      'users report up to about 90 s to leave Pending. The range is assumed',
  },
  eniDeletionDelayMs: {
    what: 'an ENI losing its last user (function, version) until Lambda deletes it',
    defaultMs: 20 * MINUTE,
    minMs: 0,
    maxMs: 40 * MINUTE,
    source:
      'AWS documents up to 20 minutes; the Lambda team told the Terraform AWS provider to expect longer, which ' +
      'waits at least 45 minutes (hashicorp/terraform-provider-aws commit 922037e, Pulumi aws.lambda.Function ' +
      'docs); about 35 min P99 reported',
  },
  idleReclaimMs: {
    what: "the last invocation until Lambda reclaims an idle function's ENIs (Inactive, Idle)",
    defaultMs: 14 * DAY,
    minMs: 7 * DAY,
    maxMs: 42 * DAY,
    source:
      'AWS documents "consecutive weeks" without invocations (Lambda guide, function states); about 14 days ' +
      'is reported by users. Not simulated as a delay: tests call idleReclaim() at the instant they choose',
  },
  natGatewayCreationMs: {
    what: 'CreateNatGateway until the gateway is available and carries traffic',
    defaultMs: 3 * MINUTE,
    minMs: 1 * MINUTE,
    maxMs: 10 * MINUTE,
    source:
      'no published number: a gateway is "pending" until "able to process traffic" (EC2 API reference, NatGateway); ' +
      "the EC2 waiter and Terraform's aws_nat_gateway allow 10 minutes. The default is assumed",
  },
} as const satisfies Record<string, Timing>;

export type TimingName = keyof typeof TIMINGS;

/** The default of every timing, by name. */
export const DEFAULT_TIMINGS: Readonly<Record<TimingName, number>> = Object.fromEntries(
  Object.entries(TIMINGS).map(([name, timing]) => [name, timing.defaultMs]),
) as Record<TimingName, number>;
