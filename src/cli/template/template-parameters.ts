import {
  CfnCondition,
  CfnParameter,
  CfnRule,
  Fn,
  type ICfnRuleConditionExpression,
  type Stack,
} from 'aws-cdk-lib';

/**
 * The most addresses the template can allocate (its `Size` parameter's largest value): each is an
 * `AWS::EC2::EIP` behind a condition on `Size`. Above the default quota of 5 per Region.
 */
export const TEMPLATE_MAX_SIZE = 8;

/** The template's parameters, as the constructs take them, and the conditions built on them. */
export interface TemplateParameters {
  readonly poolName: CfnParameter;
  readonly allocationIds: CfnParameter;
  readonly spares: CfnParameter;
  readonly maxIps: CfnParameter;
  readonly alarmTopicArn: CfnParameter;
  readonly functionNames: CfnParameter;
  readonly keeperSubnetIds: CfnParameter;
  readonly keeperSecurityGroupIds: CfnParameter;
  /** `Keepers` is true: one keeper holds the ENIs of the keeper subnets with that security-group set. */
  readonly hasKeepers: CfnCondition;
  /** `Probe` is true: a probe in the keeper subnets with KeeperSecurityGroupIds checks their egress IP. */
  readonly hasProbe: CfnCondition;
  /** Keepers or Probe: the role and log group they share exist. */
  readonly hasKeepersOrProbe: CfnCondition;
  /** Without `AllocationIds`: the stack allocates `Size` addresses. */
  readonly allocating: CfnCondition;
  /** With `AllocationIds`: the stack tags them for the pool. */
  readonly adopting: CfnCondition;
  /** `MaxIps` above 0: the controller allocates. */
  readonly controllerAllocates: CfnCondition;
  readonly hasAlarmTopic: CfnCondition;
  /** `AllocateAddress<n>`: the n-th address (1-based) exists: `Size` >= n, and no `AllocationIds`. */
  readonly allocateAddress: readonly CfnCondition[];
}

/** The condition "MaxIps is above 0": the controller allocates, and its role may. */
export const CONTROLLER_ALLOCATES = 'ControllerAllocates';

/**
 * Declares the parameters, their conditions and the rule that refuses a pool without addresses in
 * `stack`, in the order the console shows them.
 */
