import { App, type CfnElement, CfnParameter, type CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  type ISecurityGroup,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  type CfnFunction,
  Code,
  type IFunction,
  Function as LambdaFunction,
  Runtime,
  RuntimeFamily,
} from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import {
  HyperplaneEgress,
  type HyperplaneEgressProps,
  NatGatewayEgress,
  StaticIpPool,
} from '../../src/cdk/index.js';
import { KEEPER_HANDLER_SOURCE, KEEPER_TAG_KEY } from '../../src/core/keeper.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { CONTROLLER_ENVIRONMENT } from '../../src/handlers/controller-config.js';
import {
  CONTROLLER_SCHEDULE_EXPRESSION,
  ENI_CREATED_PATTERN,
  FUNCTION_CHANGED_PATTERN,
  PROBE_SCHEDULE_EXPRESSION,
} from '../../src/handlers/event-patterns.js';
import { PROBE_ENVIRONMENT } from '../../src/handlers/probe.js';
import { METRICS_NAMESPACE, runMetrics } from '../../src/handlers/run-report.js';
import {
  CONTROLLER_TIMEOUT_SECONDS,
  DEFAULT_WAIT_SECONDS,
  HANDLER_RUNTIME,
  PROBE_TIMEOUT_SECONDS,
  PROVIDER_QUERY_INTERVAL_SECONDS,
  providerTotalTimeoutSeconds,
  RECONCILE_BUDGET_MS,
} from '../../src/handlers/timeout-budget.js';
import { expectCleanCfnLint, synthesize, testApp } from '../support/cfn-lint.js';
import { thrownBy } from '../support/thrown.js';

/** Every action docs/controller.md says the controller calls (Permissions), but AllocateAddress. */
const DOCUMENTED_ACTIONS = [
  'tag:GetResources',
  'lambda:ListFunctions',
  'lambda:GetFunctionConfiguration',
  'ec2:DescribeAddresses',
  'ec2:DescribeSubnets',
  'ec2:DescribeRouteTables',
  'ec2:DescribeNetworkInterfaces',
  'ec2:AssociateAddress',
  'ec2:DisassociateAddress',
  'ec2:CreateTags',
];

/**
 * A VPC of public subnets only (internet gateway, no NAT), and optionally isolated ones or private ones
 * for NatGatewayEgress to route.
 */
function publicVpc(stack: Stack, withPrivate: false | 'isolated' | 'egress' = false): Vpc {
  return new Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'public', subnetType: SubnetType.PUBLIC },
      ...(withPrivate === 'isolated' ? [{ name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED }] : []),
      ...(withPrivate === 'egress' ? [{ name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS }] : []),
    ],
  });
}

function vpcFunction(
  stack: Stack,
  id: string,
  vpc: Vpc,
  securityGroups: ISecurityGroup[],
  vpcSubnets: SubnetSelection = { subnetType: SubnetType.PUBLIC },
): LambdaFunction {
  return new LambdaFunction(stack, id, {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({});'),
    vpc,
    vpcSubnets,
    securityGroups,
    allowPublicSubnet: true,
  });
}

function securityGroup(stack: Stack, id: string, vpc: Vpc): SecurityGroup {
  return new SecurityGroup(stack, id, { vpc });
}

/**
 * Function A in both public subnets with sg1; function B in the first subnet only with sg1 and sg2: three
 * combinations, (s1, sg1), (s2, sg1), (s1, sg1+sg2), in two subnets. A pool of 4, an alarm topic.
 */
function shop(stack: Stack) {
  const vpc = publicVpc(stack);
  const sg1 = securityGroup(stack, 'Sg1', vpc);
  const sg2 = securityGroup(stack, 'Sg2', vpc);
  const a = vpcFunction(stack, 'A', vpc, [sg1]);
  const b = vpcFunction(stack, 'B', vpc, [sg2, sg1], { subnets: vpc.publicSubnets.slice(0, 1) });
  const pool = new StaticIpPool(stack, 'Pool', { poolName: 'shop', size: 4 });
  const topic = new Topic(stack, 'Alarms');
  return { vpc, sg1, sg2, a, b, pool, topic };
}

function mainStack(app: App) {
  const stack = new Stack(app, 'Main');
  const { vpc, sg1, sg2, a, b, pool, topic } = shop(stack);
  const egress = new HyperplaneEgress(stack, 'Egress', {
    pool,
    functions: [a, b.currentVersion], // a version stands for its function
    probe: true,
    probeEchoUrl: 'https://echo.example.com/ip',
    alarmTopic: topic,
    dashboard: true,
  });
  return { stack, vpc, sg1, sg2, a, b, pool, topic, egress };
}

/** Everything off or changed: no probe, no CloudTrail rules, no spares, allocation, a slower resync. */
function minimalStack(app: App) {
  const stack = new Stack(app, 'Minimal');
  const vpc = publicVpc(stack);
  const fn = vpcFunction(stack, 'Fn', vpc, [securityGroup(stack, 'Sg', vpc)]);
  const pool = new StaticIpPool(stack, 'Pool', { poolName: 'lean', size: 1 });
  const egress = new HyperplaneEgress(stack, 'Egress', {
    pool,
    functions: [fn],
    spares: 0,
    allocate: true,
    maxIps: 4,
    eventDriven: false,
    resyncInterval: Duration.minutes(5),
    updateWatch: Duration.seconds(0),
    convergenceTimeout: Duration.minutes(20),
  });
  return { stack, fn, pool, egress };
}

/** A function in isolated subnets and an imported one: synthesises, with warnings. */
function warningStack(app: App) {
  const stack = new Stack(app, 'Warnings');
  const vpc = publicVpc(stack, 'isolated');
  const isolated = vpcFunction(stack, 'Isolated', vpc, [securityGroup(stack, 'Sg', vpc)], {
    subnetType: SubnetType.PRIVATE_ISOLATED,
  });
  const imported = LambdaFunction.fromFunctionName(stack, 'Imported', 'elsewhere');
  const pool = new StaticIpPool(stack, 'Pool', { poolName: 'warned', size: 3 });
  new HyperplaneEgress(stack, 'Egress', { pool, functions: [isolated, imported], probe: true });
  return { stack };
}

/**
 * The switch Hyperplane → NAT gateways with spares, in its middle: HyperplaneEgress on a pool whose NAT
 * gateways, constructed after it, take two of its addresses. One function in two public subnets: 2
 * combinations + 1 spare + 2 gateways = 5.
 */
function sharedStack(app: App, size = 5) {
  const stack = new Stack(app, 'Shared');
  const vpc = publicVpc(stack, 'egress');
  const fn = vpcFunction(stack, 'Fn', vpc, [securityGroup(stack, 'Sg', vpc)]);
  const pool = new StaticIpPool(stack, 'Pool', { poolName: 'moving', size });
  const egress = new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn] });
  const nat = new NatGatewayEgress(stack, 'Nat', { vpc, pool });
  return { stack, pool, egress, nat };
}

const app = testApp();
const main = mainStack(app);
const minimal = minimalStack(app);
const warned = warningStack(app);
const shared = sharedStack(app);
const {
  templates: [template, minimalTemplate, importingTemplate, sharedTemplate],
  templatePaths,
} = synthesize([main.stack, minimal.stack, warned.stack, shared.stack]);

/** The logical id of a construct's resource (its default child, for an L2). */
const id = (stack: Stack, construct: IConstruct) =>
  stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
const ref = (stack: Stack, value: string) => stack.resolve(value);
const controllerId = id(main.stack, main.egress.controller);
const handlerId = id(main.stack, main.egress.deploymentHandler);
const bindingId = id(main.stack, main.egress.customResource);

function resourcesOf(t: Template, type: string): Record<string, { Properties: Record<string, unknown> }> {
  return t.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}

