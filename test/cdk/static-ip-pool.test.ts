import { CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { StaticIpPool } from '../../src/cdk/index.js';
import { controllerStatements, iamPolicy, type PolicyStatement } from '../../src/core/iam-policy.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { expectCleanCfnLint, synthesize, testApp } from '../support/cfn-lint.js';
import { thrownBy } from '../support/thrown.js';

const ADOPTED = ['eipalloc-0123456789abcdef0', 'eipalloc-12345678'];

// One app, synthesised once for the whole file.
const app = testApp();
const allocatedStack = new Stack(app, 'Allocated');
const allocated = new StaticIpPool(allocatedStack, 'Pool', { poolName: 'prod', size: 3 });
const destroyStack = new Stack(app, 'Destroyable');
new StaticIpPool(destroyStack, 'Pool', {
  poolName: 'scratch',
  size: 1,
  removalPolicy: RemovalPolicy.DESTROY,
});
const adoptedStack = new Stack(app, 'Adopted');
const adopted = new StaticIpPool(adoptedStack, 'Pool', {
  poolName: 'vendor-a',
  existingAllocationIds: ADOPTED,
});
// A pool made elsewhere, imported with its allocation ids, and roles granted on pools.
const importedStack = new Stack(app, 'Imported');
const imported = StaticIpPool.fromAllocationIds(importedStack, 'Pool', {
  poolName: 'vendor-b',
  allocationIds: ADOPTED,
});
const byName = StaticIpPool.fromPoolName(importedStack, 'ByName', 'elsewhere');
const role = (id: string) => new Role(importedStack, id, { assumedBy: new AccountRootPrincipal() });
const readerRole = role('Reader');
const binderRole = role('Binder');
const allocatorRole = role('Allocator');
const readGrant = byName.grantRead(readerRole);
const bindGrant = imported.grantBind(binderRole);
imported.grantBind(allocatorRole, { allocate: true });
const {
  templates: [allocatedTemplate, destroyTemplate, adoptedTemplate, importedTemplate],
  templatePaths,
} = synthesize([allocatedStack, destroyStack, adoptedStack, importedStack]);

describe('StaticIpPool with size', () => {
  it('allocates that many VPC Elastic IPs, each tagged with the pool and retained by default', () => {
    allocatedTemplate.resourceCountIs('AWS::EC2::EIP', 3);
    const eips = allocatedTemplate.findResources('AWS::EC2::EIP');
    for (const eip of Object.values(eips)) {
      expect(eip).toMatchObject({
        Properties: { Domain: 'vpc', Tags: [{ Key: POOL_TAG_KEY, Value: 'prod' }] },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });

  it('exposes allocation ids and public IPs, and outputs the allow-list', () => {
    expect(allocated.allocationIds).toHaveLength(3);
    expect(allocated.publicIps).toHaveLength(3);
    expect(allocated.adopted).toBe(false);
    const eipIds = Object.keys(allocatedTemplate.findResources('AWS::EC2::EIP'));
    allocatedTemplate.hasOutput('*', {
      Value: { 'Fn::Join': [',', eipIds.map((id) => ({ 'Fn::GetAtt': [id, 'PublicIp'] }))] },
    });
  });

  it('honours an explicit removal policy', () => {
    destroyTemplate.hasResource('AWS::EC2::EIP', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });
});

describe('StaticIpPool with existingAllocationIds', () => {
  it('allocates nothing and tags the addresses at create and update, never untagging on delete', () => {
    adoptedTemplate.resourceCountIs('AWS::EC2::EIP', 0);
    const tagCall = Match.serializedJson(
      Match.objectLike({
        service: 'EC2',
        action: 'CreateTags',
        parameters: { Resources: ADOPTED, Tags: [{ Key: POOL_TAG_KEY, Value: 'vendor-a' }] },
      }),
    );
    adoptedTemplate.hasResourceProperties('Custom::LambdaStaticIpPoolAdoption', {
      Create: tagCall,
      Update: tagCall,
      Delete: Match.absent(),
      InstallLatestAwsSdk: false,
    });
  });

  it('lets the tagging role tag only those allocation ARNs, with only the pool tag', () => {
    adoptedTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'ec2:CreateTags',
            Effect: 'Allow',
            Resource: ADOPTED.map((id) => ({
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':ec2:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  `:elastic-ip/${id}`,
                ],
              ],
            })),
            Condition: {
              StringEquals: { [`aws:RequestTag/${POOL_TAG_KEY}`]: 'vendor-a' },
              'ForAllValues:StringEquals': { 'aws:TagKeys': [POOL_TAG_KEY] },
            },
          },
        ],
      },
    });
    // No statement anywhere in the stack may release or untag an address.
    const policies = JSON.stringify(adoptedTemplate.findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/ReleaseAddress|DeleteTags|DisassociateAddress/);
  });

  it('looks up each public IP on its own, keeping it paired with its allocation id', () => {
    adoptedTemplate.resourceCountIs('Custom::LambdaStaticIpPoolAddress', 2);
    for (const id of ADOPTED) {
      adoptedTemplate.hasResourceProperties('Custom::LambdaStaticIpPoolAddress', {
        Create: Match.serializedJson(
          Match.objectLike({
            action: 'DescribeAddresses',
            parameters: { AllocationIds: [id] },
            outputPaths: ['Addresses.0.PublicIp'],
          }),
        ),
      });
    }
    expect(adopted.allocationIds).toEqual(ADOPTED);
    expect(adopted.adopted).toBe(true);
    adoptedTemplate.hasOutput('*', {
      Value: {
        'Fn::Join': [
          ',',
          [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^PoolLookup1'), 'Addresses.0.PublicIp'] },
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^PoolLookup2'), 'Addresses.0.PublicIp'] },
          ],
        ],
      },
    });
  });
});

