/**
 * AWS CDK v2 constructs for static Lambda IPs. The only part of the package that imports aws-cdk-lib and
 * constructs (optional peer dependencies), so the CLI runs without them.
 */
export type { KeeperPlacement } from './combination-keepers.js';
export { DualStackEgress, type DualStackEgressProps } from './dual-stack-egress.js';
export {
  GlobalAcceleratorIngress,
  type GlobalAcceleratorIngressProps,
} from './global-accelerator-ingress.js';
export { HyperplaneEgress, type HyperplaneEgressProps } from './hyperplane-egress.js';
export type { LambdaAlbListener, StaticIngressProps } from './lambda-alb.js';
export { NatGatewayEgress, type NatGatewayEgressProps, type NatGatewayMode } from './nat-gateway-egress.js';
export {
  NetworkLoadBalancerIngress,
  type NetworkLoadBalancerIngressProps,
} from './network-load-balancer-ingress.js';
export type { PoolBindGrantOptions } from './pool-grants.js';
export {
  type IStaticIpPool,
  type PoolAddress,
  type PoolHolder,
  StaticIpPool,
  type StaticIpPoolAttributes,
  type StaticIpPoolProps,
} from './static-ip-pool.js';