/** The controller role's inline statements. */
function controllerStatementsOf(
  t: Template,
): { Sid?: string; Action: string | string[]; Condition?: unknown }[] {
  const roles = Object.values(resourcesOf(t, 'AWS::IAM::Role'));
  const policies = roles.flatMap(
    (role) =>
      (role.Properties.Policies ?? []) as {
        PolicyName: string;
        PolicyDocument: { Statement: { Sid?: string; Action: string | string[] }[] };
      }[],
  );
  const controller = policies.find((policy) => policy.PolicyName === 'Controller');
  expect(controller).toBeDefined();
  return controller?.PolicyDocument.Statement ?? [];
}

const actionsOf = (statements: { Action: string | string[] }[]) =>
  statements.flatMap((statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );

describe('HyperplaneEgress: the pool and the custom resource', () => {
  it('leaves the pool addresses retained, and claims none of them', () => {
    template.resourceCountIs('AWS::EC2::EIP', 4);
    template.allResources('AWS::EC2::EIP', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(main.pool.unclaimed).toBe(4);
    expect(main.pool.holders).toEqual([]);
  });

  it('counts the (subnet, security-group set) combinations, a version standing for its function', () => {
    expect(main.egress.combinations).toBe(3);
    expect(minimal.egress.combinations).toBe(2); // one function, two public subnets
  });

  it('passes the pool, every function and keeper, and the settings as custom-resource properties', () => {
    const functions = [main.a, main.b, ...main.egress.keepers].map((fn) => ref(main.stack, fn.functionName));
    template.hasResourceProperties('Custom::LambdaStaticIpPoolBinding', {
      ServiceToken: Match.anyValue(),
      Pool: 'shop',
      // Refs: CloudFormation creates the resource after every function, and deletes it before them.
      Functions: functions,
      Allocate: 'false',
      MaxIps: '16',
      Spares: '1',
      ReservedAllocationIds: [],
      WaitSeconds: String(DEFAULT_WAIT_SECONDS),
    });
    minimalTemplate.hasResourceProperties('Custom::LambdaStaticIpPoolBinding', {
      Pool: 'lean',
      Functions: [minimal.fn, ...minimal.egress.keepers].map((fn) => ref(minimal.stack, fn.functionName)),
      Allocate: 'true',
      MaxIps: '4',
      Spares: '0',
      WaitSeconds: '1200',
    });
  });

  it('gives the Provider its own handler, the budget query interval and total timeout', () => {
    const framework = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Handler === 'framework.onEvent',
    );
    expect(framework?.Properties.Environment).toEqual({
      Variables: expect.objectContaining({
        USER_ON_EVENT_FUNCTION_ARN: { 'Fn::GetAtt': [handlerId, 'Arn'] },
        USER_IS_COMPLETE_FUNCTION_ARN: { 'Fn::GetAtt': [handlerId, 'Arn'] },
      }),
    });
    const attempts = providerTotalTimeoutSeconds(DEFAULT_WAIT_SECONDS) / PROVIDER_QUERY_INTERVAL_SECONDS;
    const machine = JSON.stringify(
      Object.values(resourcesOf(template, 'AWS::StepFunctions::StateMachine'))[0]?.Properties,
    );
    expect(machine).toContain(`\\"IntervalSeconds\\":${PROVIDER_QUERY_INTERVAL_SECONDS}`);
    expect(machine).toContain(`\\"MaxAttempts\\":${Math.floor(attempts)}`);
  });
});

describe('HyperplaneEgress: the controller', () => {
  it('runs the bundle on nodejs22.x with reserved concurrency 1 and the budget timeout', () => {
    const fn = template.findResources('AWS::Lambda::Function')[controllerId] as {
      Properties: Record<string, unknown>;
    };
    expect(fn.Properties).toMatchObject({
      Runtime: HANDLER_RUNTIME,
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 1,
      Timeout: CONTROLLER_TIMEOUT_SECONDS,
      Code: { S3Key: expect.stringMatching(/\.zip$/) },
    });
    // With the update watch off, one reconcile budget.
    minimalTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('keeps the ENIs'),
      Timeout: RECONCILE_BUDGET_MS / 1000,
      ReservedConcurrentExecutions: 1,
    });
    // Created after the custom resource, deleted before its Delete unbinds the pool.
    template.hasResource('AWS::Lambda::Function', {
      Properties: { ReservedConcurrentExecutions: 1 },
      DependsOn: Match.arrayWith([bindingId]),
    });
    // Async invocations: no retries, no stale backlog.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: controllerId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 900,
    });
  });

  it('serves the custom resource from a second function without reserved concurrency', () => {
    const fn = template.findResources('AWS::Lambda::Function')[handlerId] as {
      Properties: Record<string, unknown>;
    };
    expect(fn.Properties).toMatchObject({ Runtime: HANDLER_RUNTIME, Timeout: CONTROLLER_TIMEOUT_SECONDS });
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    const controller = template.findResources('AWS::Lambda::Function')[controllerId] as {
      Properties: Record<string, unknown>;
    };
    // The same code and the same configuration.
    expect(fn.Properties.Code).toEqual(controller.Properties.Code);
    expect(fn.Properties.Environment).toEqual(controller.Properties.Environment);
  });

  it('sets only documented environment variables, from the same values as the properties', () => {
    const fn = template.findResources('AWS::Lambda::Function')[controllerId] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    const variables = fn.Properties.Environment.Variables;
    expect(Object.keys(variables).every((name) => (CONTROLLER_ENVIRONMENT as string[]).includes(name))).toBe(
      true,
    );
    expect(variables).toMatchObject({
      LSI_POOL: 'shop',
      LSI_ALLOCATE: 'false',
      LSI_MAX_IPS: '16',
      LSI_SPARES: '1',
      LSI_RESERVED: '[]', // nobody else holds an address of the pool
      LSI_UPDATE_WATCH_SECONDS: '120',
      LSI_FULL_REFRESH_SECONDS: '900',
    });
    // The app's functions are tagged instead: naming them here would make the deployment handler, which
    // serves the wait before them, depend on them (a cycle). Only imported functions are named.
    expect(variables.LSI_FUNCTIONS).toBe('[]');
    for (const fn of [main.a, main.b]) {
      const tags = (
        template.findResources('AWS::Lambda::Function')[id(main.stack, fn)] as {
          Properties: { Tags?: unknown };
        }
      ).Properties.Tags;
      expect(tags).toContainEqual({ Key: POOL_TAG_KEY, Value: 'shop' });
    }
    const imported = Object.values(resourcesOf(importingTemplate, 'AWS::Lambda::Function')).find(
      (fn) => fn.Properties.ReservedConcurrentExecutions === 1,
    ) as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    expect(JSON.stringify(imported.Properties.Environment.Variables.LSI_FUNCTIONS)).toContain('elsewhere');
  });

  it('reacts to the CloudTrail patterns and the schedule, each rule after the custom resource', () => {
    for (const pattern of [ENI_CREATED_PATTERN, FUNCTION_CHANGED_PATTERN]) {
      template.hasResource('AWS::Events::Rule', {
        Properties: {
          EventPattern: Match.exact(pattern),
          Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [controllerId, 'Arn'] } })],
        },
        DependsOn: Match.arrayWith([bindingId]),
      });
    }
    template.hasResource('AWS::Events::Rule', {
      Properties: {
        ScheduleExpression: CONTROLLER_SCHEDULE_EXPRESSION,
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [controllerId, 'Arn'] } })],
      },
      DependsOn: Match.arrayWith([bindingId]),
    });
    // eventDriven: false keeps the schedule alone (besides the keepers' own daily schedules).
    const controllerRules = Object.values(resourcesOf(minimalTemplate, 'AWS::Events::Rule')).filter((rule) =>
      JSON.stringify(rule.Properties.Targets).includes(id(minimal.stack, minimal.egress.controller)),
    );
    expect(controllerRules.map((rule) => rule.Properties.ScheduleExpression)).toEqual(['rate(5 minutes)']);
  });
});

