import { ArnFormat, CfnOutput, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { CfnEIP } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { ALLOCATION_ID_RULE, isAllocationId } from '../core/allocation-id.js';
import { StaticIpError } from '../core/errors.js';
import { POOL_TAG_KEY, validatePoolName } from '../core/pool.js';
import { propsError } from './props-error.js';

/** One Elastic IP of a pool. Both values are usually tokens, resolved at deploy time. */
export interface PoolAddress {
  /** `eipalloc-…` */
  readonly allocationId: string;
  /** The public IPv4 address: what a vendor allow-lists. */
  readonly publicIp: string;
}

/** Properties of a {@link StaticIpPool}. Give exactly one of `size` and `existingAllocationIds`. */
export interface StaticIpPoolProps {
  /**
   * The pool's name: every address in it carries the tag `lambda-static-ip:pool=<poolName>`, which is how
   * the reconciler and the CLI find the pool. 1-64 letters, digits, '.', '_' or '-', starting with a letter
   * or digit.
   */
  readonly poolName: string;

  /**
   * Allocate this many new Elastic IPs (`AWS::EC2::EIP`, `Domain: vpc`), 1 to {@link StaticIpPool.MAX_SIZE}.
   *
   * The default Elastic IP quota is **5 per Region** for the whole account (`AddressLimitExceeded` at
   * deploy time past it); raise it in Service Quotas first. Every address costs about $3.65 a month,
   * attached or not.
   *
   * @default - none: give this or `existingAllocationIds`
   */
  readonly size?: number;

  /**
   * Adopt Elastic IPs you already own (for example, ones vendors have already allow-listed) instead of
   * allocating new ones: at deploy time they get the pool tag, and their public IPs are looked up.
   * The stack never releases them and never removes the tag, not even on stack deletion or when an id is
   * dropped from this list (untag it yourself if it should leave the pool).
   *
   * @default - none: give this or `size`
   */
  readonly existingAllocationIds?: string[];

  /**
   * What happens to allocated addresses when they leave the stack (stack deletion, or a smaller `size`).
   * Only for `size`: adopted addresses are never deleted.
   *
   * @default RemovalPolicy.RETAIN - the addresses outlive the stack, because vendors have allow-listed them
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** A consumer of a pool and the addresses it claimed, in pool order. */
export interface PoolHolder {
  /** The consumer's construct path. */
  readonly consumer: string;
  readonly addresses: readonly PoolAddress[];
}

interface Claim {
  readonly consumer: IConstruct;
  readonly count: number;
}

/**
 * A named pool of Elastic IPs for static egress and ingress: the addresses a vendor allow-lists.
 *
 * Other constructs take addresses from it with {@link StaticIpPool.claim} (the NAT gateways of
 * `NatGatewayEgress`, the subnet mappings of `NetworkLoadBalancerIngress`). The addresses belong to the pool,
 * not to those consumers: they are retained when a gateway or a load balancer goes, so a strategy can change
 * without a new allow-list. `HyperplaneEgress` claims nothing: its controller binds the addresses no consumer
 * holds ({@link StaticIpPool.claimedAllocationIds} are reserved for their holders).
 */
export class StaticIpPool extends Construct {
  /**
   * The largest pool this construct builds or adopts. Far above the default quota (5 per Region); it keeps
   * the adoption custom resource's IAM policy and the stack's outputs small.
   */
  static readonly MAX_SIZE = 32;

  /** The pool name, as in the `lambda-static-ip:pool` tag. */
  readonly poolName: string;
  /** Every address of the pool, in order. */
  readonly addresses: readonly PoolAddress[];
  /** The allocation ids, in the order of {@link addresses}. */
  readonly allocationIds: string[];
  /** The public IPs, in the order of {@link addresses}: the allow-list. */
  readonly publicIps: string[];
  /** True when the pool adopts existing addresses rather than allocating its own. */
  readonly adopted: boolean;

  private readonly claims: Claim[] = [];

  constructor(scope: Construct, id: string, props: StaticIpPoolProps) {
    super(scope, id);
    try {
      this.poolName = validatePoolName(props.poolName);
    } catch (error) {
      throw error instanceof StaticIpError ? propsError(this, error.code, error.message, error) : error;
    }

    if (props.size !== undefined && props.existingAllocationIds !== undefined) {
      throw propsError(
        this,
        'ContradictoryPoolProps',
        `both size (${props.size}) and existingAllocationIds were given; give size to allocate new addresses, or existingAllocationIds to adopt yours, not both`,
      );
    }
    if (props.existingAllocationIds !== undefined) {
      if (props.removalPolicy !== undefined) {
        throw propsError(
          this,
          'ContradictoryPoolProps',
          'removalPolicy applies only to addresses the pool allocates (size); adopted addresses are never released by the stack, so drop removalPolicy',
        );
      }
      this.adopted = true;
      this.addresses = this.adopt(validateAllocationIds(this, props.existingAllocationIds));
    } else if (props.size !== undefined) {
      this.adopted = false;
      this.addresses = this.allocate(
        validateSize(this, props.size),
        props.removalPolicy ?? RemovalPolicy.RETAIN,
      );
    } else {
      throw propsError(
        this,
        'MissingPoolSize',
        'neither size nor existingAllocationIds was given; give size (1-32) to allocate new addresses, or existingAllocationIds to adopt addresses you own',
      );
    }
    this.allocationIds = this.addresses.map((address) => address.allocationId);
    this.publicIps = this.addresses.map((address) => address.publicIp);

    new CfnOutput(this, 'AllowList', {
      description: `Pool "${this.poolName}": the public IPs to allow-list, comma-separated`,
      value: Fn.join(',', this.publicIps),
    });
  }

  /** How many addresses no consumer has claimed yet. */
  get unclaimed(): number {
    return this.addresses.length - this.claimedCount();
  }

  /**
   * The consumers holding addresses of the pool so far, in claim order. Consumers constructed later claim
   * later: read this at synth time (in a validation or a `Lazy`) to see them all.
   */
  get holders(): readonly PoolHolder[] {
    let start = 0;
    return this.claims.map((claim) => {
      const addresses = this.addresses.slice(start, start + claim.count);
      start += claim.count;
      return { consumer: claim.consumer.node.path, addresses };
    });
  }

  /**
   * The allocation ids consumers hold (NAT gateways, NLB subnet mappings), in pool order: the addresses a
   * controller binding the pool's free addresses must leave alone. Usually tokens. Consumers constructed
   * later claim later, so read it at synth time, e.g. `Lazy.list({ produce: () => pool.claimedAllocationIds() })`.
   *
   * @param options.except a consumer whose own addresses to leave out
   */
  claimedAllocationIds(options: { readonly except?: IConstruct } = {}): string[] {
    const except = options.except?.node.path;
    return this.holders
      .filter((holder) => holder.consumer !== except)
      .flatMap((holder) => holder.addresses.map((address) => address.allocationId));
  }

  /**
   * Hands `count` addresses that no other consumer holds to `consumer`, in pool order; consumers are served
   * in the order they are constructed, so keep that order stable (or give each consumer its own pool), or
   * addresses move between consumers on the next deployment.
   *
   * @param consumer the construct that will attach the addresses; named in errors
   * @param count how many addresses it needs
   * @param purpose why, for the error message: `one per Availability Zone`
   * @throws InputError `PoolTooSmall` naming the pool, the consumer and the size that would do
   */
  claim(consumer: IConstruct, count: number, purpose = ''): PoolAddress[] {
    if (!Number.isInteger(count) || count < 1) {
      throw propsError(
        consumer,
        'InvalidClaim',
        `cannot claim ${count} addresses from a pool; claim 1 or more`,
      );
    }
    const start = this.claimedCount();
    if (start + count > this.addresses.length) {
      const holders = this.claims
        .map((claim) => `${claim.consumer.node.path} holds ${claim.count}`)
        .join(', ');
      const fix = this.adopted
        ? `adopt ${start + count - this.addresses.length} more existingAllocationIds`
        : `raise size to ${start + count} (the default Elastic IP quota is 5 per Region)`;
      throw propsError(
        consumer,
        'PoolTooSmall',
        `needs ${count} address(es)${purpose ? ` (${purpose})` : ''} from pool "${this.poolName}" (${this.node.path}), which has ${this.addresses.length}${holders ? ` and ${holders}` : ''}: ${fix}, or give this construct a pool of its own`,
      );
    }
    this.claims.push({ consumer, count });
    return this.addresses.slice(start, start + count);
  }

  private claimedCount(): number {
    return this.claims.reduce((sum, claim) => sum + claim.count, 0);
  }

  private allocate(size: number, removalPolicy: RemovalPolicy): PoolAddress[] {
    if (removalPolicy === RemovalPolicy.SNAPSHOT) {
      throw propsError(
        this,
        'InvalidRemovalPolicy',
        'removalPolicy SNAPSHOT is not supported by Elastic IPs; use RETAIN (the default) or DESTROY',
      );
    }
    return Array.from({ length: size }, (_, index) => {
      const eip = new CfnEIP(this, `Address${index + 1}`, {
        domain: 'vpc',
        tags: [{ key: POOL_TAG_KEY, value: this.poolName }],
      });
      eip.applyRemovalPolicy(removalPolicy);
      return { allocationId: eip.attrAllocationId, publicIp: eip.attrPublicIp };
    });
  }

  private adopt(allocationIds: readonly string[]): PoolAddress[] {
    const stack = Stack.of(this);
    // Tags the addresses at every create and update. No onDelete: neither stack deletion nor dropping an id
    // from the list untags or releases an address the user owns.
    const tagCall = {
      service: 'EC2',
      action: 'CreateTags',
      parameters: { Resources: allocationIds, Tags: [{ Key: POOL_TAG_KEY, Value: this.poolName }] },
      physicalResourceId: PhysicalResourceId.of(`lambda-static-ip-pool-${this.poolName}`),
    };
    new AwsCustomResource(this, 'Adopt', {
      resourceType: 'Custom::LambdaStaticIpPoolAdoption',
      onCreate: tagCall,
      onUpdate: tagCall,
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({
          actions: ['ec2:CreateTags'],
          resources: allocationIds.map((id) =>
            stack.formatArn({
              service: 'ec2',
              resource: 'elastic-ip',
              resourceName: id,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ),
          // Only the pool tag, only this pool's name: the role cannot retag anything else.
          conditions: {
            StringEquals: { [`aws:RequestTag/${POOL_TAG_KEY}`]: this.poolName },
            'ForAllValues:StringEquals': { 'aws:TagKeys': [POOL_TAG_KEY] },
          },
        }),
      ]),
    });

    // One lookup per address, so each public IP stays paired with its allocation id (DescribeAddresses does
    // not promise to answer in request order). DescribeAddresses has no resource-level permissions.
    return allocationIds.map((allocationId, index) => {
      const describeCall = {
        service: 'EC2',
        action: 'DescribeAddresses',
        parameters: { AllocationIds: [allocationId] },
        physicalResourceId: PhysicalResourceId.of(allocationId),
        outputPaths: ['Addresses.0.PublicIp'],
      };
      const lookup = new AwsCustomResource(this, `Lookup${index + 1}`, {
        resourceType: 'Custom::LambdaStaticIpPoolAddress',
        onCreate: describeCall,
        onUpdate: describeCall,
        installLatestAwsSdk: false,
        policy: AwsCustomResourcePolicy.fromStatements([
          new PolicyStatement({ actions: ['ec2:DescribeAddresses'], resources: ['*'] }),
        ]),
      });
      return { allocationId, publicIp: lookup.getResponseField('Addresses.0.PublicIp') };
    });
  }
}

function validateSize(pool: StaticIpPool, size: number): number {
  if (Token.isUnresolved(size) || !Number.isInteger(size) || size < 1 || size > StaticIpPool.MAX_SIZE) {
    throw propsError(
      pool,
      'InvalidPoolSize',
      `size ${Token.isUnresolved(size) ? '(a token)' : size} is invalid: use a whole number from 1 to ${StaticIpPool.MAX_SIZE} known at synth time`,
    );
  }
  return size;
}

function validateAllocationIds(pool: StaticIpPool, ids: readonly string[]): readonly string[] {
  if (Token.isUnresolved(ids) || ids.length === 0 || ids.length > StaticIpPool.MAX_SIZE) {
    throw propsError(
      pool,
      'InvalidAllocationIds',
      `existingAllocationIds must list 1 to ${StaticIpPool.MAX_SIZE} ids at synth time; got ${Token.isUnresolved(ids) ? 'a list token' : `${ids.length}`}`,
    );
  }
  const seen = new Set<string>();
  for (const id of ids) {
    // An element may be a token (a parameter, an import): it is checked by EC2 at deploy time instead.
    if (!Token.isUnresolved(id) && !isAllocationId(id)) {
      throw propsError(
        pool,
        'InvalidAllocationId',
        `allocation id ${JSON.stringify(id)} is invalid: expected ${ALLOCATION_ID_RULE}`,
      );
    }
    if (seen.has(id)) {
      throw propsError(
        pool,
        'DuplicateAllocationId',
        `allocation id ${id} is listed twice; list each address once`,
      );
    }
    seen.add(id);
  }
  return ids;
}
