import { describe, expect, it } from 'vitest';
import type { Plan, Problem } from '../../src/core/plan.js';
import {
  CONTROLLER_ENVIRONMENT,
  customResourceSettings,
  parseControllerEnvironment,
  parseCustomResourceProperties,
  reconcileRequest,
} from '../../src/handlers/controller-config.js';
import { classifyEvent, WAIT_FIELD } from '../../src/handlers/controller-events.js';
import {
  assessCompletion,
  physicalResourceId,
  poolOfPhysicalId,
} from '../../src/handlers/custom-resource.js';
import { ENI_CREATED_PATTERN, FUNCTION_CHANGED_PATTERN } from '../../src/handlers/event-patterns.js';
import {
  CONTROLLER_TIMEOUT_SECONDS,
  providerTotalTimeoutSeconds,
} from '../../src/handlers/timeout-budget.js';
import { cloudTrailEvent } from '../../testbed/index.js';
import { matchesPattern } from '../support/event-pattern.js';

const context = { accountId: '123456789012', region: 'us-east-1', time: Date.UTC(2026, 0, 1), id: 'e-1' };
const eniEvent = cloudTrailEvent.createNetworkInterface(context, {
  networkInterfaceId: 'eni-0abc',
  subnetId: 'subnet-01',
  vpcId: 'vpc-01',
  availabilityZone: 'us-east-1a',
  description: 'AWS Lambda VPC ENI-api-1234',
  securityGroupIds: ['sg-2', 'sg-1'],
  privateIpAddress: '10.0.0.5',
});
const lambdaEvent = (name: 'CreateFunction20150331' | 'UpdateFunctionConfiguration20150331v2') =>
  cloudTrailEvent.lambda(context, name, {
    functionName: 'api',
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:api',
    vpcConfig: { subnetIds: ['subnet-01'], securityGroupIds: ['sg-1'] },
  });