/** One function, placed by the arguments, on a pool of 4: the app before and after a change of placement. */
function placementTemplate(subnets: number, group: 'Sg1' | 'Sg2', keepers = true) {
  const stack = new Stack(testApp(), 'Placement');
  const vpc = new Vpc(stack, 'Vpc', {
    maxAzs: 3,
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC }],
  });
  const groups = { Sg1: securityGroup(stack, 'Sg1', vpc), Sg2: securityGroup(stack, 'Sg2', vpc) };
  const fn = vpcFunction(stack, 'Api', vpc, [groups[group]], {
    subnets: vpc.publicSubnets.slice(0, subnets),
  });
  const pool = new StaticIpPool(stack, 'Pool', { poolName: 'moving', size: 4 });
  const egress = new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn], keepers });
  const t = Template.fromStack(stack);
  const keeperIds = egress.keepers.map((keeper) => id(stack, keeper));
  const placements = Object.fromEntries(
    keeperIds.map((logicalId) => [
      logicalId,
      (t.findResources('AWS::Lambda::Function')[logicalId] as { Properties: { VpcConfig: unknown } })
        .Properties.VpcConfig,
    ]),
  );
  return { stack, t, egress, fnId: id(stack, fn), keeperIds, placements };
}

describe('HyperplaneEgress: keepers and deployment ordering', () => {
  const waitId = id(main.stack, main.egress.keepersBound as CustomResource);
  const keeperIds = main.egress.keepers.map((keeper) => id(main.stack, keeper));

  it('waits for the keepers before any function: function -> KeepersBound -> keepers', () => {
    expect(keeperIds).toHaveLength(3);
    template.hasResourceProperties('Custom::LambdaStaticIpKeepersBound', {
      ServiceToken: Match.anyValue(),
      Pool: 'shop',
      Keepers: keeperIds.map((logicalId) => ({ Ref: logicalId })),
      Allocate: 'false',
      MaxIps: '16',
      Spares: '1',
      WaitSeconds: String(DEFAULT_WAIT_SECONDS),
    });
    const functions = template.findResources('AWS::Lambda::Function');
    for (const fn of [main.a, main.b]) {
      expect((functions[id(main.stack, fn)] as { DependsOn?: string[] }).DependsOn).toContain(waitId);
    }
    // Nothing the wait needs depends on a function: the handler serving it does not name them.
    for (const logicalId of [...keeperIds, handlerId]) {
      expect(JSON.stringify(functions[logicalId])).not.toContain(id(main.stack, main.a));
    }
    // The binding check after the functions stays.
    expect(JSON.stringify(template.findResources('Custom::LambdaStaticIpPoolBinding'))).toContain(
      id(main.stack, main.a),
    );
  });

  it('gives each keeper a least-privilege role: its ENIs and its own logs', () => {
    const roles = resourcesOf(template, 'AWS::IAM::Role');
    const keeperRole = Object.entries(roles).find(([logicalId]) => logicalId.startsWith('EgressKeeperRole'));
    expect(keeperRole?.[1].Properties.ManagedPolicyArns).toBeUndefined();
    const policies = (keeperRole?.[1].Properties.Policies ?? []) as {
      PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] };
    }[];
    const statements = policies[0]?.PolicyDocument.Statement ?? [];
    expect(statements.flatMap((statement) => statement.Action).sort()).toEqual([
      'ec2:AssignPrivateIpAddresses',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:UnassignPrivateIpAddresses',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(JSON.stringify(statements.at(-1)?.Resource)).toMatch(/KeeperLogs/);
  });

  it('invokes a keeper that only keeps once a day', () => {
    const rules = Object.values(resourcesOf(minimalTemplate, 'AWS::Events::Rule'));
    for (const keeper of minimal.egress.keepers) {
      const rule = rules.find((candidate) =>
        JSON.stringify(candidate.Properties.Targets).includes(id(minimal.stack, keeper)),
      );
      expect(rule?.Properties.ScheduleExpression).toBe('rate(1 day)');
    }
  });

  it("keeps a combination's keeper across synths, and replaces the keepers of a changed placement", () => {
    const before = placementTemplate(2, 'Sg1');
    const fewerSubnets = placementTemplate(1, 'Sg1');
    const otherGroup = placementTemplate(2, 'Sg2');
    expect(before.keeperIds).toHaveLength(2);
    // Subnet removed: the remaining combination keeps its keeper (same logical id, same placement); the
    // other keeper is gone from the template, so CloudFormation deletes it in the cleanup phase, after
    // the function was updated.
    expect(fewerSubnets.keeperIds).toEqual([before.keeperIds[0]]);
    expect(fewerSubnets.placements).toEqual({
      [before.keeperIds[0] as string]: before.placements[before.keeperIds[0] as string],
    });
    // Security group changed: new keepers, none of the old ones, and the function waits for the new ones.
    expect(otherGroup.keeperIds).toHaveLength(2);
    for (const old of before.keeperIds) expect(otherGroup.keeperIds).not.toContain(old);
    const waitOf = (t: Template) =>
      Object.entries(t.findResources('Custom::LambdaStaticIpKeepersBound'))[0] as [
        string,
        { Properties: { Keepers: unknown } },
      ];
    const [wait, resource] = waitOf(otherGroup.t);
    expect(resource.Properties.Keepers).toEqual(
      otherGroup.keeperIds.map((logicalId) => ({ Ref: logicalId })),
    );
    expect(
      (otherGroup.t.findResources('AWS::Lambda::Function')[otherGroup.fnId] as { DependsOn: string[] })
        .DependsOn,
    ).toContain(wait);
    for (const placement of Object.values(otherGroup.placements)) {
      expect(JSON.stringify(placement)).toContain(
        otherGroup.stack.getLogicalId(otherGroup.stack.node.findChild('Sg2').node.defaultChild as CfnElement),
      );
    }
  });

  it('opts out with keepers: false: no keeper, no wait, the functions unordered', () => {
    const off = placementTemplate(2, 'Sg1', false);
    expect(off.egress.keepers).toEqual([]);
    expect(off.egress.keepersBound).toBeUndefined();
    off.t.resourceCountIs('Custom::LambdaStaticIpKeepersBound', 0);
    expect(
      (off.t.findResources('AWS::Lambda::Function')[off.fnId] as { DependsOn?: string[] }).DependsOn ?? [],
    ).not.toContainEqual(expect.stringMatching(/Keepers/));
  });
});

describe('HyperplaneEgress: IAM', () => {
  const statements = controllerStatementsOf(template);
  const allocating = controllerStatementsOf(minimalTemplate);

  it('grants every action the controller calls, and no wildcard action', () => {
    for (const action of DOCUMENTED_ACTIONS) expect(actionsOf(statements)).toContain(action);
    for (const action of [...actionsOf(statements), ...actionsOf(allocating)])
      expect(action).not.toContain('*');
    expect(actionsOf(statements)).not.toContain('ec2:ReleaseAddress');
    expect(actionsOf(allocating)).not.toContain('ec2:ReleaseAddress');
  });

  it('narrows binding and tagging to addresses carrying this pool tag', () => {
    const byId = (sid: string) => statements.find((statement) => statement.Sid === sid);
    expect(byId('BindOnlyPoolAddresses')).toMatchObject({
      Action: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'],
      Condition: { StringEquals: { [`ec2:ResourceTag/${POOL_TAG_KEY}`]: 'shop' } },
    });
    expect(JSON.stringify(byId('BindOnlyPoolAddresses'))).toContain(':elastic-ip/*');
    // The ENI side carries no tag (Lambda adds none): resource type only.
    expect(JSON.stringify(byId('BindToLambdaEnis'))).toContain(':network-interface/*');
    expect(byId('RememberSubnetOnPoolAddresses')).toMatchObject({
      Action: 'ec2:CreateTags',
      Condition: {
        StringEquals: { [`ec2:ResourceTag/${POOL_TAG_KEY}`]: 'shop' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['lambda-static-ip:last-subnet'] },
      },
    });
    expect(byId('DescribeNetworkAndAddresses')).toMatchObject({ Resource: '*' });
  });

  it('grants allocation only with allocate, and only tagged for the pool', () => {
    expect(actionsOf(statements)).not.toContain('ec2:AllocateAddress');
    expect(statements.map((statement) => statement.Sid)).not.toContain('TagPoolAddressesAtAllocation');
    expect(allocating.find((statement) => statement.Sid === 'AllocateOnlyTaggedPoolAddresses')).toMatchObject(
      {
        Action: 'ec2:AllocateAddress',
        Condition: { StringEquals: { [`aws:RequestTag/${POOL_TAG_KEY}`]: 'lean' } },
      },
    );
    expect(allocating.find((statement) => statement.Sid === 'TagPoolAddressesAtAllocation')).toMatchObject({
      Condition: { StringEquals: { 'ec2:CreateAction': 'AllocateAddress' } },
    });
  });

  it('lets the controller write its own log group only', () => {
    expect(statements.find((statement) => statement.Sid === 'WriteOwnLogs')).toMatchObject({
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/ControllerLogs/), 'Arn'] },
    });
  });
});