describe('StaticIpPool.claim', () => {
  it('hands each consumer addresses no other consumer holds, in pool order', () => {
    const stack = new Stack();
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'p', size: 3 });
    const first = pool.claim(new Construct(stack, 'Nlb'), 2);
    const second = pool.claim(new Construct(stack, 'Nat'), 1);
    expect(first).toEqual(pool.addresses.slice(0, 2));
    expect(second).toEqual(pool.addresses.slice(2));
    expect(pool.unclaimed).toBe(0);
  });

  it('says who holds what, and the allocation ids held by every consumer or all but one', () => {
    const stack = new Stack();
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'p', existingAllocationIds: ADOPTED });
    expect(pool.claimedAllocationIds()).toEqual([]);
    const nat = new Construct(stack, 'Nat');
    pool.claim(nat, 1);
    pool.claim(new Construct(stack, 'Nlb'), 1);
    expect(pool.holders).toEqual([
      { consumer: 'Default/Nat', addresses: [pool.addresses[0]] },
      { consumer: 'Default/Nlb', addresses: [pool.addresses[1]] },
    ]);
    expect(pool.claimedAllocationIds()).toEqual(ADOPTED);
    expect(pool.claimedAllocationIds({ except: nat })).toEqual(ADOPTED.slice(1));
  });

  it('refuses to overdraw, naming the pool, the consumer, who holds what and the size that would do', () => {
    const stack = new Stack();
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'p', size: 2 });
    pool.claim(new Construct(stack, 'Nlb'), 2);
    const error = thrownBy(() => pool.claim(new Construct(stack, 'Nat'), 2, 'one per NAT gateway'));
    expect(error.code).toBe('PoolTooSmall');
    expect(error.message).toContain('Default/Nat: needs 2 address(es) (one per NAT gateway)');
    expect(error.message).toContain('pool "p" (Default/Pool), which has 2 and Default/Nlb holds 2');
    expect(error.message).toContain('raise size to 4');
  });

  it('tells an adopted pool to adopt more', () => {
    const stack = new Stack();
    const pool = new StaticIpPool(stack, 'Pool', { poolName: 'p', existingAllocationIds: ADOPTED });
    expect(thrownBy(() => pool.claim(stack, 3)).message).toContain('adopt 1 more existingAllocationIds');
  });
});

