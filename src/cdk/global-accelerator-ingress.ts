import { Annotations, CfnOutput, Fn } from 'aws-cdk-lib';
import {
  CfnVPCGatewayAttachment,
  type Connections,
  type IConnectable,
  type IVpc,
  Peer,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  Accelerator,
  ClientAffinity,
  ConnectionProtocol,
  type Listener,
} from 'aws-cdk-lib/aws-globalaccelerator';
import { ApplicationLoadBalancerEndpoint } from 'aws-cdk-lib/aws-globalaccelerator-endpoints';
import { Construct } from 'constructs';
import { LambdaAlb, type StaticIngressProps } from './lambda-alb.js';
import { propsError } from './props-error.js';

/** Properties of a {@link GlobalAcceleratorIngress}. */
export interface GlobalAcceleratorIngressProps extends StaticIngressProps {
  /**
   * Let the ALB see the client's own address (the ALB then needs security group rules for client
   * addresses, which `allowedPeers` writes). Turning it off makes every request arrive from Global
   * Accelerator's addresses inside the VPC, so `allowedPeers` can no longer tell vendors apart.
   *
   * @default true
   */
  readonly clientIpPreservation?: boolean;

  /**
   * Send each client to the same endpoint every time (only matters with more than one endpoint).
   *
   * @default ClientAffinity.NONE
   */
  readonly clientAffinity?: ClientAffinity;

  /**
   * @default - CDK's generated name
   */
  readonly acceleratorName?: string;
}

/**
 * Static ingress through AWS Global Accelerator: two static anycast IPv4 addresses → an ALB in this stack's
 * Region → the function. The addresses stay for the accelerator's life (delete it and they are gone), come
 * with AWS Shield Standard at the edge, and cost about $18.25 a month plus data transfer-premium.
 *
 * A construct per strategy, like `NatGatewayEgress` for egress, rather than one construct with a strategy
 * option: each has only the props that mean something for it (this one has no pool; `NetworkLoadBalancerIngress`
 * takes one). Both build the same ALB → Lambda half.
 */
export class GlobalAcceleratorIngress extends Construct implements IConnectable {
  readonly accelerator: Accelerator;
  readonly listener: Listener;
  /** The ALB, created or yours. */
  readonly loadBalancer: LambdaAlb['loadBalancer'];
  /** The Lambda target group behind every listener. */
  readonly targetGroup: LambdaAlb['targetGroup'];
  /** The accelerator's two static IPv4 addresses (a list token): what a vendor allow-lists. */
  readonly staticIps: string[];
  /** The accelerator's DNS name, which resolves to the static IPs. */
  readonly dnsName: string;
  /**
   * The security group that filters callers: the ALB's, which sees each client's own address (client IP
   * preservation). `ingress.connections.allowFrom(peer, Port.tcp(443))` admits more callers, as
   * `allowedPeers` does.
   */
  readonly connections: Connections;

  constructor(scope: Construct, id: string, props: GlobalAcceleratorIngressProps) {
    super(scope, id);
    const clientIpPreservation = props.clientIpPreservation ?? true;
    if (!clientIpPreservation && props.allowedPeers !== undefined) {
      throw propsError(
        this,
        'ContradictoryIngressProps',
        'allowedPeers filters on client addresses, but clientIpPreservation is off, so the ALB would only see Global Accelerator addresses; turn clientIpPreservation on or drop allowedPeers',
      );
    }
    const alb = new LambdaAlb(this, 'Alb', props, this);
    this.loadBalancer = alb.loadBalancer;
    this.targetGroup = alb.targetGroup;
    checkInternetGateway(this, props.vpc ?? props.loadBalancer?.vpc);
    // Global Accelerator hands the ALB the client's own address, so the ALB's group filters callers.
    const peers = props.allowedPeers ?? [Peer.anyIpv4()];
    alb.allowFrom(peers, 'static ingress');
    LambdaAlb.acknowledgeOpenToInternet(alb.createdSecurityGroup, peers);
    this.connections = alb.loadBalancer.connections;

    this.accelerator = new Accelerator(this, 'Accelerator', {
      ...(props.acceleratorName === undefined ? {} : { acceleratorName: props.acceleratorName }),
    });
    this.listener = this.accelerator.addListener('Listener', {
      protocol: ConnectionProtocol.TCP,
      portRanges: alb.ports.map((port) => ({ fromPort: port, toPort: port })),
      clientAffinity: props.clientAffinity ?? ClientAffinity.NONE,
    });
    // The endpoint group's Region is the ALB's, that is, this stack's.
    this.listener.addEndpointGroup('Endpoints', {
      endpoints: [
        new ApplicationLoadBalancerEndpoint(alb.loadBalancer, { preserveClientIp: clientIpPreservation }),
      ],
    });

    const staticIps = this.accelerator.ipv4Addresses;
    if (staticIps === undefined) {
      // Accelerator always sets it for an accelerator it creates; a guard for the optional type.
      throw propsError(this, 'NoStaticIps', 'the accelerator exposes no IPv4 addresses');
    }
    this.staticIps = staticIps;
    this.dnsName = this.accelerator.dnsName;
    new CfnOutput(this, 'StaticIps', {
      description:
        'Global Accelerator static IPv4 addresses for webhooks (allow-list these), comma-separated',
      value: Fn.join(',', this.staticIps),
    });
    new CfnOutput(this, 'DnsName', {
      description: 'Global Accelerator DNS name (resolves to the static IPs)',
      value: this.dnsName,
    });
  }
}

/**
 * Global Accelerator sends traffic to an internal ALB only when the ALB's VPC has an internet gateway
 * attached, though no route to it and no public address is needed
 * (https://docs.aws.amazon.com/global-accelerator/latest/dg/secure-vpc-connections.html). A VPC the app
 * builds or attaches a gateway to is checked at synth; for an imported one only the deployment can tell.
 */
function checkInternetGateway(scope: GlobalAcceleratorIngress, vpc: IVpc | undefined): void {
  const attached =
    (vpc instanceof Vpc && vpc.internetGatewayId !== undefined) ||
    (vpc !== undefined &&
      scope.node.root.node
        .findAll()
        .some(
          (construct) =>
            construct instanceof CfnVPCGatewayAttachment &&
            construct.vpcId === vpc.vpcId &&
            construct.internetGatewayId !== undefined,
        ));
  if (attached) return;
  if (vpc instanceof Vpc) {
    throw propsError(
      scope,
      'NoInternetGateway',
      `VPC ${vpc.node.path} has no internet gateway, and Global Accelerator reaches an ALB only in a VPC with one attached (no route to it is needed); give the VPC a public subnet, so that the Vpc construct attaches one (no function or load balancer needs to use it)`,
    );
  }
  const which =
    vpc === undefined
      ? 'the VPC of the imported load balancer is unknown to the app'
      : `VPC ${vpc.node.path} is imported`;
  Annotations.of(scope).addWarningV2(
    'lambda-static-ip:internetGatewayUnknown',
    `${which}, so it cannot tell whether an internet gateway is attached; Global Accelerator reaches the ALB only if one is, so check that before you deploy`,
  );
}
