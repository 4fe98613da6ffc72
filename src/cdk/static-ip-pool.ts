import { ArnFormat, CfnOutput, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { CfnEIP } from 'aws-cdk-lib/aws-ec2';
import { type Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { ALLOCATION_ID_RULE, isAllocationId } from '../core/allocation-id.js';
import { StaticIpError } from '../core/errors.js';
import { POOL_TAG_KEY, validatePoolName } from '../core/pool.js';
import { grantPoolBind, grantPoolRead, type PoolBindGrantOptions } from './pool-grants.js';
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
   *
   * May be a token (a `CfnParameter`'s `valueAsString`, an import): it is then checked at deploy time, by
   * the controller (`InvalidEnvironment`, naming the value) and EC2's tagging, and messages and output
   * descriptions say "the pool" instead of its name.
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

/** A pool made elsewhere (another stack, another app, the CLI), known by its name and its addresses. */
export interface StaticIpPoolAttributes {
  /** The pool's name, as in the `lambda-static-ip:pool` tag its addresses carry. */
  readonly poolName: string;
  /**
   * The allocation ids of the pool's addresses (`eipalloc-…`), in the order consumers should take them.
   * Their public IPs are looked up at deploy time; nothing is tagged, untagged or released.
   */
  readonly allocationIds: string[];
}

/**
 * A pool of Elastic IPs, built in this app ({@link StaticIpPool}) or imported
 * ({@link StaticIpPool.fromPoolName}, {@link StaticIpPool.fromAllocationIds}).
 */
export interface IStaticIpPool extends IConstruct {
  /** The pool name, as in the `lambda-static-ip:pool` tag. */
  readonly poolName: string;

  /**
   * Every address of the pool the app knows, in order; undefined for a pool imported by name, whose
   * addresses only the deployment sees.
   */
  readonly addresses: readonly PoolAddress[] | undefined;

  /**
   * The consumers holding addresses of the pool so far, in claim order. Consumers constructed later claim
   * later: read this at synth time (in a validation or a `Lazy`) to see them all.
   */
  readonly holders: readonly PoolHolder[];

  /**
   * Hands `count` addresses that no other consumer holds to `consumer`, in pool order.
   *
   * @throws InputError `PoolTooSmall` when too few are left; `PoolAddressesUnknown` for a pool imported by name
   */
  claim(consumer: IConstruct, count: number, purpose?: string): PoolAddress[];

  /** The allocation ids consumers hold, in pool order, leaving out `except`'s. Usually tokens. */
  claimedAllocationIds(options?: { readonly except?: IConstruct }): string[];

  /**
   * Lets the grantee read the pool as `plan`, `status`, `ips` and `audit` do (`iam-policy --access read`).
   */
  grantRead(grantee: IGrantable): Grant;

  /**
   * Lets the grantee bind, move and tag the pool's addresses, as `apply` and the in-account controller do
   * (`iam-policy --for controller`), reads included; allocation only with `allocate`. Never a release.
   */
  grantBind(grantee: IGrantable, options?: PoolBindGrantOptions): Grant;
}

/** What every pool does alike: consumers' claims, and grants. */
export abstract class StaticIpPoolBase extends Construct implements IStaticIpPool {
  abstract readonly poolName: string;
  abstract readonly addresses: readonly PoolAddress[] | undefined;

  private readonly claims: Claim[] = [];

  get holders(): readonly PoolHolder[] {
    const addresses = this.addresses ?? [];
    let start = 0;
    return this.claims.map((claim) => {
      const held = addresses.slice(start, start + claim.count);
      start += claim.count;
      return { consumer: claim.consumer.node.path, addresses: held };
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
   * @throws InputError `PoolTooSmall` naming the pool, the consumer and the size that would do;
   *   `PoolAddressesUnknown` when the pool was imported by name
   */
  claim(consumer: IConstruct, count: number, purpose = ''): PoolAddress[] {
    if (!Number.isInteger(count) || count < 1) {
      throw propsError(
        consumer,
        'InvalidClaim',
        `cannot claim ${count} addresses from a pool; claim 1 or more`,
      );
    }
    const why = purpose ? ` (${purpose})` : '';
    const addresses = this.addresses;
    if (addresses === undefined) {
      throw propsError(
        consumer,
        'PoolAddressesUnknown',
        `needs the allocation ids of ${count} address(es)${why} of pool "${this.poolName}" at synth, but ${this.node.path} was imported by name, which knows none; import it with StaticIpPool.fromAllocationIds(scope, id, { poolName, allocationIds }) instead`,
      );
    }
    const start = this.claimedCount();
    if (start + count > addresses.length) {
      const holders = this.claims
        .map((claim) => `${claim.consumer.node.path} holds ${claim.count}`)
        .join(', ');
      throw propsError(
        consumer,
        'PoolTooSmall',
        `needs ${count} address(es)${why} from pool "${this.poolName}" (${this.node.path}), which has ${addresses.length}${holders ? ` and ${holders}` : ''}: ${morePoolAddresses(this, start + count - addresses.length, start + count)}, or give this construct a pool of its own`,
      );
    }
    this.claims.push({ consumer, count });
    return addresses.slice(start, start + count);
  }

  grantRead(grantee: IGrantable): Grant {
    return grantPoolRead(this, this.poolName, grantee);
  }

  grantBind(grantee: IGrantable, options: PoolBindGrantOptions = {}): Grant {
    return grantPoolBind(this, this.poolName, grantee, options);
  }

  protected claimedCount(): number {
    return this.claims.reduce((sum, claim) => sum + claim.count, 0);
  }
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
export class StaticIpPool extends StaticIpPoolBase {
  /**
   * The largest pool this construct builds or adopts. Far above the default quota (5 per Region); it keeps
   * the adoption custom resource's IAM policy and the stack's outputs small.
   */
  static readonly MAX_SIZE = 32;

  /**
   * A pool made elsewhere, known by name only (a literal or a token, e.g. a `CfnParameter`'s value): enough for `HyperplaneEgress` (its controller finds the
   * addresses by their tag) and for grants. Its addresses are unknown at synth, so consumers that need
   * allocation ids (`NatGatewayEgress`, `NetworkLoadBalancerIngress`, `HyperplaneEgress` with `probe`) fail
   * with `PoolAddressesUnknown`, and `HyperplaneEgress` checks the pool's size only at deploy time.
   */
  static fromPoolName(scope: Construct, id: string, poolName: string): IStaticIpPool {
    return new ImportedStaticIpPool(scope, id, poolName, undefined);
  }

  /**
   * A pool made elsewhere, with the allocation ids of its addresses: consumers claim them as from a pool
   * of this app. The stack looks each public IP up at deploy time (as for `existingAllocationIds`) and
   * neither tags, untags nor releases anything. Claims are tracked per imported object: import a pool
   * once per app, or two imports may hand one address to two consumers.
   */
  static fromAllocationIds(scope: Construct, id: string, attributes: StaticIpPoolAttributes): IStaticIpPool {
    return new ImportedStaticIpPool(scope, id, attributes.poolName, attributes.allocationIds);
  }

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

  constructor(scope: Construct, id: string, props: StaticIpPoolProps) {
    super(scope, id);
    this.poolName = checkedPoolName(this, props.poolName);

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
      this.addresses = this.adopt(
        validateAllocationIds(this, 'existingAllocationIds', props.existingAllocationIds),
      );
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
      description: `${capitalized(poolLabel(this.poolName))}: the public IPs to allow-list, comma-separated`,
      value: Fn.join(',', this.publicIps),
    });
  }

  /** How many addresses no consumer has claimed yet. */
  get unclaimed(): number {
    return this.addresses.length - this.claimedCount();
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
    tagForPool(this, this.poolName, allocationIds, allocationIds);
    return lookUpAddresses(this, allocationIds);
  }
}

/**
 * The custom resource (`Adopt`) that tags the addresses `allocationIds` (a list, or a list token) for
 * the pool at every create and update. No onDelete: neither stack deletion nor dropping an id from the
 * list untags or releases an address the user owns. `elasticIps` are the resource names its role may tag
 * (the ids, or `*` when they are known only at deploy time); the tag condition narrows it either way.
 */
export function tagForPool(
  scope: Construct,
  poolName: string,
  allocationIds: readonly string[],
  elasticIps: readonly string[],
): AwsCustomResource {
  const stack = Stack.of(scope);
  const tagCall = {
    service: 'EC2',
    action: 'CreateTags',
    parameters: { Resources: allocationIds, Tags: [{ Key: POOL_TAG_KEY, Value: poolName }] },
    physicalResourceId: PhysicalResourceId.of(`lambda-static-ip-pool-${poolName}`),
  };
  return new AwsCustomResource(scope, 'Adopt', {
    resourceType: 'Custom::LambdaStaticIpPoolAdoption',
    onCreate: tagCall,
    onUpdate: tagCall,
    installLatestAwsSdk: false,
    policy: AwsCustomResourcePolicy.fromStatements([
      new PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: elasticIps.map((id) =>
          stack.formatArn({
            service: 'ec2',
            resource: 'elastic-ip',
            resourceName: id,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ),
        // Only the pool tag, only this pool's name: the role cannot retag anything else.
        conditions: {
          StringEquals: { [`aws:RequestTag/${POOL_TAG_KEY}`]: poolName },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [POOL_TAG_KEY] },
        },
      }),
    ]),
  });
}

/** A pool imported by name, or by name and allocation ids. */
class ImportedStaticIpPool extends StaticIpPoolBase {
  readonly poolName: string;
  readonly addresses: readonly PoolAddress[] | undefined;

  constructor(scope: Construct, id: string, poolName: string, allocationIds: readonly string[] | undefined) {
    super(scope, id);
    this.poolName = checkedPoolName(this, poolName);
    this.addresses =
      allocationIds === undefined
        ? undefined
        : lookUpAddresses(this, validateAllocationIds(this, 'allocationIds', allocationIds));
  }
}

/**
 * How to give `pool` the `missing` addresses it lacks (`total` in all), for error messages: by the way the
 * app came to know its addresses.
 */
export function morePoolAddresses(pool: IStaticIpPool, missing: number, total: number): string {
  if (pool instanceof StaticIpPool) {
    return pool.adopted
      ? `adopt ${missing} more existingAllocationIds`
      : `raise size to ${total} (the default Elastic IP quota is 5 per Region)`;
  }
  return `import ${missing} more of the pool's allocationIds (or add addresses to the pool first)`;
}

/**
 * `pool "payments"` for messages and descriptions; `the pool` when the name is a token, whose value only
 * the deployment knows (an output's description takes no intrinsic function).
 */
export function poolLabel(poolName: string): string {
  return Token.isUnresolved(poolName) ? 'the pool' : `pool "${poolName}"`;
}

/** `Pool "payments"`, to start a description with. */
export function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** The pool name, checked unless it is a token (checked at deploy time). */
function checkedPoolName(scope: IConstruct, poolName: string): string {
  if (Token.isUnresolved(poolName)) return poolName;
  try {
    return validatePoolName(poolName);
  } catch (error) {
    throw error instanceof StaticIpError ? propsError(scope, error.code, error.message, error) : error;
  }
}

/**
 * The addresses with their public IPs, looked up at deploy time: one lookup per address
 * (`Lookup<n>`), so each public IP stays paired with its allocation id (DescribeAddresses does not
 * promise to answer in request order). DescribeAddresses has no resource-level permissions.
 */
function lookUpAddresses(scope: Construct, allocationIds: readonly string[]): PoolAddress[] {
  return allocationIds.map((allocationId, index) => {
    const describeCall = {
      service: 'EC2',
      action: 'DescribeAddresses',
      parameters: { AllocationIds: [allocationId] },
      physicalResourceId: PhysicalResourceId.of(allocationId),
      outputPaths: ['Addresses.0.PublicIp'],
    };
    const lookup = new AwsCustomResource(scope, `Lookup${index + 1}`, {
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

function validateAllocationIds(pool: IConstruct, prop: string, ids: readonly string[]): readonly string[] {
  if (Token.isUnresolved(ids) || ids.length === 0 || ids.length > StaticIpPool.MAX_SIZE) {
    throw propsError(
      pool,
      'InvalidAllocationIds',
      `${prop} must list 1 to ${StaticIpPool.MAX_SIZE} ids at synth time; got ${Token.isUnresolved(ids) ? 'a list token' : `${ids.length}`}`,
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
