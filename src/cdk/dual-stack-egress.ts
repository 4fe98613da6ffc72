import { Annotations, CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import {
  CfnEgressOnlyInternetGateway,
  CfnRoute,
  type CfnSecurityGroup,
  CfnSecurityGroupEgress,
  CfnSubnet,
  type ISecurityGroup,
  type ISubnet,
  type IVpc,
  SecurityGroup,
} from 'aws-cdk-lib/aws-ec2';
import { CfnFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct, DependencyGroup, type IDependable } from 'constructs';
import { placementOf, unqualified } from './function-placement.js';
import { propsError } from './props-error.js';

/** Properties of a {@link DualStackEgress}. */
export interface DualStackEgressProps {
  /**
   * The VPC the functions are placed in. Build it dual-stack (a CDK `Vpc` with
   * `ipProtocol: IpProtocol.DUAL_STACK`): every subnet then has a /64, public subnets route `::/0` to the
   * internet gateway and `PRIVATE_WITH_EGRESS` ones to an egress-only internet gateway.
   */
  readonly vpc: IVpc;

  /**
   * The functions that send IPv6 too: CDK `Function`s of the app placed in `vpc` (versions and aliases stand
   * for their function). Their IPv4 egress does not change: give them `HyperplaneEgress` or `NatGatewayEgress`
   * as well, so that vendors get both allow-lists. Each needs a security group that lets IPv6 out
   * (`allowAllIpv6Outbound: true` on the function, or on the group you give it).
   */
  readonly functions: IFunction[];
}

/**
 * IPv6 egress for functions in dual-stack subnets, next to whatever gives them IPv4 egress: it sets
 * `VpcConfig.Ipv6AllowedForDualStack` on each function, makes sure each of their subnets routes `::/0` out
 * (to the internet gateway from a public subnet, to an egress-only internet gateway from any other; it adds
 * the route, and the gateway, only where the subnet has none), checks at synth that each subnet has an IPv6
 * block and each function's security groups let IPv6 out, and outputs the subnets' /64s (`Ipv6Cidrs`).
 *
 * Lambda sends a dual-stack function's IPv6 traffic from an address of its ENI's subnet: the address changes
 * with the ENI, the /64 does not, so the /64s are the IPv6 allow-list. They cost nothing and use no pool
 * address: the construct takes no `StaticIpPool` (docs/ipv6.md).
 */
export class DualStackEgress extends Construct {
  /** The /64 of each of the functions' subnets (tokens), in subnet order: the IPv6 allow-list. */
  readonly ipv6Cidrs: string[];
  /** The egress-only internet gateway the construct routes to, if a subnet of a function needed one. */
  readonly egressOnlyInternetGatewayId?: string;
  /** Complete when every `::/0` route the construct added exists. */
  readonly internetConnectivityEstablished: IDependable;

  constructor(scope: Construct, id: string, props: DualStackEgressProps) {
    super(scope, id);
    if (props.functions.length === 0) {
      throw propsError(this, 'NoFunctions', 'functions is empty; list the functions that should send IPv6');
    }
    const functions = [...new Set(props.functions.map(unqualified))];
    const subnets: ISubnet[] = [];
    for (const fn of functions) {
      for (const subnet of this.allowIpv6(fn, props.vpc)) if (!subnets.includes(subnet)) subnets.push(subnet);
    }

    // A CDK Vpc has it, and so has one imported with fromVpcAttributes({ internetGatewayId }); IVpc does not say.
    const internetGatewayId = (props.vpc as { readonly internetGatewayId?: string }).internetGatewayId;
    const routes = new DependencyGroup();
    const routed = new Set<string>();
    let egressOnlyGateway: CfnEgressOnlyInternetGateway | undefined;
    for (const subnet of subnets) {
      const cfnSubnet = subnet.node.defaultChild;
      if (!(cfnSubnet instanceof CfnSubnet)) continue; // imported: warned about in allowIpv6
      if (cfnSubnet.ipv6CidrBlock === undefined && cfnSubnet.ipv6Native !== true) {
        throw propsError(
          this,
          'SubnetNotDualStack',
          `subnet ${subnet.node.path} has no IPv6 block, so Lambda sends no IPv6 from it; build the VPC with ipProtocol: IpProtocol.DUAL_STACK`,
        );
      }
      const routeTableId = subnet.routeTable.routeTableId;
      if (hasIpv6DefaultRoute(subnet) || routed.has(routeTableId)) continue;
      routed.add(routeTableId);
      const isPublic = props.vpc.publicSubnets.includes(subnet);
      if (isPublic && internetGatewayId === undefined) {
        throw propsError(
          this,
          'NoInternetGateway',
          `public subnet ${subnet.node.path} needs a ::/0 route to the VPC's internet gateway, and the VPC has none`,
        );
      }
      if (!isPublic && egressOnlyGateway === undefined) egressOnlyGateway = this.egressOnlyGateway(props.vpc);
      const route = new CfnRoute(this, `Ipv6DefaultRoute${subnet.node.id}`, {
        routeTableId,
        destinationIpv6CidrBlock: '::/0',
        ...(isPublic
          ? { gatewayId: internetGatewayId }
          : { egressOnlyInternetGatewayId: egressOnlyGateway?.ref }),
      });
      if (isPublic) route.node.addDependency(props.vpc.internetConnectivityEstablished);
      routes.add(route);
    }
    this.internetConnectivityEstablished = routes;
    if (egressOnlyGateway) this.egressOnlyInternetGatewayId = egressOnlyGateway.ref;

    this.ipv6Cidrs = subnets
      .map((subnet) => subnet.node.defaultChild)
      .filter((child): child is CfnSubnet => child instanceof CfnSubnet)
      .map((child) => Fn.select(0, child.attrIpv6CidrBlocks));
    if (this.ipv6Cidrs.length > 0) {
      new CfnOutput(this, 'Ipv6Cidrs', {
        description: "IPv6 egress: the functions' subnets' /64s (allow-list these), comma-separated",
        value: Fn.join(',', this.ipv6Cidrs),
      });
    }

    // Security groups get their rules until synth: judge them then.
    this.node.addValidation({
      validate: () => functions.flatMap((fn) => this.ipv6EgressProblems(fn)),
    });
  }

  /**
   * The VPC's own egress-only internet gateway when CDK's dual-stack `Vpc` made one (its child `EIGW6`, made
   * even when it routes no subnet to it), else a new one.
   */
  private egressOnlyGateway(vpc: IVpc): CfnEgressOnlyInternetGateway {
    const own = vpc.node.tryFindChild('EIGW6');
    if (own instanceof CfnEgressOnlyInternetGateway) return own;
    return new CfnEgressOnlyInternetGateway(this, 'EgressOnlyInternetGateway', { vpcId: vpc.vpcId });
  }

  /** Sets the function's `Ipv6AllowedForDualStack` and returns its subnets in `vpc`. */
  private allowIpv6(fn: IFunction, vpc: IVpc): ISubnet[] {
    const resource = fn.node.defaultChild;
    const placement = placementOf(fn);
    if (!(resource instanceof CfnFunction) || placement.kind === 'unknown') {
      throw propsError(
        this,
        'FunctionNotInApp',
        `${fn.node.path} is not a Function defined in this app (or its VpcConfig is a token), so the construct cannot set Ipv6AllowedForDualStack on it; set it where the function is defined`,
      );
    }
    if (placement.kind === 'none') {
      throw propsError(
        this,
        'FunctionNotInVpc',
        `${fn.node.path} has no VPC configuration; place it in the dual-stack VPC's subnets (vpc, vpcSubnets)`,
      );
    }
    resource.addPropertyOverride('VpcConfig.Ipv6AllowedForDualStack', true);
    const known = [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets];
    return placement.subnetIds.map((subnetId) => {
      const subnet = known.find((candidate) => candidate.subnetId === subnetId);
      if (subnet === undefined) {
        throw propsError(
          this,
          'SubnetNotInVpc',
          `${fn.node.path} is placed in a subnet that is not one of ${vpc.node.path}'s; give the construct the functions' VPC`,
        );
      }
      if (!(subnet.node.defaultChild instanceof CfnSubnet)) {
        Annotations.of(this).addWarningV2(
          'lambda-static-ip:ipv6ImportedSubnet',
          `subnet ${subnetId} of ${fn.node.path} is imported: its IPv6 block and ::/0 route cannot be checked, nor added, at synth, and it is left out of the Ipv6Cidrs output; after deploying, run \`lambda-static-ip audit --ipv6\` and \`lambda-static-ip ips --family ipv6\``,
        );
      }
      return subnet;
    });
  }

  /** Why a function's security groups may keep IPv6 in: none of them has an IPv6 egress rule. */
  private ipv6EgressProblems(fn: IFunction): string[] {
    const groups = fn.connections.securityGroups;
    if (groups.some((group) => letsIpv6Out(group) !== false)) return [];
    return [
      `Ipv6EgressBlocked: ${fn.node.path}'s security group(s) ${groups.map((group) => group.node.path).join(', ')} allow no outbound IPv6, so its IPv6 connections are dropped; create the function with allowAllIpv6Outbound: true (or its security group with allowAllIpv6Outbound: true), or add IPv6 egress rules`,
    ];
  }
}

/** A `::/0` route the subnet already has: CDK's dual-stack `Vpc` adds one to its public and private subnets. */
function hasIpv6DefaultRoute(subnet: ISubnet): boolean {
  return subnet.node.children.some(
    (child) => child instanceof CfnRoute && child.destinationIpv6CidrBlock === '::/0',
  );
}

/**
 * Whether the group has an IPv6 egress rule: `allowAllIpv6Outbound`, an inline rule with `cidrIpv6`, or a
 * separate `AWS::EC2::SecurityGroupEgress` under it. `undefined` for an imported group: its rules are not
 * known at synth (`audit --ipv6` reads them after deployment).
 */
function letsIpv6Out(group: ISecurityGroup): boolean | undefined {
  if (!(group instanceof SecurityGroup)) return undefined;
  if (group.allowAllIpv6Outbound) return true;
  const resource = group.node.defaultChild as CfnSecurityGroup;
  const inline = Stack.of(group).resolve(resource.securityGroupEgress) as
    | ReadonlyArray<Record<string, unknown>>
    | undefined;
  if ((inline ?? []).some((rule) => rule.cidrIpv6 !== undefined || rule.CidrIpv6 !== undefined)) return true;
  return group.node.children.some(
    (child) => child instanceof CfnSecurityGroupEgress && child.cidrIpv6 !== undefined,
  );
}