describe('HyperplaneEgress: alarms', () => {
  const snsActions = {
    AlarmActions: [{ Ref: id(main.stack, main.topic) }],
    OKActions: [{ Ref: id(main.stack, main.topic) }],
  };

  it('alarms on unbound ENIs in two of three resync periods', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: 'UnboundEnis',
      Dimensions: [{ Name: 'Pool', Value: 'shop' }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      ...snsActions,
    });
    minimalTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'UnboundEnis',
      Period: 300,
    });
  });

  it('alarms on free IPs below the spares for an hour, only with spares', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: 'FreePoolIps',
      Dimensions: [{ Name: 'Pool', Value: 'shop' }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      Period: 300,
      EvaluationPeriods: 12,
      ...snsActions,
    });
    expect(minimal.egress.sparesAlarm).toBeUndefined();
    expect(
      Object.keys(
        minimalTemplate.findResources('AWS::CloudWatch::Alarm', {
          Properties: { MetricName: 'FreePoolIps' },
        }),
      ),
    ).toEqual([]);
  });

  it('alarms on controller errors, and sends nothing without a topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: controllerId } }],
      Threshold: 1,
      EvaluationPeriods: 3,
      ...snsActions,
    });
    expect(main.egress.alarms).toHaveLength(2 + 1 + 2);
    for (const alarm of Object.values(resourcesOf(minimalTemplate, 'AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it('alarms per probe subnet when EgressIpInPool stays below 1, missing data breaching', () => {
    for (const subnet of main.vpc.publicSubnets) {
      template.hasResource('AWS::CloudWatch::Alarm', {
        Properties: {
          Namespace: METRICS_NAMESPACE,
          MetricName: 'EgressIpInPool',
          Dimensions: [
            { Name: 'Pool', Value: 'shop' },
            { Name: 'Subnet', Value: ref(main.stack, subnet.subnetId) },
          ],
          Statistic: 'Minimum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          EvaluationPeriods: 2,
          TreatMissingData: 'breaching',
          ...snsActions,
        },
        DependsOn: [bindingId],
      });
    }
    expect(main.egress.probeAlarms).toHaveLength(2);
  });
});

describe('HyperplaneEgress: dashboard', () => {
  interface Widget {
    readonly type: string;
    readonly properties: {
      readonly title?: string;
      readonly metrics?: unknown[][];
      readonly alarms?: string[];
    };
  }
  /** A token in the dashboard's body, as the test writes it: `${...}` around its JSON. */
  const placeholder = (token: unknown) => `\${${JSON.stringify(token).replace(/"/g, "'")}}`;
  /** The dashboard's widgets, its tokens (Refs, GetAtts) turned into placeholders. */
  function widgetsOf(t: Template): Widget[] {
    const dashboards = Object.values(resourcesOf(t, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const [dashboard] = dashboards as [
      { Properties: { DashboardBody: { 'Fn::Join': [string, unknown[]] } } },
    ];
    const [, parts] = dashboard.Properties.DashboardBody['Fn::Join'];
    const body = parts.map((part) => (typeof part === 'string' ? part : placeholder(part))).join('');
    return (JSON.parse(body) as { widgets: Widget[] }).widgets;
  }
  const widgets = widgetsOf(template);
  const titled = (title: RegExp) => widgets.find((widget) => title.test(widget.properties.title ?? ''));
  /** [namespace, name, dimension, value, ...] of each line of a widget. */
  const linesOf = (title: RegExp) =>
    (titled(title)?.properties.metrics ?? []).map((line) => line.filter((part) => typeof part === 'string'));
  const statOf = (title: RegExp, name: string) =>
    (titled(title)?.properties.metrics ?? [])
      .filter((line) => line[1] === name)
      .map((line) => (line.at(-1) as { stat?: string }).stat ?? 'Average');

  it('is off unless asked for, and exposed when on', () => {
    expect(main.egress.dashboard).toBeDefined();
    expect(minimal.egress.dashboard).toBeUndefined();
    minimalTemplate.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  it('shows pool size, bound and free IPs and waiting ENIs, per pool, now and over time', () => {
    const pool = (name: string) => [METRICS_NAMESPACE, name, 'Pool', 'shop'];
    expect(linesOf(/^Now$/)).toEqual(['PoolIps', 'BoundPoolIps', 'FreePoolIps', 'UnboundEnis'].map(pool));
    expect(linesOf(/^Pool IPs$/)).toEqual(['PoolIps', 'BoundPoolIps', 'FreePoolIps'].map(pool));
    expect(statOf(/^Pool IPs$/, 'FreePoolIps')).toEqual(['Minimum']); // a dip is what matters
    expect(linesOf(/^ENIs waiting/)).toEqual(['UnboundEnis', 'ActionsApplied'].map(pool));
    expect(statOf(/^ENIs waiting/, 'UnboundEnis')).toEqual(['Maximum']);
    expect(linesOf(/^Time to bind/)).toEqual([pool('TimeToBindMs'), pool('TimeToBindMs')]);
    expect(statOf(/^Time to bind/, 'TimeToBindMs')).toEqual(['Average', 'Maximum']);
    expect(linesOf(/^Run time/)).toEqual([pool('ReconcileDurationMs'), pool('ReconcileDurationMs')]);
  });

  it('shows one probe line per probe subnet, the controller errors and every alarm', () => {
    expect(linesOf(/^Egress probes/)).toEqual(
      main.vpc.publicSubnets.map((subnet) => [
        METRICS_NAMESPACE,
        'EgressIpInPool',
        'Pool',
        'shop',
        'Subnet',
        placeholder(ref(main.stack, subnet.subnetId)),
      ]),
    );
    const controller = placeholder({ Ref: controllerId });
    expect(linesOf(/^Controller errors/)).toEqual([
      ['AWS/Lambda', 'Errors', 'FunctionName', controller],
      ['AWS/Lambda', 'Throttles', 'FunctionName', controller],
      ['AWS/Lambda', 'Errors', 'FunctionName', placeholder({ Ref: handlerId })],
    ]);
    const alarms = widgets.find((widget) => widget.type === 'alarm')?.properties.alarms;
    expect(alarms).toEqual(main.egress.alarms.map((alarm) => placeholder(ref(main.stack, alarm.alarmArn))));
    expect(alarms).toHaveLength(2 + 1 + 2); // the probe alarms, made after the dashboard, included
  });

  it('reads only metrics the handlers publish', () => {
    const published = new Set([
      ...runMetrics(
        {
          pool: 'shop',
          applied: 0,
          failed: 0,
          unboundEnis: 0,
          freePoolIps: 0,
          poolIps: 0,
          boundPoolIps: 0,
          timeToBindMs: 0,
          converged: true,
          problems: [],
        },
        0,
      ).metrics.map((metric) => metric.name),
      'EgressIpInPool', // the probe's
    ]);
    const read = widgets
      .flatMap((widget) => widget.properties.metrics ?? [])
      .filter((line) => line[0] === METRICS_NAMESPACE)
      .map((line) => line[1]);
    expect(read.length).toBeGreaterThan(0);
    for (const name of read) expect(published).toContain(name);
  });
});

describe('HyperplaneEgress: the egress probe', () => {
  const probes = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(([, fn]) =>
    String(fn.Properties.Description).includes('proves its egress IP'),
  );

  it('makes each keeper the probe of its combination, with exactly its subnet and security groups', () => {
    expect(main.egress.probes).toEqual(main.egress.keepers);
    expect(probes).toHaveLength(3);
    const [s1, s2] = main.vpc.publicSubnets.map((subnet) => ref(main.stack, subnet.subnetId));
    const sg = (group: SecurityGroup) => ref(main.stack, group.securityGroupId);
    const placements = probes.map(([, fn]) => fn.Properties.VpcConfig);
    const sorted = (ids: unknown[]) =>
      [...ids].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    expect(placements).toEqual(
      expect.arrayContaining([
        { SubnetIds: [s1], SecurityGroupIds: [sg(main.sg1)] },
        { SubnetIds: [s2], SecurityGroupIds: [sg(main.sg1)] },
      ]),
    );
    const both = placements.find(
      (placement) => (placement as { SecurityGroupIds: unknown[] }).SecurityGroupIds.length === 2,
    ) as {
      SubnetIds: unknown[];
      SecurityGroupIds: unknown[];
    };
    expect(both.SubnetIds).toEqual([s1]);
    expect(sorted(both.SecurityGroupIds)).toEqual(sorted([sg(main.sg1), sg(main.sg2)]));
  });

  it('configures each probe with the allow-list, its subnet and the echo URL, on the probe bundle', () => {
    for (const [, fn] of probes) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables).every((name) => (PROBE_ENVIRONMENT as string[]).includes(name))).toBe(
        true,
      );
      expect(variables).toMatchObject({
        LSI_POOL: 'shop',
        LSI_ALLOW_LIST: ref(main.stack, main.pool.publicIps.join(',')),
        LSI_PROBE_SUBNET: (fn.Properties.VpcConfig as { SubnetIds: unknown[] }).SubnetIds[0],
        LSI_ECHO_URL: 'https://echo.example.com/ip',
      });
      expect(fn.Properties).toMatchObject({ Runtime: HANDLER_RUNTIME, Timeout: PROBE_TIMEOUT_SECONDS });
      // A keeper: tagged for the pool, and as a keeper with its combination.
      expect(fn.Properties.Tags).toEqual([
        {
          Key: KEEPER_TAG_KEY,
          Value: {
            'Fn::Join': [
              '',
              expect.arrayContaining([
                (fn.Properties.VpcConfig as { SubnetIds: unknown[] }).SubnetIds[0],
                '/',
              ]),
            ],
          },
        },
        { Key: POOL_TAG_KEY, Value: 'shop' },
      ]);
    }
  });

  it('runs each probe on the probe schedule, after the custom resource', () => {
    for (const [logicalId] of probes) {
      template.hasResource('AWS::Events::Rule', {
        Properties: {
          ScheduleExpression: PROBE_SCHEDULE_EXPRESSION,
          Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId, 'Arn'] } })],
        },
        DependsOn: [bindingId],
      });
    }
  });

  it('is off unless asked for: the keepers only keep', () => {
    expect(minimal.egress.probes).toEqual([]);
    expect(minimal.egress.probeAlarms).toEqual([]);
    expect(minimal.egress.keepers).toHaveLength(2);
    for (const keeper of minimal.egress.keepers) {
      const fn = minimalTemplate.findResources('AWS::Lambda::Function')[id(minimal.stack, keeper)] as {
        Properties: Record<string, unknown>;
      };
      expect(fn.Properties).toMatchObject({
        Code: { ZipFile: KEEPER_HANDLER_SOURCE },
        Handler: 'index.handler',
        Runtime: HANDLER_RUNTIME,
        MemorySize: 128,
      });
      expect(fn.Properties.Environment).toBeUndefined();
    }
  });
});

