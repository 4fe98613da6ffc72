import type { ObservedAddress, ObservedInterface } from './model.js';

/**
 * What an Elastic IP is associated with, as far as a pool needs to tell: a Lambda Hyperplane ENI (the
 * reconciler's), a NAT gateway's ENI (`NatGatewayEgress`), a Network Load Balancer's ENI
 * (`NetworkLoadBalancerIngress`), a NAT instance's ENI (fck-nat, docs/nat-instance.md), another instance,
 * some other ENI, or nothing.
 */
export type AddressHolder =
  | 'lambda'
  | 'nat-gateway'
  | 'network-load-balancer'
  | 'nat-instance'
  | 'instance'
  | 'other-interface'
  | 'none';

/** Which way the traffic through a pool IP goes: what a vendor's allow-list (egress) or DNS (ingress) needs. */
export type Direction = 'egress' | 'ingress';

/** The NLB's ENI description starts so (`ELB net/<name>/<id>`); an ALB's is `ELB app/…`. */
const NLB_DESCRIPTION_PREFIX = 'ELB net/';

/**
 * Classifies an ENI by `InterfaceType`. EC2 answers `nat_gateway` for a NAT gateway's ENI, although the
 * API model (and so the SDK's enum) spells it `natGateway`: both are accepted. An NLB's ENI is also known
 * by its description, which ELB sets and nobody can modify. An ENI attached to an instance is a NAT
 * instance's when its source/destination check is off: an instance forwards others' packets only so, and
 * fck-nat turns it off on the ENI that holds its Elastic IP.
 */
export function holderOfInterface(
  eni: Pick<ObservedInterface, 'interfaceType' | 'description' | 'instanceId' | 'sourceDestCheck'>,
): AddressHolder {
  switch (eni.interfaceType) {
    case 'lambda':
      return 'lambda';
    case 'nat_gateway':
    case 'natGateway':
      return 'nat-gateway';
    case 'network_load_balancer':
      return 'network-load-balancer';
  }
  if (eni.description.startsWith(NLB_DESCRIPTION_PREFIX)) return 'network-load-balancer';
  if (eni.instanceId) return eni.sourceDestCheck === false ? 'nat-instance' : 'instance';
  return 'other-interface';
}

/** What holds an address, given the ENIs described for it (an ENI not among them is `other-interface`). */
export function holderOfAddress(
  address: ObservedAddress,
  interfaces: ReadonlyMap<
    string,
    Pick<ObservedInterface, 'interfaceType' | 'description' | 'instanceId' | 'sourceDestCheck'>
  >,
): AddressHolder {
  if (address.networkInterfaceId) {
    const eni = interfaces.get(address.networkInterfaceId);
    return eni ? holderOfInterface(eni) : 'other-interface';
  }
  if (address.instanceId) return 'instance';
  return address.associationId ? 'other-interface' : 'none';
}

/**
 * Only an NLB's addresses take traffic in (`ingress`). Everything else is egress: Lambda ENIs, NAT
 * gateways and NAT instances send traffic out from the address, and a free address is a spare for any
 * egress strategy.
 */
export function directionOf(holder: AddressHolder): Direction {
  return holder === 'network-load-balancer' ? 'ingress' : 'egress';
}

/** Holders that another strategy of the same pool owns: the reconciler never touches their addresses. */
export function isGatewayHolder(holder: AddressHolder): boolean {
  return holder === 'nat-gateway' || holder === 'network-load-balancer' || holder === 'nat-instance';
}
