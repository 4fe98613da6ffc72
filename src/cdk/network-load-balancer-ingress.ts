import { CfnOutput, Fn } from 'aws-cdk-lib';
import {
  type Connections,
  type IConnectable,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
} from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationProtocol,
  ListenerAction,
  ListenerCondition,
  NetworkLoadBalancer,
  NetworkTargetGroup,
  Protocol,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AlbListenerTarget } from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import { Construct } from 'constructs';
import { LambdaAlb, type StaticIngressProps } from './lambda-alb.js';
import { acknowledgeNag } from './nag-acknowledgements.js';
import { propsError } from './props-error.js';
import type { IStaticIpPool, PoolAddress } from './static-ip-pool.js';

/** Properties of a {@link NetworkLoadBalancerIngress}. */
export interface NetworkLoadBalancerIngressProps extends StaticIngressProps {
  /**
   * The pool the NLB's addresses come from: one per subnet (so per Availability Zone), claimed from it. A
   * pool of this app, or one imported with `StaticIpPool.fromAllocationIds`; one imported by name has no
   * allocation ids to give (`PoolAddressesUnknown`).
   */
  readonly pool: IStaticIpPool;

  /**
   * The public subnets of the internet-facing NLB, at most one per Availability Zone.
   *
   * @default - the VPC's public subnets, one per Availability Zone
   */
  readonly nlbSubnets?: SubnetSelection;

  /**
   * The path on which the ALB answers the NLB's health checks itself (a fixed 200), so that they never
   * reach the function: each would otherwise be a paid invocation, from every NLB node, every 30 seconds.
   *
   * @default '/lambda-static-ip/health'
   */
  readonly healthCheckPath?: string;
}

/**
 * Static ingress through a Network Load Balancer whose addresses are yours: an internet-facing NLB with one
 * Elastic IP from a {@link StaticIpPool} per Availability Zone → an ALB-type target group → the ALB → the
 * function. TCP passes through the NLB; TLS terminates on the ALB (`certificate`). The addresses are the
 * pool's and are retained when the NLB goes.
 *
 * Callers are filtered on the NLB: its own security group admits `allowedPeers` on the listener ports, and
 * the ALB's group admits only the NLB's group (traffic and health checks), never an address range. That
 * holds whether or not the ALB sees the client's address, which AWS does not document for ALB-type
 * targets. An NLB gets security groups only when it is created: see docs/ingress.md for upgrading a stack
 * whose NLB has none.
 *
 * See `GlobalAcceleratorIngress` for why ingress has a construct per strategy.
 */
export class NetworkLoadBalancerIngress extends Construct implements IConnectable {
  readonly networkLoadBalancer: NetworkLoadBalancer;
  /** The NLB's own security group: `allowedPeers` on the listener ports, out only to the ALB. */
  readonly securityGroup: SecurityGroup;
  /** The ALB, created or yours. An ALB can sit behind at most two NLBs. */
  readonly loadBalancer: LambdaAlb['loadBalancer'];
  /** The Lambda target group behind every ALB listener. */
  readonly targetGroup: LambdaAlb['targetGroup'];
  /** The pool addresses the NLB holds, one per subnet. */
  readonly addresses: readonly PoolAddress[];
  /** The NLB's public IPs: what a vendor allow-lists. */
  readonly staticIps: string[];
  /**
   * The security group that filters callers, the one `allowedPeers` writes to:
   * `ingress.connections.allowFrom(peer, Port.tcp(443))` admits more callers.
   */
  readonly connections: Connections;