describe('HyperplaneEgress: synth-time checks', () => {
  it('warns about subnets that do not look public and functions whose placement it cannot see', () => {
    // The app's assembly is cached: its messages, without synthesising again as Annotations.fromStack does.
    const warningsOf = (stack: Stack) =>
      app
        .synth()
        .getStackArtifact(stack.artifactId)
        .messages.filter((message) => message.level === 'warning')
        .map((message) => `${message.id} ${String(message.entry.data)}`);
    const warnings = warningsOf(warned.stack);
    expect(warnings).toHaveLength(3); // the two isolated subnets, the imported function
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /^\/Warnings\/Egress subnet Warnings\/Vpc\/isolatedSubnet1 \(of Warnings\/Isolated\) is one of the VPC's isolated subnets, not a public one: .*SubnetNotPublic/,
      ),
    );
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /^\/Warnings\/Egress the VPC placement of function Warnings\/Imported is not known/,
      ),
    );
    expect(warningsOf(main.stack)).toEqual([]);
  });

  /** Builds a HyperplaneEgress in a fresh stack with the given props on top of a valid setup. */
  function build(overrides: Partial<HyperplaneEgressProps> = {}, poolSize = 2) {
    const stack = new Stack(new App(), 'Bad');
    const vpc = publicVpc(stack);
    const fn = vpcFunction(stack, 'Fn', vpc, [securityGroup(stack, 'Sg', vpc)]);
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'bad', size: poolSize });
    return () => new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn], spares: 0, ...overrides });
  }

  it('refuses a function that is not attached to a VPC, naming it', () => {
    const stack = new Stack(new App(), 'Bad');
    const fn = new LambdaFunction(stack, 'NoVpc', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({});'),
    });
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'bad', size: 1 });
    const error = thrownBy(() => new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn] }));
    expect(error.code).toBe('FunctionNotInVpc');
    expect(error.message).toMatch(/^Bad\/Egress: function Bad\/NoVpc is not attached to a VPC/);
  });

  it.each([
    ['negative spares', { spares: -1 }, 'InvalidSpares', /spares -1 is invalid/],
    ['fractional spares', { spares: 1.5 }, 'InvalidSpares', /whole number from 0 to 1000/],
    [
      'a resync under a minute',
      { resyncInterval: Duration.seconds(30) },
      'InvalidResyncInterval',
      /at least 1/,
    ],
    [
      'a resync in part minutes',
      { resyncInterval: Duration.seconds(90) },
      'InvalidResyncInterval',
      /whole minutes/,
    ],
    [
      'an update watch over 10 minutes',
      { updateWatch: Duration.minutes(11) },
      'InvalidUpdateWatch',
      /0 to 600/,
    ],
    [
      'a convergence timeout under a minute',
      { convergenceTimeout: Duration.seconds(30) },
      'InvalidConvergenceTimeout',
      /60 to 3000/,
    ],
    ['maxIps 0', { maxIps: 0 }, 'InvalidMaxIps', /1 to 1000/],
    [
      'a probe interval without the probe',
      { probeInterval: Duration.minutes(10) },
      'ContradictoryProbeProps',
      /probe: true/,
    ],
    [
      'a keeper interval with the probe (which runs every probeInterval)',
      { probe: true, keeperInterval: Duration.hours(6) },
      'ContradictoryKeeperProps',
      /drop keeperInterval/,
    ],
    [
      'a keeper interval without keepers',
      { keepers: false, keeperInterval: Duration.hours(6) },
      'ContradictoryKeeperProps',
      /keepers: false/,
    ],
    [
      'a keeper interval over a week',
      { keeperInterval: Duration.days(8) },
      'InvalidKeeperInterval',
      /7 days/,
    ],
    [
      'an echo URL that is not http(s)',
      { probe: true, probeEchoUrl: 'ftp://echo.example.com' },
      'InvalidProbeEchoUrl',
      /http\(s\) URL/,
    ],
    [
      'allocation capped below the need',
      { allocate: true, maxIps: 1, spares: 1 },
      'MaxIpsTooLow',
      /raise maxIps/,
    ],
    [
      'a runtime of another family',
      { runtime: Runtime.PYTHON_3_12 },
      'UnsupportedRuntime',
      /runtime python3\.12 cannot run .* use a Node\.js runtime from nodejs20\.x on/,
    ],
    ['a Node.js runtime before 20', { runtime: Runtime.NODEJS_18_X }, 'UnsupportedRuntime', /nodejs18\.x/],
    [
      'keeper placements without keepers',
      { keepers: false, keeperPlacements: [{ subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] }] },
      'ContradictoryKeeperProps',
      /keepers: true or drop keeperPlacements/,
    ],
    [
      'a keeper placement of 17 subnets',
      {
        keeperPlacements: [
          { subnetIds: Array.from({ length: 17 }, (_, n) => `subnet-${n}`), securityGroupIds: ['sg-1'] },
        ],
      },
      'InvalidKeeperPlacement',
      /keeperPlacements\[0\]\.subnetIds lists 17 ids; a Lambda VpcConfig takes 1 to 16/,
    ],
    [
      'a keeper placement without security groups',
      { keeperPlacements: [{ subnetIds: ['subnet-1'], securityGroupIds: [] }] },
      'InvalidKeeperPlacement',
      /securityGroupIds lists 0 ids/,
    ],
  ] as const)('refuses %s', (_, overrides, code, message) => {
    const error = thrownBy(build(overrides as Partial<HyperplaneEgressProps>));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^Bad\/Egress: /);
    expect(error.message).toMatch(message);
  });

  it('refuses a pool too small for the combinations and spares, naming the size that would do', () => {
    const error = thrownBy(build({ spares: 2 }, 2));
    expect(error.code).toBe('PoolTooSmall');
    expect(error.message).toMatch(
      /pool "bad" \(Bad\/Pool\) has 2 address\(es\), and the functions need 4 \(2 \(subnet, security-group set\) combination\(s\) \+ 2 spare\(s\)\)/,
    );
    expect(error.message).toMatch(/raise size to 4/);
  });
});

