/**
 * The EventBridge rules the construct creates for the controller, as data, so the construct and the
 * tests share them. CloudTrail delivers these only where a trail records management events; they are
 * best-effort and may come minutes late, which is why the schedule stays as the backstop.
 */

/** A new Lambda Hyperplane ENI: `CreateNetworkInterface` whose response says `interfaceType: lambda`. */
export const ENI_CREATED_PATTERN = {
  source: ['aws.ec2'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['ec2.amazonaws.com'],
    eventName: ['CreateNetworkInterface'],
    responseElements: { networkInterface: { interfaceType: ['lambda'] } },
  },
} as const;

/**
 * A function created or its configuration changed. CloudTrail names Lambda calls with API-version
 * suffixes (`CreateFunction20150331`, `UpdateFunctionConfiguration20150331v2`), hence prefixes; the
 * handler drops the few other names the prefixes also match (`CreateFunctionUrlConfig…`).
 */
export const FUNCTION_CHANGED_PATTERN = {
  source: ['aws.lambda'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['lambda.amazonaws.com'],
    eventName: [{ prefix: 'CreateFunction' }, { prefix: 'UpdateFunctionConfiguration' }],
  },
} as const;

/** The backstop: a full reconcile every minute, with or without a trail. */
export const CONTROLLER_SCHEDULE_EXPRESSION = 'rate(1 minute)';

/** How often each egress probe checks its IP. */
export const PROBE_SCHEDULE_EXPRESSION = 'rate(5 minutes)';
