/**
 * What the reconciler sees and wants. Plain data: the AWS adapters build it, the pure planner reads it.
 */

/** An Elastic IP as DescribeAddresses reports it (only the fields the planner needs). */
export interface ObservedAddress {
  readonly allocationId: string;
  readonly publicIp: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Present while the address is associated with anything (ENI or instance). */
  readonly associationId?: string;
  readonly networkInterfaceId?: string;
  readonly instanceId?: string;
  /** The address can only be associated within this border group (the Region, or a Local Zone group). */
  readonly networkBorderGroup?: string;
}

/** The Elastic IP an ENI holds, as the ENI itself reports it (the address may not be ours). */
export interface EniAssociation {
  readonly publicIp: string;
  readonly allocationId?: string;
  readonly associationId?: string;
}

/** A Lambda Hyperplane ENI (`interface-type=lambda`). */
export interface ObservedEni {
  readonly id: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  /** Sorted, without duplicates. */
  readonly securityGroupIds: readonly string[];
  readonly association?: EniAssociation;
  /** Informational only (`AWS Lambda VPC ENI-<function>-<uuid>`): never used as an identity. */
  readonly description: string;
}

/**
 * An ENI other than a pool VPC's Lambda ENIs that holds one of the pool's addresses (a NAT gateway's, a
 * load balancer's), described so the planner can tell whose it is.
 */
export interface ObservedInterface {
  readonly id: string;
  /** As DescribeNetworkInterfaces reports it: `nat_gateway`, `network_load_balancer`, `interface`, … */
  readonly interfaceType: string;
  readonly description: string;
  /** The EC2 instance the ENI is attached to, if any. */
  readonly instanceId?: string;
  /** `false` on an ENI that forwards traffic not its own: a NAT instance's. */
  readonly sourceDestCheck?: boolean;
}

/** One function or published version, with the VPC placement that keeps its combination's ENIs alive. */
export interface ObservedFunction {
  readonly name: string;
  /** `$LATEST` or a published version number. */
  readonly version: string;
  readonly arn: string;
  readonly subnetIds: readonly string[];
  /** Sorted, without duplicates. */
  readonly securityGroupIds: readonly string[];
  /** True when the function is named on the command line or tagged `lambda-static-ip:pool=<pool>`. */
  readonly inPool: boolean;
  /**
   * True for a keeper (tagged `lambda-static-ip:keeper`, or named as one): a pool function for binding,
   * never counted as a user's function in reports.
   */
  readonly keeper?: boolean;
  /** ISO-8601, from ListFunctions; recent changes may still be rolling out. */
  readonly lastModified?: string;
  /**
   * `VpcConfig.Ipv6AllowedForDualStack`: the function sends IPv6 from dual-stack subnets. Absent when
   * Lambda does not report it, which means false.
   */
  readonly ipv6AllowedForDualStack?: boolean;
  /** Only known when fetched (GetFunctionConfiguration); ListFunctions does not report it. */
  readonly lastUpdateStatus?: string;
  readonly state?: string;
}

export interface ObservedSubnet {
  readonly id: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  /** True when the subnet's route table sends 0.0.0.0/0 to an internet gateway. */
  readonly routesToInternetGateway: boolean;
  /** The NAT gateway the subnet's route table sends 0.0.0.0/0 to, if any. */
  readonly natGatewayId?: string;
  /** The subnet's associated IPv6 blocks (a /64 each): what a vendor allow-lists for IPv6 egress. */
  readonly ipv6CidrBlocks?: readonly string[];
  /** Where the subnet's route table sends `::/0`; absent when nowhere (or to a blackhole). */
  readonly ipv6DefaultRoute?: Ipv6DefaultRoute;
}

/** A `::/0` route: to an internet gateway, an egress-only internet gateway, or something else (its id). */
export interface Ipv6DefaultRoute {
  readonly target: 'internet-gateway' | 'egress-only-internet-gateway' | 'other';
  readonly id: string;
}

/** Everything one reconcile observed, in a constant number of (paged) read calls. */
export interface Observation {
  readonly region: string;
  readonly addresses: readonly ObservedAddress[];
  readonly enis: readonly ObservedEni[];
  /**
   * The other ENIs holding pool addresses (NAT gateways, load balancers). Absent when not observed: those
   * addresses then count as bound to something unknown.
   */
  readonly addressInterfaces?: readonly ObservedInterface[];
  /** Every function and published version in the Region that has a VPC placement (pool or not). */
  readonly functions: readonly ObservedFunction[];
  /** The pool functions' subnets. */
  readonly subnets: readonly ObservedSubnet[];
  /** Pool functions (by name) found without any VPC placement. */
  readonly functionsWithoutVpc: readonly string[];
  /**
   * Whether some function's VPC update may still be in progress, so that an ENI no configuration names
   * might still carry its traffic. `unknown` means nobody checked: such ENIs are then never retired.
   */
  readonly updatesInProgress: 'none' | 'some' | 'unknown';
  /**
   * True when only the addresses and ENIs were read now, and functions, subnets, `addressInterfaces` and
   * `updatesInProgress` come from an earlier full observation (the controller's view of the pool). The
   * planner then binds free pool addresses and nothing else: no move (taking an IP off an ENI needs a
   * fresh look at every function) and no allocation (a move might serve instead).
   * @default false
   */
  readonly cached?: boolean;
}

/** What the user asks of one pool. */
export interface DesiredPool {
  readonly pool: string;
  /** May allocate new tagged Elastic IPs when the pool has none free. */
  readonly allocate: boolean;
  /** Upper bound on the pool's size when allocating. */
  readonly maxIps: number;
  /** Free IPs to keep ready so a new ENI is bound at once (zero-downtime switchover). */
  readonly spares: number;
  /**
   * Allocation ids of pool addresses another consumer of the pool holds or is about to take (the NAT
   * gateways or NLB subnet mappings of the same pool): never bound, moved or counted as spares, even when
   * free. Ids not tagged for the pool change nothing (they are never touched anyway).
   */
  readonly reserved?: readonly string[];
}