describe('HyperplaneEgress: functions added after construction', () => {
  /** mainStack's functions, given in props or added later (after another construct, as apps do). */
  function twoFunctions(late: boolean) {
    // One stack name for both: names of constructs appear in the template.
    const stack = new Stack(new App(), 'Egress');
    const { vpc, a, b, pool, topic } = shop(stack);
    // vpcs: the controller's role is written at construction, so only named VPCs narrow it for both.
    const props = { pool, vpcs: [vpc], probe: true, alarmTopic: topic, dashboard: true };
    const egress = new HyperplaneEgress(
      stack,
      'Egress',
      late ? props : { ...props, functions: [a, b.currentVersion] },
    );
    new Topic(stack, 'Unrelated');
    if (late) {
      expect(egress.combinations).toBe(0);
      egress.addFunction(a);
      egress.addFunction(b.currentVersion);
      egress.addFunction(a); // a second time: nothing new
    }
    return { stack, a, b, egress };
  }
  const given = twoFunctions(false);
  const added = twoFunctions(true);

  it('builds the same template as functions given in props: names, probes, schedules, alarms', () => {
    const resources = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as object;
    expect(resources(added.stack)).toEqual(resources(given.stack));
    expect(added.egress.combinations).toBe(3);
    expect(added.egress.probes).toHaveLength(3);
    expect(added.egress.probeAlarms).toHaveLength(2);
    expect(added.egress.alarms).toHaveLength(2 + 1 + 2);
    // The controller and the custom resource name the functions added later.
    const properties = Template.fromStack(added.stack).findResources('Custom::LambdaStaticIpPoolBinding');
    expect(Object.values(properties)[0]).toMatchObject({
      Properties: {
        Functions: [
          { Ref: id(added.stack, added.a) },
          { Ref: id(added.stack, added.b) },
          ...added.egress.probes.map((probe) => ({ Ref: id(added.stack, probe) })),
        ],
      },
    });
  });

  it('checks an added function as the prop: no VPC, a pool too small', () => {
    const stack = new Stack(new App(), 'Checked');
    const vpc = publicVpc(stack);
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'small', size: 2 });
    const egress = new HyperplaneEgress(stack, 'Egress', { pool, spares: 0 });
    const noVpc = new LambdaFunction(stack, 'NoVpc', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({});'),
    });
    const error = thrownBy(() => egress.addFunction(noVpc));
    expect(error.code).toBe('FunctionNotInVpc');
    expect(error.message).toMatch(/^Checked\/Egress: function Checked\/NoVpc is not attached to a VPC/);
    egress.addFunction(vpcFunction(stack, 'Fits', vpc, [securityGroup(stack, 'Sg1', vpc)]));
    const third = vpcFunction(stack, 'Third', vpc, [securityGroup(stack, 'Sg2', vpc)]);
    const small = thrownBy(() => egress.addFunction(third));
    expect(small.code).toBe('PoolTooSmall');
    expect(small.message).toMatch(/has 2 address\(es\), and the functions need 4 \(4 \(subnet/);
  });
});

