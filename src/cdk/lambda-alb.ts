import { ArnFormat, Names, Stack, Token } from 'aws-cdk-lib';
import type { IConnectable, IPeer, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import {
  type ApplicationListener,
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  type HealthCheck,
  type IApplicationLoadBalancer,
  type IListenerCertificate,
  SslPolicy,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { CfnPermission, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct, type IConstruct } from 'constructs';
import { acknowledgeNag } from './nag-acknowledgements.js';
import { propsError } from './props-error.js';

/**
 * What both static-ingress constructs (`GlobalAcceleratorIngress`, `NetworkLoadBalancerIngress`) share: the
 * Application Load Balancer in front of the function, its listeners and its Lambda target.
 */
export interface StaticIngressProps {
  /** The function that answers the requests (Lambda behind an ALB: 1 MB request and response, no WebSockets). */
  readonly handler: IFunction;

  /**
   * The VPC of the load balancer(s).
   *
   * @default - the VPC of `loadBalancer`; one of the two is required
   */
  readonly vpc?: IVpc;

  /**
   * Bring your own Application Load Balancer: the construct adds its listeners (on `httpPort` / `httpsPort`,
   * which must be free on it) and leaves everything else alone.
   *
   * @default - a new ALB is created in `vpc`
   */
  readonly loadBalancer?: IApplicationLoadBalancer;

  /**
   * Whether the created ALB is internet-facing. The static IPs are the front door; an internal ALB keeps it
   * the only one (an internet-facing ALB is also reachable by its own, changing addresses).
   *
   * @default false - internal
   */
  readonly internetFacing?: boolean;

  /**
   * Where the created ALB goes.
   *
   * @default - CDK's default for the scheme: public subnets when internet-facing, private ones otherwise
   */
  readonly loadBalancerSubnets?: SubnetSelection;

  /**
   * Serve HTTPS on `httpsPort` with this certificate; TLS terminates on the ALB.
   *
   * @default - no HTTPS listener
   */
  readonly certificate?: IListenerCertificate;

  /**
   * The security policy of the HTTPS listener.
   *
   * @default SslPolicy.RECOMMENDED_TLS
   */
  readonly sslPolicy?: SslPolicy;

  /**
   * Serve plain HTTP on `httpPort` (forwarded to the function, not redirected).
   *
   * @default - true without a certificate, false with one
   */
  readonly http?: boolean;

  /** @default 80 */
  readonly httpPort?: number;

  /** @default 443 */
  readonly httpsPort?: number;

  /**
   * Who may connect, on the listener ports: a vendor's published webhook ranges go here.
   * `GlobalAcceleratorIngress` writes them on the ALB's security group (Global Accelerator preserves the
   * client's address); `NetworkLoadBalancerIngress` writes them on the NLB's own security group, and the
   * ALB's group admits only the NLB's, so the filter holds whichever address the ALB sees.
   *
   * @default [Peer.anyIpv4()]
   */
  readonly allowedPeers?: IPeer[];

  /**
   * Health checks of the Lambda target group. Off by default because each check is a paid invocation;
   * passing this turns them on (unless it says `enabled: false`).
   *
   * @default - health checks disabled
   */
  readonly healthCheck?: HealthCheck;

  /**
   * Pass multi-value headers and query strings to the function (`multiValueHeaders` /
   * `multiValueQueryStringParameters` in the event; the response must use them too).
   *
   * @default false
   */
  readonly multiValueHeaders?: boolean;
}

/** One listener of the ALB, as the ingress strategies see it. */
export interface LambdaAlbListener {
  readonly port: number;
  readonly protocol: ApplicationProtocol;
  readonly listener: ApplicationListener;
}

/**
 * Internal: the ALB → Lambda half of static ingress, built once for both strategies.
 *
 * The invoke permission is scoped to the target group (`SourceArn`). Its exact ARN would make a cycle (the
 * target group needs the permission before it registers the function; the permission would need the group's
 * ARN), so the target group gets a deterministic name and the permission matches `targetgroup/<name>/*`.
 */
export class LambdaAlb extends Construct {
  readonly loadBalancer: IApplicationLoadBalancer;
  readonly targetGroup: ApplicationTargetGroup;
  readonly listeners: readonly LambdaAlbListener[];

  constructor(scope: Construct, id: string, props: StaticIngressProps, owner: IConstruct) {
    super(scope, id);
    const ports = listenerPorts(owner, props);
    this.loadBalancer = props.loadBalancer ?? this.createLoadBalancer(owner, props);

    const targetGroupName = Names.uniqueResourceName(this, { maxLength: 32, separator: '-' });
    const permission = new CfnPermission(this, 'InvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: props.handler.functionArn,
      principal: 'elasticloadbalancing.amazonaws.com',
      sourceArn: Stack.of(this).formatArn({
        service: 'elasticloadbalancing',
        resource: 'targetgroup',
        resourceName: `${targetGroupName}/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    });
    this.targetGroup = new ApplicationTargetGroup(this, 'LambdaTargets', {
      targetGroupName,
      targetType: TargetType.LAMBDA,
      healthCheck:
        props.healthCheck === undefined ? { enabled: false } : { enabled: true, ...props.healthCheck },
      multiValueHeadersEnabled: props.multiValueHeaders ?? false,
    });
    // CDK's LambdaTarget would add an unscoped permission; register the function directly instead.
    this.targetGroup.addTarget({
      attachToApplicationTargetGroup: () => ({
        targetType: TargetType.LAMBDA,
        targetJson: { id: props.handler.functionArn },
      }),
    });
    this.targetGroup.node.addDependency(permission);

    const listeners: LambdaAlbListener[] = [];
    if (ports.http !== undefined) {
      listeners.push({
        port: ports.http,
        protocol: ApplicationProtocol.HTTP,
        listener: this.loadBalancer.addListener('Http', {
          port: ports.http,
          protocol: ApplicationProtocol.HTTP,
          open: false,
          defaultTargetGroups: [this.targetGroup],
        }),
      });
    }
    if (ports.https !== undefined && props.certificate !== undefined) {
      listeners.push({
        port: ports.https,
        protocol: ApplicationProtocol.HTTPS,
        listener: this.loadBalancer.addListener('Https', {
          port: ports.https,
          protocol: ApplicationProtocol.HTTPS,
          certificates: [props.certificate],
          sslPolicy: props.sslPolicy ?? SslPolicy.RECOMMENDED_TLS,
          open: false,
          defaultTargetGroups: [this.targetGroup],
        }),
      });
    }
    this.listeners = listeners;
  }

  /** The listener ports, in listener order. */
  get ports(): number[] {
    return this.listeners.map((entry) => entry.port);
  }

  /** Opens every listener port to each source (a peer, or a security group) on the ALB's security group. */
  allowFrom(sources: readonly IConnectable[], why: string): void {
    for (const { listener, port } of this.listeners) {
      for (const source of sources) {
        listener.connections.allowDefaultPortFrom(source, `${why} on ${port}`);
      }
    }
  }

  private createLoadBalancer(owner: IConstruct, props: StaticIngressProps): ApplicationLoadBalancer {
    if (props.vpc === undefined) {
      throw propsError(
        owner,
        'MissingVpc',
        'neither vpc nor loadBalancer was given; pass vpc to have an ALB created, or loadBalancer to use yours',
      );
    }
    const loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: props.internetFacing ?? false,
      ...(props.loadBalancerSubnets === undefined ? {} : { vpcSubnets: props.loadBalancerSubnets }),
      dropInvalidHeaderFields: true,
    });
    acknowledgeNag(loadBalancer, {
      id: 'AwsSolutions-ELB2',
      reason:
        "access logs need an S3 bucket whose retention, encryption and cost are the owner's choice; turn them on with loadBalancer.logAccessLogs(bucket)",
    });
    this.created = loadBalancer;
    return loadBalancer;
  }

  /** The ALB this construct created, if it did (not one passed as `loadBalancer`). */
  private created?: ApplicationLoadBalancer;

  /**
   * Acknowledges cdk-nag's open-to-the-internet finding (AwsSolutions-EC23) on a security group this
   * construct family created, when its rules admit any address: the default for a webhook endpoint.
   */
  static acknowledgeOpenToInternet(group: IConstruct | undefined, peers: readonly IPeer[]): void {
    if (group === undefined || !peers.some((peer) => ANY_ADDRESS.includes(peer.uniqueId))) return;
    acknowledgeNag(group, {
      id: 'AwsSolutions-EC23',
      reason:
        "a webhook endpoint: allowedPeers defaults to any IPv4 address, since a vendor's callers come from the internet; pass the vendor's published ranges as allowedPeers and no such rule is written",
    });
  }

  /** The security group of the ALB this construct created, if it did. */
  get createdSecurityGroup(): IConstruct | undefined {
    return this.created?.connections.securityGroups[0];
  }
}

const ANY_ADDRESS = ['0.0.0.0/0', '::/0'];

interface ListenerPorts {
  readonly http: number | undefined;
  readonly https: number | undefined;
}

/** Checks the listener props against each other and returns the ports to listen on. */
function listenerPorts(owner: IConstruct, props: StaticIngressProps): ListenerPorts {
  if (props.loadBalancer !== undefined) {
    for (const name of ['internetFacing', 'loadBalancerSubnets'] as const) {
      if (props[name] !== undefined) {
        throw propsError(
          owner,
          'ContradictoryIngressProps',
          `${name} describes the ALB this construct creates, but loadBalancer brings your own; drop ${name} or loadBalancer`,
        );
      }
    }
  }
  const https = props.certificate !== undefined;
  const http = props.http ?? !https;
  if (!http && !https) {
    throw propsError(
      owner,
      'NoListener',
      'http is false and there is no certificate, so nothing would listen; pass certificate for HTTPS, or leave http on',
    );
  }
  if (!https && props.httpsPort !== undefined) {
    throw propsError(
      owner,
      'ContradictoryIngressProps',
      `httpsPort ${props.httpsPort} was given without a certificate; pass certificate to serve HTTPS, or drop httpsPort`,
    );
  }
  if (!http && props.httpPort !== undefined) {
    throw propsError(
      owner,
      'ContradictoryIngressProps',
      `httpPort ${props.httpPort} was given but http is off${https ? ' (the default with a certificate)' : ''}; pass http: true to serve plain HTTP, or drop httpPort`,
    );
  }
  const ports: ListenerPorts = {
    http: http ? checkedPort(owner, 'httpPort', props.httpPort ?? 80) : undefined,
    https: https ? checkedPort(owner, 'httpsPort', props.httpsPort ?? 443) : undefined,
  };
  if (ports.http !== undefined && ports.http === ports.https) {
    throw propsError(
      owner,
      'ContradictoryIngressProps',
      `httpPort and httpsPort are both ${ports.http}; give them different ports`,
    );
  }
  return ports;
}

function checkedPort(owner: IConstruct, name: string, port: number): number {
  if (Token.isUnresolved(port) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw propsError(owner, 'InvalidPort', `${name} ${port} is invalid: use a whole number from 1 to 65535`);
  }
  return port;
}