describe('StaticIpPool.fromPoolName and fromAllocationIds', () => {
  it('imports a pool by name without a resource or an address, and no consumer can claim from it', () => {
    const stack = new Stack();
    const pool = StaticIpPool.fromPoolName(stack, 'Pool', 'made-by-cli');
    expect(pool.poolName).toBe('made-by-cli');
    expect(pool.addresses).toBeUndefined();
    expect(stack.node.findAll().filter((c) => c instanceof CfnResource)).toEqual([]);
    const error = thrownBy(() => pool.claim(new Construct(stack, 'Nat'), 2, 'one per NAT gateway'));
    expect(error.code).toBe('PoolAddressesUnknown');
    expect(error.message).toMatch(
      /^Default\/Nat: needs the allocation ids of 2 address\(es\) \(one per NAT gateway\) of pool "made-by-cli" at synth, but Default\/Pool was imported by name.*StaticIpPool\.fromAllocationIds/,
    );
    expect(pool.holders).toEqual([]);
    expect(pool.claimedAllocationIds()).toEqual([]);
  });

  it('imports a pool by its allocation ids: looked up, never tagged, allocated or released', () => {
    expect(imported.addresses?.map((address) => address.allocationId)).toEqual(ADOPTED);
    importedTemplate.resourceCountIs('AWS::EC2::EIP', 0);
    importedTemplate.resourceCountIs('Custom::LambdaStaticIpPoolAdoption', 0);
    for (const id of ADOPTED) {
      importedTemplate.hasResourceProperties('Custom::LambdaStaticIpPoolAddress', {
        Create: Match.serializedJson(
          Match.objectLike({ action: 'DescribeAddresses', parameters: { AllocationIds: [id] } }),
        ),
      });
    }
    const publicIp = importedStack.resolve(imported.addresses?.[1]?.publicIp);
    expect(publicIp).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^PoolLookup2/), 'Addresses.0.PublicIp'],
    });
  });

  it('lets consumers claim the imported ids in order, and tells them to import more', () => {
    const stack = new Stack();
    const pool = StaticIpPool.fromAllocationIds(stack, 'Pool', { poolName: 'p', allocationIds: ADOPTED });
    expect(pool.claim(new Construct(stack, 'Nlb'), 1).map((address) => address.allocationId)).toEqual([
      ADOPTED[0],
    ]);
    const error = thrownBy(() => pool.claim(new Construct(stack, 'Nat'), 2));
    expect(error.code).toBe('PoolTooSmall');
    expect(error.message).toContain('Default/Nlb holds 1: import 1 more of the pool');
  });

  it.each([
    [
      'an invalid pool name',
      () => StaticIpPool.fromPoolName(new Stack(), 'Pool', 'no spaces'),
      'InvalidPoolName',
    ],
    [
      'no allocation id',
      () => StaticIpPool.fromAllocationIds(new Stack(), 'Pool', { poolName: 'p', allocationIds: [] }),
      'InvalidAllocationIds',
    ],
    [
      'a malformed allocation id',
      () => StaticIpPool.fromAllocationIds(new Stack(), 'Pool', { poolName: 'p', allocationIds: ['eip-1'] }),
      'InvalidAllocationId',
    ],
  ])('rejects %s at synth time, naming the construct path', (_, build, code) => {
    const error = thrownBy(build);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^Default\/Pool: /);
  });
});

describe('StaticIpPool grants', () => {
  /** The statements of the policy attached to a role, as CloudFormation gets them. */
  function statementsOf(template: Template, roleConstruct: Role): Record<string, unknown>[] {
    const roleId = importedStack.getLogicalId(roleConstruct.node.defaultChild as CfnResource);
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    ) as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }[];
    expect(policies).toHaveLength(1);
    return policies[0]?.Properties.PolicyDocument.Statement ?? [];
  }
  /** The project's own statements for the imported stack, rendered as CDK renders a statement. */
  function rendered(statements: readonly PolicyStatement[]): Record<string, unknown>[] {
    const one = (value: unknown) => (Array.isArray(value) && value.length === 1 ? value[0] : value);
    return statements.map(({ Sid: _, ...statement }) =>
      importedStack.resolve({
        ...statement,
        Action: one(statement.Action),
        Resource: one(statement.Resource),
      }),
    );
  }
  const scope = (pool: string) => ({
    pool,
    partition: importedStack.partition,
    region: importedStack.region,
    account: importedStack.account,
  });

  it('grants read as iam-policy --access read prints it, statement for statement', () => {
    expect(statementsOf(importedTemplate, readerRole)).toEqual(
      rendered(iamPolicy('cli-read', scope('elsewhere')).Statement),
    );
    expect(readGrant.success).toBe(true);
  });

  it("grants bind as the controller's policy, scoped to the pool's tag, without allocation unless asked", () => {
    const bind = statementsOf(importedTemplate, binderRole);
    expect(bind).toEqual(rendered(controllerStatements(scope('vendor-b'), { allocate: false })));
    expect(JSON.stringify(bind)).toContain(`"ec2:ResourceTag/${POOL_TAG_KEY}":"vendor-b"`);
    expect(JSON.stringify(bind)).not.toMatch(/AllocateAddress|ReleaseAddress/);
    expect(bindGrant.principalStatements).toHaveLength(bind.length);
    const allocating = statementsOf(importedTemplate, allocatorRole);
    expect(allocating).toEqual(rendered(controllerStatements(scope('vendor-b'), { allocate: true })));
    expect(JSON.stringify(allocating)).toContain('ec2:AllocateAddress');
  });
});