describe('HyperplaneEgress: deploy-time values (CloudFormation parameters)', () => {
  /** The pool name, spares, maxIps, the topic and the named functions as parameters; a pool of 1. */
  function parameterised(id: string) {
    const stack = new Stack(new App(), id);
    const vpc = publicVpc(stack);
    const fn = vpcFunction(stack, 'Fn', vpc, [securityGroup(stack, 'Sg', vpc)]);
    const param = (name: string, type: string) => new CfnParameter(stack, name, { type });
    const pool = new StaticIpPool(stack, 'Pool', {
      poolName: param('PoolName', 'String').valueAsString,
      size: 1,
    });
    const egress = new HyperplaneEgress(stack, 'Egress', {
      pool,
      functions: [fn],
      functionNames: param('FunctionNames', 'CommaDelimitedList').valueAsList,
      // Two combinations and a pool of 1: the size check waits for the deployment's spares.
      spares: param('Spares', 'Number').valueAsNumber,
      allocate: true,
      maxIps: param('MaxIps', 'Number').valueAsNumber,
      alarmTopic: Topic.fromTopicArn(stack, 'Topic', param('TopicArn', 'String').valueAsString),
    });
    return { stack, fn, egress, template: Template.fromStack(stack) };
  }

  it('takes them as tokens: the controller, the custom resources and the alarms refer to the parameters', () => {
    const { stack, fn, egress, template } = parameterised('Parameterised');
    const environment = stack.resolve((egress.controller.node.defaultChild as CfnFunction).environment)
      .variables as Record<string, unknown>;
    expect(environment).toMatchObject({
      LSI_POOL: { Ref: 'PoolName' },
      LSI_SPARES: { Ref: 'Spares' },
      LSI_MAX_IPS: { Ref: 'MaxIps' },
      LSI_FUNCTIONS: { 'Fn::Join': [',', { Ref: 'FunctionNames' }] },
    });
    const binding = template.findResources('Custom::LambdaStaticIpPoolBinding');
    const properties = Object.values(binding)[0]?.Properties;
    expect(properties).toMatchObject({ Pool: { Ref: 'PoolName' }, Spares: { Ref: 'Spares' } });
    // The named functions, then the app's function and its keeper: joined and split by CloudFormation.
    expect(properties.Functions).toEqual({
      'Fn::Split': [
        ',',
        {
          'Fn::Join': [
            ',',
            [
              { 'Fn::Join': [',', { Ref: 'FunctionNames' }] },
              { Ref: id(stack, fn) },
              ...egress.keepers.map((keeper) => ({ Ref: id(stack, keeper) })),
            ],
          ],
        },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FreePoolIps',
      Threshold: { Ref: 'Spares' },
      AlarmActions: [{ Ref: 'TopicArn' }],
    });
    template.hasResourceProperties('AWS::EC2::EIP', {
      Tags: [{ Key: POOL_TAG_KEY, Value: { Ref: 'PoolName' } }],
    });
    // An output's description takes no intrinsic function: it says "the pool".
    for (const output of Object.values(template.findOutputs('*'))) {
      expect(typeof output.Description).toBe('string');
      expect(output.Description).not.toMatch(/\$\{Token/);
    }
  });

  it('keeps a placement of deploy-time subnets and groups with one keeper, which KeepersBound waits for', () => {
    const stack = new Stack(new App(), 'Placed');
    const list = (name: string) => new CfnParameter(stack, name, { type: 'CommaDelimitedList' }).valueAsList;
    const pool = StaticIpPool.fromPoolName(stack, 'Pool', 'placed');
    const egress = new HyperplaneEgress(stack, 'Egress', {
      pool,
      keeperPlacements: [{ subnetIds: list('Subnets'), securityGroupIds: list('Groups') }],
    });
    expect(egress.keepers).toHaveLength(1);
    const template = Template.fromStack(stack);
    const keeperId = id(stack, egress.keepers[0] as IFunction);
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: { Ref: 'Subnets' }, SecurityGroupIds: { Ref: 'Groups' } },
      Tags: Match.arrayWith([{ Key: POOL_TAG_KEY, Value: 'placed' }]),
    });
    template.hasResourceProperties('Custom::LambdaStaticIpKeepersBound', {
      Keepers: [{ Ref: keeperId }],
      KeeperPlacements: {
        'Fn::Join': [
          '/',
          [{ 'Fn::Join': ['+', { Ref: 'Subnets' }] }, { 'Fn::Join': ['+', { Ref: 'Groups' }] }],
        ],
      },
    });
    // The binding names the keeper too, so it comes after it.
    template.hasResourceProperties('Custom::LambdaStaticIpPoolBinding', { Functions: [{ Ref: keeperId }] });
  });

  it("with probe, gives a placement a probe of its own, checking the binding's AllowList, and an alarm for the placement", () => {
    const stack = new Stack(new App(), 'PlacedProbe');
    const list = (name: string) => new CfnParameter(stack, name, { type: 'CommaDelimitedList' }).valueAsList;
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'placed', size: 2 });
    const egress = new HyperplaneEgress(stack, 'Egress', {
      pool,
      probe: true,
      keeperPlacements: [{ subnetIds: list('Subnets'), securityGroupIds: list('Groups') }],
    });
    expect(egress.keepers).toHaveLength(1);
    expect(egress.probes).toHaveLength(1);
    const [keeper, probe] = [egress.keepers[0] as IFunction, egress.probes[0] as IFunction];
    expect(probe).not.toBe(keeper);
    const template = Template.fromStack(stack);
    const bindingId = id(stack, egress.customResource);
    const probeResource = template.toJSON().Resources[id(stack, probe)];
    expect(probeResource.Properties).toMatchObject({
      VpcConfig: { SubnetIds: { Ref: 'Subnets' }, SecurityGroupIds: { Ref: 'Groups' } },
      Environment: {
        Variables: {
          LSI_POOL: 'placed',
          LSI_ALLOW_LIST: { 'Fn::GetAtt': [bindingId, 'AllowList'] },
          LSI_PROBE_PLACEMENT: expect.stringMatching(/^Placement[0-9A-F]{8}$/),
        },
      },
    });
    const placement = probeResource.Properties.Environment.Variables.LSI_PROBE_PLACEMENT;
    // The keeper only keeps (inline code, no probe environment); the binding and the wait name only it.
    const keeperResource = template.toJSON().Resources[id(stack, keeper)];
    expect(keeperResource.Properties.Code).toHaveProperty('ZipFile');
    expect(keeperResource.Properties.Environment).toBeUndefined();
    template.hasResourceProperties('Custom::LambdaStaticIpKeepersBound', {
      Keepers: [{ Ref: id(stack, keeper) }],
    });
    template.hasResourceProperties('Custom::LambdaStaticIpPoolBinding', {
      Functions: [{ Ref: id(stack, keeper) }],
    });
    // One alarm, for the placement (the subnet it runs in is Lambda's pick).
    expect(egress.probeAlarms).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'EgressIpInPool',
      Dimensions: Match.arrayWith([{ Name: 'Placement', Value: placement }]),
      TreatMissingData: 'breaching',
    });
    // On the probe schedule, after the binding.
    const schedules = template.findResources('AWS::Events::Rule', {
      Properties: {
        ScheduleExpression: 'rate(5 minutes)',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id(stack, probe), 'Arn'] } })],
      },
    });
    expect(Object.values(schedules).map((rule) => rule.DependsOn)).toEqual([
      expect.arrayContaining([bindingId]),
    ]);
  });

  it('says that spares and maxIps are checked at deploy time, and still refuses bad literals', () => {
    const { egress } = parameterised('Warned');
    const warnings = egress.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:warning')
      .map((entry) => String(entry.data));
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^spares is a deploy-time value .* range 0-1000 .*\(PoolExhausted\)/),
        expect.stringMatching(/^maxIps is a deploy-time value .* range 1-1000/),
      ]),
    );
    const stack = new Stack(new App(), 'Bad');
    const vpc = publicVpc(stack);
    const fn = vpcFunction(stack, 'Fn', vpc, [securityGroup(stack, 'Sg', vpc)]);
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'bad', size: 5 });
    const named = thrownBy(
      () =>
        new HyperplaneEgress(stack, 'Egress', {
          pool,
          functions: [fn],
          functionNames: ['arn:aws:lambda:eu-west-1:123456789012:function:charge:live'],
        }),
    );
    expect(named.code).toBe('MalformedFunctionArn');
    expect(named.message).toMatch(/^Bad\/Egress: functionNames: .*names a version or alias/);
    const name = thrownBy(() => new StaticIpPool(stack, 'Named', { poolName: 'no spaces', size: 1 }));
    expect(name.code).toBe('InvalidPoolName');
  });
});

describe('HyperplaneEgress: a pool made elsewhere', () => {
  const warningsOf = (construct: IConstruct) =>
    construct.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:warning')
      .map((entry) => String(entry.data));
  /** One function in two public subnets: two combinations, plus the default spare. */
  function setup(id: string) {
    const stack = new Stack(new App(), id);
    const vpc = publicVpc(stack, 'egress');
    const fn = vpcFunction(stack, 'Fn', vpc, [securityGroup(stack, 'Sg', vpc)]);
    return { stack, vpc, fn };
  }

  it('binds a pool imported by name, checking its size at deploy time with a warning', () => {
    const { stack, vpc, fn } = setup('ByName');
    const pool = StaticIpPool.fromPoolName(stack, 'Pool', 'made-by-cli');
    const egress = new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn] });
    const environment = stack.resolve((egress.controller.node.defaultChild as CfnFunction).environment) as {
      variables: Record<string, string>;
    };
    expect(environment.variables.LSI_POOL).toBe('made-by-cli');
    expect(warningsOf(egress)).toEqual([
      expect.stringMatching(
        /^pool "made-by-cli" \(ByName\/Pool\) was imported by name, so its size is unknown at synth: it needs an IP per \(subnet, security-group set\) of the functions plus 1 spare\(s\), and the deployment fails with PoolExhausted/,
      ),
    ]);
    // Its public IPs are the custom resource's to tell, at deploy time.
    expect(stack.resolve(egress.allowList)).toEqual({
      'Fn::Split': [',', { 'Fn::GetAtt': [id(stack, egress.customResource), 'AllowList'] }],
    });
    // The addresses the probe and the NAT gateways need are not known.
    const probe = thrownBy(
      () => new HyperplaneEgress(stack, 'Probed', { pool, functions: [fn], probe: true }),
    );
    expect(probe.code).toBe('PoolAddressesUnknown');
    expect(probe.message).toMatch(
      /^ByName\/Probed: probe: true checks .*\.fromAllocationIds.*, or turn probe off/,
    );
    const nat = thrownBy(() => new NatGatewayEgress(stack, 'Nat', { vpc, pool }));
    expect(nat.code).toBe('PoolAddressesUnknown');
    expect(nat.message).toMatch(/^ByName\/Nat: needs the allocation ids of 2 address/);
  });

  it('probes and sizes a pool imported by its allocation ids with the looked-up IPs', () => {
    const { stack, fn } = setup('ByIds');
    const ids = ['eipalloc-0000000a', 'eipalloc-0000000b', 'eipalloc-0000000c'];
    const short = StaticIpPool.fromAllocationIds(stack, 'Short', {
      poolName: 'p',
      allocationIds: ids.slice(0, 1),
    });
    const error = thrownBy(() => new HyperplaneEgress(stack, 'TooSmall', { pool: short, functions: [fn] }));
    expect(error.code).toBe('PoolTooSmall');
    expect(error.message).toMatch(
      /has 1 address\(es\), and the functions need 3 .*import 2 more of the pool/,
    );

    const pool = StaticIpPool.fromAllocationIds(stack, 'Pool', { poolName: 'p', allocationIds: ids });
    const egress = new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn], probe: true });
    expect(egress.allowList).toEqual(pool.addresses?.map((address) => address.publicIp));
    const [probe] = egress.probes as [IFunction];
    const variables = stack.resolve((probe.node.defaultChild as CfnFunction).environment) as {
      variables: Record<string, unknown>;
    };
    expect(JSON.stringify(variables.variables.LSI_ALLOW_LIST)).toMatch(
      /PoolLookup1.*PoolLookup2.*PoolLookup3/,
    );
    expect(warningsOf(egress)).toEqual([]);
  });
});

