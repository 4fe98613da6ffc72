import { describe, expect, it } from 'vitest';
import { controllerStatements, type PolicyDocument } from '../../src/core/iam-policy.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { referenceProblems } from '../support/service-authorization.js';

// iam-policy makes no AWS call, so the clients are never built.
const offline = { clientOptions: { region: 'us-east-1' } };

const WHO = [
  ['--for', 'cli'],
  ['--for', 'cli', '--access', 'read'],
  ['--for', 'cli', '--access', 'write'],
  ['--for', 'cli', '--access', 'release'],
  ['--for', 'cli', '--access', 'keepers'],
  ['--for', 'cli', '--access', 'all'],
  ['--for', 'controller'],
];
const SCOPES = [
  [],
  [
    '--pool',
    'payments',
    '--account',
    '123456789012',
    '--region',
    'eu-west-1',
    '--vpc',
    'vpc-0123456789abcdef0',
  ],
  ['--partition', 'aws-us-gov', '--vpc', 'vpc-12345678', '--vpc', 'vpc-87654321'],
];

describe('every statement iam-policy prints fits the Service Authorization Reference', () => {
  it.each(WHO.flatMap((who) => SCOPES.map((scope) => [[...who, ...scope].join(' '), [...who, ...scope]])))(
    'iam-policy %s',
    async (_, args) => {
      const run = await runCliInProcess(['iam-policy', ...args], offline);
      expect(run.code).toBe(0);
      const policy = run.json<PolicyDocument>();
      expect(policy.Statement.length).toBeGreaterThan(0);
      expect(policy.Statement.flatMap((statement) => referenceProblems(statement, statement.Sid))).toEqual(
        [],
      );
    },
  );

  it('and so does the controller without allocation', () => {
    const statements = controllerStatements({ pool: 'p', vpcs: ['vpc-12345678'] }, { allocate: false });
    expect(statements.flatMap((statement) => referenceProblems(statement, statement.Sid))).toEqual([]);
  });
});

describe('the reference check fails on what IAM would silently never match', () => {
  it.each([
    [
      'a misspelt action',
      { Action: 'ec2:AssociateAdress', Resource: '*' },
      /ec2:AssociateAdress is not an action of ec2/,
    ],
    [
      'an unknown service',
      { Action: 'ecc2:AssociateAddress', Resource: '*' },
      /no extract for service prefix "ecc2"/,
    ],
    [
      'an ARN of no resource type of the action',
      { Action: 'ec2:DisassociateAddress', Resource: 'arn:aws:ec2:*:*:instance/*' },
      /ec2:DisassociateAddress on arn:aws:ec2:\*:\*:instance\/\*: the ARN fits none of its resource types/,
    ],
    [
      'a misspelt resource type',
      { Action: 'ec2:AssociateAddress', Resource: 'arn:aws:ec2:*:*:elasticip/*' },
      /fits none of its resource types/,
    ],
    [
      'a resource for an action without resource-level permissions',
      { Action: 'lambda:ListFunctions', Resource: 'arn:aws:lambda:*:*:function:*' },
      /lambda:ListFunctions supports no resource-level permissions/,
    ],
    [
      'a condition key the resource type does not have',
      {
        Action: 'ec2:AssociateAddress',
        Resource: 'arn:aws:ec2:*:*:elastic-ip/*',
        Condition: { ArnLike: { 'ec2:Vpc': 'arn:aws:ec2:*:*:vpc/vpc-12345678' } },
      },
      /ec2:AssociateAddress accepts no condition key ec2:Vpc on elastic-ip/,
    ],
    [
      'a misspelt condition key',
      {
        Action: 'ec2:AssociateAddress',
        Resource: 'arn:aws:ec2:*:*:network-interface/*',
        Condition: { ArnLike: { 'ec2:Vpcs': 'arn:aws:ec2:*:*:vpc/vpc-12345678' } },
      },
      /accepts no condition key ec2:Vpcs/,
    ],
    [
      'a string operator on an ARN key',
      {
        Action: 'ec2:AssociateAddress',
        Resource: 'arn:aws:ec2:*:*:network-interface/*',
        Condition: { StringEquals: { 'ec2:Vpc': 'vpc-12345678' } },
      },
      /StringEquals does not fit ec2:Vpc, whose type is ARN/,
    ],
  ])('%s', (_, statement, problem) => {
    const problems = referenceProblems(statement, 'test');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});
