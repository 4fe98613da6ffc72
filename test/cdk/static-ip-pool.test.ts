import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { StaticIpPool } from '../../src/cdk/index.js';
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
const {
  templates: [allocatedTemplate, destroyTemplate, adoptedTemplate],
  templatePaths,
} = synthesize([allocatedStack, destroyStack, adoptedStack]);

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
