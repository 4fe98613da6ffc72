import * as z from 'zod/mini';
import { InputError } from '../core/errors.js';
import { LAMBDA_ENI_DESCRIPTION_PREFIX } from './event-patterns.js';
import { parseInput } from './parse-input.js';

/**
 * What invoked the controller, told apart by shape: the Provider framework's onEvent and isComplete
 * (CloudFormation requests), EventBridge schedules, and "AWS API Call via CloudTrail" events.
 */

/**
 * The custom field the controller's onEvent returns. The Provider framework merges onEvent's answer
 * into the request it passes to isComplete, so its presence is how isComplete is told from onEvent
 * (the same function serves both).
 */
export const WAIT_FIELD = 'LambdaStaticIpWait';

const waitSchema = z.object({ deadline: z.number() });
export type WaitState = z.output<typeof waitSchema>;

const customResourceSchema = z.looseObject({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  RequestId: z.optional(z.string()),
  StackId: z.optional(z.string()),
  LogicalResourceId: z.optional(z.string()),
  ResourceType: z.optional(z.string()),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: z.optional(z.record(z.string(), z.unknown())),
  OldResourceProperties: z.optional(z.record(z.string(), z.unknown())),
  [WAIT_FIELD]: z.optional(waitSchema),
});
export type CustomResourceRequest = z.output<typeof customResourceSchema>;

const cloudTrailSchema = z.looseObject({
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  source: z.string(),
  detail: z.looseObject({
    eventName: z.string(),
    eventTime: z.optional(z.string()),
    errorCode: z.optional(z.string()),
    requestParameters: z.nullish(z.record(z.string(), z.unknown())),
    responseElements: z.nullish(z.record(z.string(), z.unknown())),
  }),
});

// CloudTrail renders EC2 responses in EC2's XML style: lowerCamelCase, lists as { items: [...] }.
const networkInterfaceSchema = z.looseObject({
  networkInterfaceId: z.string().check(z.regex(/^eni-[0-9a-f]+$/, 'expected an ENI id (eni-…)')),
  subnetId: z.string().check(z.minLength(1)),
  vpcId: z.optional(z.string()),
  interfaceType: z.optional(z.string()),
  description: z.optional(z.string()),
  groupSet: z.optional(z.looseObject({ items: z.optional(z.array(z.looseObject({ groupId: z.string() }))) })),
});

const functionChangeSchema = z.looseObject({
  functionName: z.string().check(z.minLength(1)),
});

/** The ENI an event names. */
export interface EniFromEvent {
  readonly id: string;
  readonly subnetId: string;
  readonly vpcId?: string;
  readonly securityGroupIds: readonly string[];
  /** How the event shows it is Lambda's: the response's `interfaceType`, or the description Lambda gives. */
  readonly lambdaBy: 'interface-type' | 'description';
  /** When CloudTrail recorded the CreateNetworkInterface call (epoch ms), if the event says. */
  readonly createdAt?: number;
}

export type ControllerEvent =
  | { readonly kind: 'custom-resource'; readonly phase: 'event'; readonly request: CustomResourceRequest }
  | {
      readonly kind: 'custom-resource';
      readonly phase: 'is-complete';
      readonly request: CustomResourceRequest;
      readonly wait: WaitState;
    }
  | { readonly kind: 'schedule' }
  | { readonly kind: 'eni-created'; readonly eventName: string; readonly eni: EniFromEvent }
  | { readonly kind: 'function-changed'; readonly eventName: string; readonly functionName: string }
  | { readonly kind: 'ignored'; readonly eventName: string; readonly reason: string };

const LAMBDA_CHANGE = /^(CreateFunction|UpdateFunctionConfiguration)(\d|$)/;

/** Tells what invoked the controller; anything it was not built for is an InputError naming it. */
export function classifyEvent(event: unknown): ControllerEvent {
  if (!isRecord(event)) {
    throw new InputError(
      'UnknownEvent',
      `the controller was invoked with ${JSON.stringify(event)}, not an event`,
    );
  }
  if ('RequestType' in event) {
    const request = parseInput(customResourceSchema, event, 'event field', 'InvalidEvent');
    const wait = request[WAIT_FIELD];
    return wait
      ? { kind: 'custom-resource', phase: 'is-complete', request, wait }
      : { kind: 'custom-resource', phase: 'event', request };
  }
  const detailType = event['detail-type'];
  if (detailType === 'Scheduled Event') return { kind: 'schedule' };
  if (detailType === 'AWS API Call via CloudTrail') {
    const { source, detail } = parseInput(cloudTrailSchema, event, 'event field', 'InvalidEvent');
    const eventName = detail.eventName;
    if (detail.errorCode) {
      return { kind: 'ignored', eventName, reason: `the call failed (${detail.errorCode}): nothing changed` };
    }
    if (source === 'aws.ec2' && eventName === 'CreateNetworkInterface') {
      const eni = parseInput(
        networkInterfaceSchema,
        detail.responseElements?.networkInterface,
        'event field',
        'InvalidEvent',
      );
      const lambdaBy = lambdaMark(
        eni.interfaceType,
        eni.description ?? detail.requestParameters?.description,
      );
      if (!lambdaBy) {
        return {
          kind: 'ignored',
          eventName,
          reason: `ENI ${eni.networkInterfaceId} is not a Lambda ENI (${eni.interfaceType ? `type ${eni.interfaceType}` : 'no interfaceType, and a description not starting with "AWS Lambda VPC ENI"'})`,
        };
      }
      const createdAt = detail.eventTime === undefined ? Number.NaN : Date.parse(detail.eventTime);
      return {
        kind: 'eni-created',
        eventName,
        eni: {
          id: eni.networkInterfaceId,
          subnetId: eni.subnetId,
          ...(eni.vpcId ? { vpcId: eni.vpcId } : {}),
          securityGroupIds: (eni.groupSet?.items ?? []).map((group) => group.groupId),
          lambdaBy,
          ...(Number.isFinite(createdAt) ? { createdAt } : {}),
        },
      };
    }
    if (source === 'aws.lambda' && LAMBDA_CHANGE.test(eventName)) {
      const named = detail.requestParameters ?? detail.responseElements ?? {};
      const { functionName } = parseInput(functionChangeSchema, named, 'event field', 'InvalidEvent');
      return { kind: 'function-changed', eventName, functionName };
    }
    return { kind: 'ignored', eventName, reason: `${source} ${eventName} does not concern the pool` };
  }
  throw new InputError(
    'UnknownEvent',
    `the controller does not handle events of type ${JSON.stringify(detailType ?? null)} from ${JSON.stringify(event.source ?? null)}; it takes CloudFormation custom-resource requests, "Scheduled Event" and "AWS API Call via CloudTrail"`,
  );
}

/**
 * Whether a created ENI is Lambda's, by either mark the ENI rule matches: `interfaceType: lambda` in the
 * response (no AWS example shows it for Lambda), or Lambda's description in the response or the request.
 * A type other than `lambda` decides against it whatever the description says. Binding a pool IP to
 * an ENI that is not Lambda's would hand the pool's address to whoever made it.
 */
function lambdaMark(
  interfaceType: string | undefined,
  description: unknown,
): EniFromEvent['lambdaBy'] | undefined {
  if (interfaceType !== undefined) return interfaceType === 'lambda' ? 'interface-type' : undefined;
  return typeof description === 'string' && description.startsWith(LAMBDA_ENI_DESCRIPTION_PREFIX)
    ? 'description'
    : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