export function templateParameters(stack: Stack): TemplateParameters {
  const poolName = new CfnParameter(stack, 'PoolName', {
    type: 'String',
    description: "The pool's name: the lambda-static-ip:pool tag of its addresses and of its functions",
    allowedPattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
    constraintDescription: "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
  });
  const size = new CfnParameter(stack, 'Size', {
    type: 'Number',
    description:
      'How many Elastic IPs the stack allocates (retained when the stack goes or Size shrinks); 0 with AllocationIds',
    default: '0',
    allowedValues: Array.from({ length: TEMPLATE_MAX_SIZE + 1 }, (_, n) => String(n)),
  });
  const allocationIds = new CfnParameter(stack, 'AllocationIds', {
    type: 'CommaDelimitedList',
    description:
      'Elastic IPs you own to adopt (tagged for the pool, never released by the stack); empty: allocate Size',
    default: '',
  });
  const spares = new CfnParameter(stack, 'Spares', {
    type: 'Number',
    description: 'Free pool IPs the controller keeps ready for a new ENI',
    default: 1,
    minValue: 0,
    maxValue: 1000,
  });
  const maxIps = new CfnParameter(stack, 'MaxIps', {
    type: 'Number',
    description: 'The controller allocates tagged Elastic IPs itself, up to this many in the pool; 0: never',
    default: 0,
    minValue: 0,
    maxValue: 1000,
  });
  const alarmTopicArn = new CfnParameter(stack, 'AlarmTopicArn', {
    type: 'String',
    description: 'SNS topic the alarms notify on ALARM and OK; empty: none',
    default: '',
    allowedPattern: '^(arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+)?$',
  });
  const functionNames = new CfnParameter(stack, 'FunctionNames', {
    type: 'CommaDelimitedList',
    description:
      'Functions (names or ARNs) that exist before this stack and whose ENIs every deployment waits for, failing with what is missing; tagged functions join the pool without being named',
    default: '',
  });
  const keepers = new CfnParameter(stack, 'Keepers', {
    type: 'String',
    description:
      'true: a keeper function in KeeperSubnetIds with KeeperSecurityGroupIds makes Lambda create those ENIs, and the stack completes only once each holds a pool IP: order your functions after this stack (DependsOn) so they move onto bound ENIs only',
    default: 'false',
    allowedValues: ['true', 'false'],
  });
  const probe = new CfnParameter(stack, 'Probe', {
    type: 'String',
    description:
      'true: a probe function in KeeperSubnetIds with KeeperSecurityGroupIds checks every 5 minutes that it egresses from an allow-listed pool IP, with one alarm for all those subnets (Lambda runs it in one of them at a time)',
    default: 'false',
    allowedValues: ['true', 'false'],
  });
  const keeperSubnetIds = new CfnParameter(stack, 'KeeperSubnetIds', {
    type: 'CommaDelimitedList',
    description: "With Keepers or Probe: the public subnets of your pool functions' VpcConfig (1-16)",
    default: '',
  });
  const keeperSecurityGroupIds = new CfnParameter(stack, 'KeeperSecurityGroupIds', {
    type: 'CommaDelimitedList',
    description:
      "With Keepers or Probe: the security groups of your pool functions' VpcConfig (1-5), exactly that set",
    default: '',
  });

  const hasKeepers = new CfnCondition(stack, 'HasKeepers', {
    expression: Fn.conditionEquals(keepers.valueAsString, 'true'),
  });
  const hasProbe = new CfnCondition(stack, 'HasProbe', {
    expression: Fn.conditionEquals(probe.valueAsString, 'true'),
  });
  const hasKeepersOrProbe = new CfnCondition(stack, 'HasKeepersOrProbe', {
    expression: Fn.conditionOr(hasKeepers, hasProbe),
  });
  const allocating = new CfnCondition(stack, 'Allocating', {
    expression: Fn.conditionEquals(Fn.join(',', allocationIds.valueAsList), ''),
  });
  const adopting = new CfnCondition(stack, 'Adopting', { expression: Fn.conditionNot(allocating) });
  const controllerAllocates = new CfnCondition(stack, CONTROLLER_ALLOCATES, {
    expression: Fn.conditionNot(Fn.conditionEquals(maxIps.valueAsString, '0')),
  });
  const hasAlarmTopic = new CfnCondition(stack, 'HasAlarmTopic', {
    expression: Fn.conditionNot(Fn.conditionEquals(alarmTopicArn.valueAsString, '')),
  });
  // Address n exists when Size >= n and no AllocationIds are given. CloudFormation has no comparison:
  // "not one of 0..n-1" is ">= n" for the allowed values.
  const allocateAddress = Array.from({ length: TEMPLATE_MAX_SIZE }, (_, index) => {
    const smaller = Array.from({ length: index + 1 }, (_, n) =>
      Fn.conditionEquals(size.valueAsString, String(n)),
    );
    return new CfnCondition(stack, `AllocateAddress${index + 1}`, {
      expression: Fn.conditionAnd(allocating, Fn.conditionNot(orOf(smaller))),
    });
  });

  new CfnRule(stack, 'SizeOrAllocationIds', {
    assertions: [
      {
        assert: Fn.conditionOr(
          Fn.conditionNot(Fn.conditionEquals(size.valueAsString, '0')),
          Fn.conditionNot(Fn.conditionEachMemberEquals(allocationIds.valueAsList, '')),
          Fn.conditionNot(Fn.conditionEquals(maxIps.valueAsString, '0')),
        ),
        assertDescription:
          'the pool would have no address: give Size (1-8) to allocate, AllocationIds to adopt, or MaxIps to let the controller allocate',
      },
    ],
  });
  // Keepers and Probe each need the placement they are put in.
  for (const [id, flag] of [
    ['KeeperPlacement', keepers],
    ['ProbePlacement', probe],
  ] as const) {
    const needs = (list: CfnParameter, what: string) => ({
      assert: Fn.conditionNot(Fn.conditionEachMemberEquals(list.valueAsList, '')),
      assertDescription: `${flag.logicalId} is true: give ${list.logicalId}, the ${what} of your pool functions`,
    });
    new CfnRule(stack, id, {
      ruleCondition: Fn.conditionEquals(flag.valueAsString, 'true'),
      assertions: [needs(keeperSubnetIds, 'subnets'), needs(keeperSecurityGroupIds, 'security groups')],
    });
  }
  return {
    poolName,
    hasProbe,
    hasKeepersOrProbe,
    keeperSubnetIds,
    keeperSecurityGroupIds,
    hasKeepers,
    allocationIds,
    spares,
    maxIps,
    alarmTopicArn,
    functionNames,
    allocating,
    adopting,
    controllerAllocates,
    hasAlarmTopic,
    allocateAddress,
  };
}

function orOf(conditions: ICfnRuleConditionExpression[]): ICfnRuleConditionExpression {
  const [first, ...rest] = conditions;
  if (first === undefined) throw new Error('orOf needs a condition');
  return rest.length === 0 ? first : Fn.conditionOr(first, ...rest);
}