describe('HyperplaneEgress: runtime', () => {
  it("runs the controller, the deployment handler and the probes on the runtime given, the user's functions on theirs", () => {
    const stack = new Stack(new App(), 'Runtime');
    const vpc = publicVpc(stack);
    const fn = vpcFunction(stack, 'Fn', vpc, [securityGroup(stack, 'Sg', vpc)]);
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'newer', size: 3 });
    const nodejs24 = new Runtime('nodejs24.x', RuntimeFamily.NODEJS);
    const egress = new HyperplaneEgress(stack, 'Egress', {
      pool,
      functions: [fn],
      probe: true,
      runtime: nodejs24,
    });
    const runtimeOf = (f: IFunction) => (f.node.defaultChild as CfnFunction).runtime;
    const own = [egress.controller, egress.deploymentHandler, ...egress.probes];
    expect(own).toHaveLength(4);
    for (const f of own) expect(runtimeOf(f)).toBe('nodejs24.x');
    expect(runtimeOf(fn)).toBe('nodejs22.x');
    // nodejs20.x is the oldest the bundles (target node20) run on.
    const oldest = new HyperplaneEgress(stack, 'Oldest', {
      pool,
      functions: [fn],
      runtime: Runtime.NODEJS_20_X,
    });
    expect(runtimeOf(oldest.controller)).toBe('nodejs20.x');
  });
});

describe('HyperplaneEgress: a pool shared with NatGatewayEgress', () => {
  /** What a template value reads as once deployed, with `Logical.Attribute` for each GetAtt. */
  function deployed(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map(deployed);
    const intrinsic = value as Record<string, unknown>;
    if ('Fn::GetAtt' in intrinsic) return (intrinsic['Fn::GetAtt'] as string[]).join('.');
    if ('Ref' in intrinsic) return intrinsic.Ref;
    if ('Fn::Join' in intrinsic) {
      const [delimiter, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
      return parts.map(deployed).join(delimiter);
    }
    return value;
  }
  const bindingIdOf = (t: Template) =>
    Object.keys(t.findResources('Custom::LambdaStaticIpPoolBinding'))[0] as string;
  const gatewayAllocationIds = () =>
    Object.values(resourcesOf(sharedTemplate, 'AWS::EC2::NatGateway')).map((gateway) =>
      deployed(gateway.Properties.AllocationId),
    );

  it('claims nothing, so the NAT gateways constructed after it take the first addresses', () => {
    expect(shared.pool.holders.map((holder) => holder.consumer)).toEqual(['Shared/Nat']);
    expect(shared.pool.claimedAllocationIds()).toEqual(shared.nat.addresses.map((a) => a.allocationId));
    expect(shared.pool.claimedAllocationIds({ except: shared.nat })).toEqual([]);
    const firstTwo = shared.pool.allocationIds.slice(0, 2);
    expect(gatewayAllocationIds()).toEqual(firstTwo.map((id) => deployed(shared.stack.resolve(id))));
  });

  it("reserves the gateways' addresses for them: LSI_RESERVED and ReservedAllocationIds", () => {
    const controllers = Object.values(resourcesOf(sharedTemplate, 'AWS::Lambda::Function')).filter((fn) =>
      JSON.stringify(fn.Properties.Environment ?? {}).includes('LSI_RESERVED'),
    );
    expect(controllers).toHaveLength(2); // the controller and the deployment handler
    for (const fn of controllers) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(JSON.parse(deployed(variables.LSI_RESERVED) as string)).toEqual(gatewayAllocationIds());
    }
    const [binding] = Object.values(resourcesOf(sharedTemplate, 'Custom::LambdaStaticIpPoolBinding'));
    expect(deployed(binding?.Properties.ReservedAllocationIds)).toEqual(gatewayAllocationIds());
    const [wait] = Object.values(resourcesOf(sharedTemplate, 'Custom::LambdaStaticIpKeepersBound'));
    expect(deployed(wait?.Properties.ReservedAllocationIds)).toEqual(gatewayAllocationIds());
  });

  it('leaves the controller and the custom resource unchanged when NatGatewayEgress replaces a placeholder claim', () => {
    // docs/switching.md: reserve the gateways' addresses in one deployment, create the gateways in the next.
    const placeholderApp = new App();
    const stack = new Stack(placeholderApp, 'Shared');
    const vpc = publicVpc(stack, 'egress');
    const fn = vpcFunction(stack, 'Fn', vpc, [securityGroup(stack, 'Sg', vpc)]);
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'moving', size: 5 });
    new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn] });
    pool.claim(new Construct(stack, 'NatGatewayAddresses'), 2, 'reserved for the NAT gateways');
    const before = Template.fromStack(stack);
    before.resourceCountIs('AWS::EC2::NatGateway', 0);
    const ownResources = (t: Template) =>
      Object.fromEntries(
        Object.entries(t.toJSON().Resources as Record<string, { Type: string; Properties?: unknown }>)
          .filter(([logicalId]) => logicalId.startsWith('Egress'))
          .map(([logicalId, resource]) => [logicalId, resource.Properties]),
      );
    expect(Object.keys(ownResources(before))).toEqual(
      expect.arrayContaining([bindingIdOf(before), expect.stringMatching(/^EgressController/)]),
    );
    expect(ownResources(sharedTemplate)).toEqual(ownResources(before));
  });

  it('fails synth when the pool is too small once the later consumers hold theirs, naming them', () => {
    const small = new App();
    sharedStack(small, 4);
    expect(() => small.synth()).toThrow(
      /\[Shared\/Egress\] PoolTooSmall: pool "moving" \(Shared\/Pool\) has 4 address\(es\), of which Shared\/Nat holds 2 \(the controller leaves those alone\): 2 left for the functions, which need 3 .*raise size to 5/,
    );
  });

  it('refuses at once when the other consumer came first, and counts its holdings against maxIps', () => {
    const stack = new Stack(new App(), 'First');
    const vpc = publicVpc(stack, 'egress');
    const fn = vpcFunction(stack, 'Fn', vpc, [securityGroup(stack, 'Sg', vpc)]);
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'first', size: 4 });
    new NatGatewayEgress(stack, 'Nat', { vpc, pool });
    const error = thrownBy(() => new HyperplaneEgress(stack, 'Egress', { pool, functions: [fn] }));
    expect(error.code).toBe('PoolTooSmall');
    expect(error.message).toMatch(/^First\/Egress: pool "first" .* of which First\/Nat holds 2/);

    const capped = thrownBy(
      () => new HyperplaneEgress(stack, 'Allocating', { pool, functions: [fn], allocate: true, maxIps: 4 }),
    );
    expect(capped.code).toBe('MaxIpsTooLow');
    expect(capped.message).toMatch(
      /plus the 2 address\(es\) other consumers .* hold \(First\/Nat holds 2\).*raise maxIps to 5/,
    );
  });
});

describe('HyperplaneEgress: templates', () => {
  // Every stack of this file at once: with a keeper per combination, cfn-lint needs more than a minute on
  // a busy machine.
  it('pass cfn-lint: no error, only justified warnings', { timeout: 180_000 }, () => {
    expectCleanCfnLint(templatePaths);
  });
});