describe('StaticIpPool props validation', () => {
  const cases: [string, () => unknown, string, string][] = [
    [
      'both size and existingAllocationIds',
      () => new StaticIpPool(new Stack(), 'Pool', { poolName: 'p', size: 1, existingAllocationIds: ADOPTED }),
      'ContradictoryPoolProps',
      'both size (1) and existingAllocationIds',
    ],
    [
      'neither',
      () => new StaticIpPool(new Stack(), 'Pool', { poolName: 'p' }),
      'MissingPoolSize',
      'neither size nor existingAllocationIds',
    ],
    [
      'size 0',
      () => new StaticIpPool(new Stack(), 'Pool', { poolName: 'p', size: 0 }),
      'InvalidPoolSize',
      'size 0 is invalid: use a whole number from 1 to 32',
    ],
    [
      'size 33',
      () => new StaticIpPool(new Stack(), 'Pool', { poolName: 'p', size: 33 }),
      'InvalidPoolSize',
      'size 33',
    ],
    [
      'a fractional size',
      () => new StaticIpPool(new Stack(), 'Pool', { poolName: 'p', size: 1.5 }),
      'InvalidPoolSize',
      'size 1.5',
    ],
    [
      'a malformed allocation id',
      () => new StaticIpPool(new Stack(), 'Pool', { poolName: 'p', existingAllocationIds: ['eipalloc-XYZ'] }),
      'InvalidAllocationId',
      'allocation id "eipalloc-XYZ" is invalid: expected eipalloc- followed by 8-17 hex digits',
    ],
    [
      'a duplicate allocation id',
      () =>
        new StaticIpPool(new Stack(), 'Pool', {
          poolName: 'p',
          existingAllocationIds: ['eipalloc-12345678', 'eipalloc-12345678'],
        }),
      'DuplicateAllocationId',
      'eipalloc-12345678 is listed twice',
    ],
    [
      'an empty allocation list',
      () => new StaticIpPool(new Stack(), 'Pool', { poolName: 'p', existingAllocationIds: [] }),
      'InvalidAllocationIds',
      'must list 1 to 32 ids',
    ],
    [
      'a removal policy on adopted addresses',
      () =>
        new StaticIpPool(new Stack(), 'Pool', {
          poolName: 'p',
          existingAllocationIds: ADOPTED,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      'ContradictoryPoolProps',
      'removalPolicy applies only to addresses the pool allocates',
    ],
    [
      'a snapshot removal policy',
      () =>
        new StaticIpPool(new Stack(), 'Pool', {
          poolName: 'p',
          size: 1,
          removalPolicy: RemovalPolicy.SNAPSHOT,
        }),
      'InvalidRemovalPolicy',
      'SNAPSHOT is not supported by Elastic IPs',
    ],
    [
      'an invalid pool name',
      () => new StaticIpPool(new Stack(), 'Pool', { poolName: '-bad name', size: 1 }),
      'InvalidPoolName',
      'pool name "-bad name" is invalid',
    ],
  ];

  it.each(cases)('rejects %s at synth time, naming the construct path', (_, build, code, text) => {
    const error = thrownBy(build);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^Default\/Pool: /);
    expect(error.message).toContain(text);
  });
});

describe('StaticIpPool templates', () => {
  it('pass cfn-lint', () => {
    expectCleanCfnLint(templatePaths);
  });
});