describe('controller environment', () => {
  it('has defaults for everything but the pool, and reads lists as JSON or comma-separated', () => {
    expect(parseControllerEnvironment({ LSI_POOL: 'shop' })).toEqual({
      pool: 'shop',
      functions: [],
      allocate: false,
      maxIps: 16,
      spares: 0,
      reserved: [],
      updatePollMs: 5_000,
      updateWatchMs: 120_000,
      fullRefreshMs: 900_000,
    });
    const json = parseControllerEnvironment({
      LSI_POOL: 'shop',
      LSI_FUNCTIONS: '["api","arn:aws:lambda:us-east-1:123456789012:function:worker"]',
      LSI_ALLOCATE: 'TRUE',
      LSI_MAX_IPS: '4',
      LSI_SPARES: '1',
      LSI_UPDATE_POLL_SECONDS: '2',
      LSI_UPDATE_WATCH_SECONDS: '0',
      LSI_FULL_REFRESH_SECONDS: '60',
    });
    expect(json).toMatchObject({
      functions: ['api', 'arn:aws:lambda:us-east-1:123456789012:function:worker'],
      allocate: true,
      maxIps: 4,
      spares: 1,
      updatePollMs: 2_000,
      updateWatchMs: 0,
      fullRefreshMs: 60_000,
    });
    expect(
      parseControllerEnvironment({ LSI_POOL: 'shop', LSI_FUNCTIONS: ' api , worker ' }).functions,
    ).toEqual(['api', 'worker']);
    // An empty CommaDelimitedList parameter is [""], and its join with other names starts with a comma.
    expect(parseControllerEnvironment({ LSI_POOL: 'shop', LSI_FUNCTIONS: ',api' }).functions).toEqual([
      'api',
    ]);
    expect(parseCustomResourceProperties({ Functions: [''] }).Functions).toEqual([]);
    // The placements of keepers that span subnets: accepted (a change is what makes the wait run again).
    const placed = parseCustomResourceProperties({
      Keepers: ['k'],
      KeeperPlacements: 'subnet-1+subnet-2/sg-1',
    });
    expect(customResourceSettings(parseControllerEnvironment({ LSI_POOL: 'p' }), placed).stage).toBe(
      'keepers',
    );
  });

  it('rejects bad values with a message naming the variable, its value and the rule', () => {
    expect(() => parseControllerEnvironment({ LSI_POOL: 'shop', LSI_MAX_IPS: 'lots' })).toThrow(
      'environment variable LSI_MAX_IPS is "lots": expected a whole number from 1 to 1000',
    );
    expect(() => parseControllerEnvironment({})).toThrow(
      'environment variable LSI_POOL is not set: expected string',
    );
    expect(() => parseControllerEnvironment({ LSI_POOL: '-bad' })).toThrow(
      /LSI_POOL is "-bad": expected a pool name/,
    );
    expect(() => parseControllerEnvironment({ LSI_POOL: 'shop', LSI_ALLOCATE: 'yes' })).toThrow(
      /LSI_ALLOCATE is "yes": expected "true" or "false"/,
    );
    expect(() => parseControllerEnvironment({ LSI_POOL: 'shop', LSI_FUNCTIONS: '["api", 3]' })).toThrow(
      /LSI_FUNCTIONS is .*expected a list of function names or ARNs/,
    );
    expect(() => parseControllerEnvironment({ LSI_POOL: 'shop', LSI_FUNCTIONS: '["a b"]' })).toThrow(
      /function name "a b" is invalid/,
    );
    expect(() => parseControllerEnvironment({ LSI_POOL: 'shop', LSI_FUNCTIONS: '[api' })).toThrow(
      /expected a JSON array/,
    );
    const error = (() => {
      try {
        parseControllerEnvironment({ LSI_POOL: 'shop', LSI_SPARES: '-1' });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toMatchObject({ name: 'InputError', code: 'InvalidEnvironment' });
    expect(error?.cause).toBeDefined();
  });

  it('reads LSI_RESERVED as a JSON array or a comma list of allocation ids, and passes it to the reconcile', () => {
    const ids = ['eipalloc-0123456789abcdef0', 'eipalloc-0a1b2c3d'];
    expect(CONTROLLER_ENVIRONMENT).toContain('LSI_RESERVED');
    const json = parseControllerEnvironment({ LSI_POOL: 'shop', LSI_RESERVED: JSON.stringify(ids) });
    expect(json.reserved).toEqual(ids);
    expect(reconcileRequest(json)).toMatchObject({ pool: 'shop', reserved: ids });
    expect(
      parseControllerEnvironment({ LSI_POOL: 'shop', LSI_RESERVED: ` ${ids[0]} , ${ids[1]} ` }).reserved,
    ).toEqual(ids);
    // What the construct writes when no other consumer holds an address of the pool.
    expect(parseControllerEnvironment({ LSI_POOL: 'shop', LSI_RESERVED: '' }).reserved).toEqual([]);
  });

  it('rejects a reserved id that is not an allocation id, naming it', () => {
    expect(() =>
      parseControllerEnvironment({ LSI_POOL: 'shop', LSI_RESERVED: 'eipalloc-0a1b2c3d,eni-0a1b2c3d' }),
    ).toThrow(
      /environment variable LSI_RESERVED is "eipalloc-0a1b2c3d,eni-0a1b2c3d": "eni-0a1b2c3d" is not an allocation id: expected eipalloc- followed by 8-17 hex digits/,
    );
    expect(() =>
      parseControllerEnvironment({ LSI_POOL: 'shop', LSI_RESERVED: '["eipalloc-0a1b2c3d", ""]' }),
    ).toThrow(/LSI_RESERVED is .*expected a list of allocation ids/);
  });
});

describe('custom resource properties', () => {
  it('takes the strings CloudFormation sends, and they win over the environment', () => {
    const properties = parseCustomResourceProperties({
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
      Pool: 'shop',
      Functions: ['api'],
      Allocate: 'true',
      MaxIps: '3',
      Spares: '0',
      ReservedAllocationIds: ['eipalloc-0a1b2c3d'],
      WaitSeconds: '120',
    });
    const environment = parseControllerEnvironment({
      LSI_POOL: 'other',
      LSI_SPARES: '2',
      LSI_FUNCTIONS: 'worker',
      LSI_RESERVED: 'eipalloc-0e0e0e0e',
    });
    const settings = customResourceSettings(environment, properties);
    expect(settings).toMatchObject({
      pool: 'shop',
      functions: ['api'],
      allocate: true,
      maxIps: 3,
      spares: 0,
      reserved: ['eipalloc-0a1b2c3d'],
      waitMs: 120_000,
    });
    expect(reconcileRequest(settings).reserved).toEqual(['eipalloc-0a1b2c3d']);
    expect(customResourceSettings(parseControllerEnvironment({ LSI_POOL: 'p' }), {})).toMatchObject({
      pool: 'p',
      reserved: [],
      waitMs: 600_000,
    });
    // Without the property, the environment's reservation holds; an empty list is a list.
    expect(customResourceSettings(environment, {}).reserved).toEqual(['eipalloc-0e0e0e0e']);
    expect(
      customResourceSettings(environment, parseCustomResourceProperties({ ReservedAllocationIds: [] }))
        .reserved,
    ).toEqual([]);
  });

  it('names a bad or unknown property', () => {
    expect(() => parseCustomResourceProperties({ MaxIps: 'lots' })).toThrow(
      'custom resource property MaxIps is "lots": expected a whole number from 1 to 1000',
    );
    expect(() => parseCustomResourceProperties({ MaxIP: '3' })).toThrow(
      'unknown custom resource property MaxIP',
    );
    expect(() => parseCustomResourceProperties({ Allocate: 'maybe' })).toThrow(/Allocate is "maybe"/);
    expect(() => parseCustomResourceProperties({ ReservedAllocationIds: ['eipalloc-XYZ'] })).toThrow(
      /custom resource property ReservedAllocationIds is \["eipalloc-XYZ"\]: "eipalloc-XYZ" is not an allocation id/,
    );
  });
});

describe('classifyEvent', () => {
  const request = {
    RequestType: 'Create',
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/...',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
    RequestId: 'req-1',
    LogicalResourceId: 'Pool',
    ResourceType: 'Custom::LambdaStaticIp',
    ResourceProperties: { ServiceToken: 'x', Pool: 'shop' },
  };

  it('tells onEvent from isComplete by the field onEvent returns', () => {
    expect(classifyEvent(request)).toMatchObject({ kind: 'custom-resource', phase: 'event' });
    expect(
      classifyEvent({
        ...request,
        PhysicalResourceId: 'lambda-static-ip:shop',
        [WAIT_FIELD]: { deadline: 5 },
      }),
    ).toMatchObject({ kind: 'custom-resource', phase: 'is-complete', wait: { deadline: 5 } });
    expect(() => classifyEvent({ ...request, RequestType: 'Replace' })).toThrow(/RequestType is "Replace"/);
  });

  it('reads the ENI from a CloudTrail CreateNetworkInterface event, with or without interfaceType', () => {
    const eni = {
      id: 'eni-0abc',
      subnetId: 'subnet-01',
      vpcId: 'vpc-01',
      securityGroupIds: ['sg-2', 'sg-1'],
      createdAt: Date.parse(eniEvent.detail.eventTime), // to time the binding (TimeToBindMs)
    };
    expect(classifyEvent(eniEvent)).toEqual({
      kind: 'eni-created',
      eventName: 'CreateNetworkInterface',
      eni: { ...eni, lambdaBy: 'interface-type' },
    });
    const untyped = cloudTrailEvent.withoutInterfaceType(eniEvent);
    expect(classifyEvent(untyped)).toEqual({
      kind: 'eni-created',
      eventName: 'CreateNetworkInterface',
      eni: { ...eni, lambdaBy: 'description' },
    });
    // The request's description is enough when the response has none.
    const requestOnly = structuredClone(untyped) as unknown as {
      detail: { responseElements: { networkInterface: { description?: string } } };
    };
    delete requestOnly.detail.responseElements.networkInterface.description;
    expect(classifyEvent(requestOnly)).toMatchObject({ eni: { lambdaBy: 'description' } });

    // Not Lambda's by either mark: never bound, whatever its subnet and security groups.
    const efs = structuredClone(untyped) as unknown as {
      detail: {
        requestParameters: { description: string };
        responseElements: { networkInterface: { description: string } };
      };
    };
    efs.detail.requestParameters.description = 'EFS mount target for fs-1234567 (fsmt-1234567)';
    efs.detail.responseElements.networkInterface.description = efs.detail.requestParameters.description;
    expect(classifyEvent(efs)).toMatchObject({ kind: 'ignored', reason: /eni-0abc is not a Lambda ENI/ });
    const typed = structuredClone(eniEvent) as unknown as {
      detail: { responseElements: { networkInterface: { interfaceType: string } } };
    };
    typed.detail.responseElements.networkInterface.interfaceType = 'interface';
    expect(classifyEvent(typed)).toMatchObject({ kind: 'ignored', reason: /type interface/ });
    const undated = structuredClone(eniEvent) as unknown as { detail: { eventTime?: string } };
    delete undated.detail.eventTime;
    expect((classifyEvent(undated) as { eni: object }).eni).not.toHaveProperty('createdAt');

    const broken = structuredClone(eniEvent) as unknown as {
      detail: { responseElements: { networkInterface: { networkInterfaceId: string } } };
    };
    broken.detail.responseElements.networkInterface.networkInterfaceId = 'nope';
    expect(() => classifyEvent(broken)).toThrow(/networkInterfaceId is "nope": expected an ENI id/);
  });

  it('reads Lambda changes, and ignores other names and failed calls', () => {
    expect(classifyEvent(lambdaEvent('UpdateFunctionConfiguration20150331v2'))).toEqual({
      kind: 'function-changed',
      eventName: 'UpdateFunctionConfiguration20150331v2',
      functionName: 'api',
    });
    const url = structuredClone(lambdaEvent('CreateFunction20150331')) as { detail: Record<string, unknown> };
    url.detail.eventName = 'CreateFunctionUrlConfig20211031';
    expect(classifyEvent(url)).toMatchObject({ kind: 'ignored' });
    const failed = structuredClone(eniEvent) as unknown as { detail: Record<string, unknown> };
    failed.detail.errorCode = 'Client.UnauthorizedOperation';
    failed.detail.responseElements = null;
    expect(classifyEvent(failed)).toMatchObject({ kind: 'ignored', reason: /Client.UnauthorizedOperation/ });
  });

  it('reads a schedule, and refuses what it was not built for', () => {
    expect(
      classifyEvent({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {}, resources: [] }),
    ).toEqual({ kind: 'schedule' });
    expect(() =>
      classifyEvent({ 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2' }),
    ).toThrow(/does not handle events of type "EC2 Instance State-change Notification"/);
    expect(() => classifyEvent('hello')).toThrow(/not an event/);
  });
});

describe('event patterns', () => {
  it("match the CloudTrail events Lambda's ENI calls and the user's Lambda calls produce, and nothing else", () => {
    expect(matchesPattern(ENI_CREATED_PATTERN, eniEvent)).toBe(true);
    const untyped = cloudTrailEvent.withoutInterfaceType(eniEvent);
    expect(matchesPattern(ENI_CREATED_PATTERN, untyped)).toBe(true);
    const other = structuredClone(untyped) as unknown as {
      detail: { requestParameters: { description: string } };
    };
    other.detail.requestParameters.description = 'EFS mount target for fs-1234567 (fsmt-1234567)';
    expect(matchesPattern(ENI_CREATED_PATTERN, other)).toBe(false);
    expect(
      matchesPattern(ENI_CREATED_PATTERN, cloudTrailEvent.deleteNetworkInterface(context, 'eni-1')),
    ).toBe(false);
    expect(matchesPattern(FUNCTION_CHANGED_PATTERN, lambdaEvent('CreateFunction20150331'))).toBe(true);
    expect(
      matchesPattern(FUNCTION_CHANGED_PATTERN, lambdaEvent('UpdateFunctionConfiguration20150331v2')),
    ).toBe(true);
    expect(matchesPattern(FUNCTION_CHANGED_PATTERN, eniEvent)).toBe(false);
  });
});

describe('custom resource', () => {
  it('has a stable physical id per pool, and knows ids it never returned', () => {
    expect(physicalResourceId('shop')).toBe('lambda-static-ip:shop');
    expect(poolOfPhysicalId('lambda-static-ip:shop')).toBe('shop');
    expect(poolOfPhysicalId('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED')).toBeUndefined();
    expect(poolOfPhysicalId('lambda-static-ip:-bad')).toBeUndefined();
    expect(poolOfPhysicalId(undefined)).toBeUndefined();
  });

  const plan = (problems: Problem[], actions = 0): Plan => ({
    pool: 'shop',
    region: 'us-east-1',
    actions: Array.from({ length: actions }, () => ({ kind: 'allocate', purpose: 'spare' }) as const),
    unchanged: [],
    problems,
    enis: [],
    addresses: [],
    spares: { wanted: 0, available: 0, neededForZeroDowntimeChange: 0 },
    rememberSubnet: {},
  });
  const problem = (code: Problem['code'], severity: Problem['severity']): Problem => ({
    code,
    severity,
    message: `${code} message`,
    networkInterfaceId: 'eni-1',
  });

  it('completes, waits or fails on what the plan says', () => {
    expect(assessCompletion(plan([problem('SharedEni', 'warning')]))).toEqual({ status: 'complete' });
    expect(assessCompletion(plan([problem('NoEniYet', 'info')]))).toEqual({
      status: 'pending',
      reasons: ['NoEniYet message'],
    });
    expect(assessCompletion(plan([], 1))).toMatchObject({ status: 'pending' });
    expect(assessCompletion(plan([problem('PoolExhausted', 'error')]))).toMatchObject({ status: 'failed' });
    expect(
      assessCompletion(plan([problem('SubnetNotPublic', 'error'), problem('NoEniYet', 'info')])),
    ).toMatchObject({ status: 'failed' });
    // An in-flight VPC update holds the IP the new ENI needs: that cures itself, so wait.
    expect(
      assessCompletion(plan([problem('PoolExhausted', 'error'), problem('RetirementUnconfirmed', 'info')])),
    ).toMatchObject({ status: 'pending' });
    expect(
      assessCompletion(
        plan([
          problem('PoolExhausted', 'error'),
          problem('PoolExhausted', 'error'),
          problem('RetirementUnconfirmed', 'info'),
        ]),
      ),
    ).toMatchObject({ status: 'failed' });
  });

  it("gives the Provider a total timeout past the handler's own deadline", () => {
    expect(CONTROLLER_TIMEOUT_SECONDS).toBe(300);
    expect(providerTotalTimeoutSeconds(600)).toBeGreaterThan(600 + CONTROLLER_TIMEOUT_SECONDS);
  });
});
