/**
 * The EventBridge rules the construct creates for the controller, as data, so the construct and the
 * tests share them. CloudTrail delivers these only where a trail records management events; they are
 * best-effort and may come minutes late, which is why the schedule stays as the backstop.
 */

/** How Lambda describes the Hyperplane ENIs it creates: `AWS Lambda VPC ENI-<function>-<uuid>`. */
export const LAMBDA_ENI_DESCRIPTION_PREFIX = 'AWS Lambda VPC ENI';

/**
 * A new Lambda Hyperplane ENI: `CreateNetworkInterface` whose response says `interfaceType: lambda`, or
 * whose request describes it the way Lambda does. Neither mark is documented for Lambda's ENIs: AWS's
 * published CloudTrail records of `CreateNetworkInterface` (the EFS user guide's, for one) carry the
 * request's `description` but no `interfaceType` in the response, so matching either keeps the fast path
 * alive whichever shape Lambda's records take. The handler checks the same two marks.
 */
export const ENI_CREATED_PATTERN = {
  source: ['aws.ec2'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['ec2.amazonaws.com'],
    eventName: ['CreateNetworkInterface'],
    $or: [
      { responseElements: { networkInterface: { interfaceType: ['lambda'] } } },
      { requestParameters: { description: [{ prefix: LAMBDA_ENI_DESCRIPTION_PREFIX }] } },
    ],
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

/**
 * The backstop: a reconcile every minute, with or without a trail. It observes in full every
 * DEFAULT_FULL_REFRESH_SECONDS (LSI_FULL_REFRESH_SECONDS) and reads only addresses and ENIs in between.
 */
export const CONTROLLER_SCHEDULE_EXPRESSION = 'rate(1 minute)';

/** How long a full observation serves as the controller's view of the pool, by default: 15 minutes. */
export const DEFAULT_FULL_REFRESH_SECONDS = 900;

/** How often each egress probe checks its IP. */
export const PROBE_SCHEDULE_EXPRESSION = 'rate(5 minutes)';