  constructor(scope: Construct, id: string, props: NetworkLoadBalancerIngressProps) {
    super(scope, id);
    const vpc = props.vpc ?? props.loadBalancer?.vpc;
    if (
      props.vpc !== undefined &&
      props.loadBalancer?.vpc !== undefined &&
      props.loadBalancer.vpc !== props.vpc
    ) {
      throw propsError(
        this,
        'ContradictoryIngressProps',
        'loadBalancer is in another VPC than vpc; an NLB can only target an ALB in its own VPC, so drop vpc or pass the VPC of loadBalancer',
      );
    }
    const alb = new LambdaAlb(this, 'Alb', props, this);
    if (vpc === undefined) {
      throw propsError(
        this,
        'MissingVpc',
        'the NLB needs a VPC, and loadBalancer does not say which: pass vpc as well',
      );
    }
    this.loadBalancer = alb.loadBalancer;
    this.targetGroup = alb.targetGroup;

    const subnets = vpc.selectSubnets(
      props.nlbSubnets ?? { subnetType: SubnetType.PUBLIC, onePerAz: true },
    ).subnets;
    if (subnets.length === 0) {
      throw propsError(
        this,
        'NoNlbSubnets',
        'no public subnet was selected for the NLB; add public subnets to the VPC or pass nlbSubnets',
      );
    }
    this.addresses = props.pool.claim(this, subnets.length, 'one per NLB subnet');
    this.staticIps = this.addresses.map((address) => address.publicIp);
    // Security groups can only be given to an NLB at creation (ELB guide, "Security groups for your
    // Network Load Balancer"); AWS recommends filtering clients there.
    this.securityGroup = new SecurityGroup(this, 'NlbSecurityGroup', {
      vpc,
      description: 'lambda-static-ip: callers allowed on the static ingress NLB',
      allowAllOutbound: false,
    });
    this.networkLoadBalancer = new NetworkLoadBalancer(this, 'Nlb', {
      vpc,
      internetFacing: true,
      securityGroups: [this.securityGroup],
      subnetMappings: subnets.map((subnet, index) => ({
        subnet,
        allocationId: (this.addresses[index] as PoolAddress).allocationId,
      })),
    });
    this.connections = this.networkLoadBalancer.connections;

    const healthCheckPath = props.healthCheckPath ?? '/lambda-static-ip/health';
    if (!healthCheckPath.startsWith('/')) {
      throw propsError(
        this,
        'InvalidHealthCheckPath',
        `healthCheckPath ${healthCheckPath} must start with '/'`,
      );
    }
    for (const { port, protocol, listener } of alb.listeners) {
      listener.addAction('NlbHealthCheck', {
        priority: 1,
        conditions: [ListenerCondition.pathPatterns([healthCheckPath])],
        action: ListenerAction.fixedResponse(200, { contentType: 'text/plain', messageBody: 'ok' }),
      });
      const targets = new NetworkTargetGroup(this, `AlbTargets${port}`, {
        vpc,
        port,
        protocol: Protocol.TCP,
        targetType: TargetType.ALB,
        targets: [new AlbListenerTarget(listener)],
        healthCheck: {
          protocol: protocol === ApplicationProtocol.HTTPS ? Protocol.HTTPS : Protocol.HTTP,
          path: healthCheckPath,
        },
      });
      this.networkLoadBalancer.addListener(`Tcp${port}`, {
        port,
        protocol: Protocol.TCP,
        defaultTargetGroups: [targets],
      });
    }
    // Callers are filtered here, on the NLB. The ALB admits the NLB's group only: its traffic and its
    // health checks (the listener ports), whatever source address the ALB sees. Referencing the NLB's
    // group holds even with client IP preservation (ELB guide); no address range is admitted, so the
    // VPC's own CIDR, from which every caller would come without preservation, lets nobody in.
    const peers = props.allowedPeers ?? [Peer.anyIpv4()];
    for (const port of alb.ports) {
      for (const peer of peers) {
        this.securityGroup.addIngressRule(peer, Port.tcp(port), `static ingress on ${port}`);
      }
    }
    alb.allowFrom([this.securityGroup], 'the static ingress NLB (traffic and health checks)');
    LambdaAlb.acknowledgeOpenToInternet(this.securityGroup, peers);
    acknowledgeNag(this.networkLoadBalancer, {
      id: 'AwsSolutions-ELB2',
      reason:
        "NLB access logs record TLS connections only, and this NLB's listeners are TCP (TLS ends on the ALB, whose logs can be turned on): there would be nothing to log",
    });

    new CfnOutput(this, 'StaticIps', {
      description: 'NLB static IPs from the pool for webhooks (allow-list these), comma-separated',
      value: Fn.join(',', this.staticIps),
    });
    new CfnOutput(this, 'DnsName', {
      description: 'NLB DNS name (resolves to the static IPs)',
      value: this.networkLoadBalancer.loadBalancerDnsName,
    });
  }
}
