import { describe, expect, it } from 'vitest';
import {
  directionOf,
  holderOfAddress,
  holderOfInterface,
  isGatewayHolder,
} from '../../src/core/address-holder.js';

describe('holderOfInterface', () => {
  it.each([
    ['lambda', 'AWS Lambda VPC ENI-api-1', 'lambda'],
    // EC2 answers nat_gateway; the API model (and the SDK's enum) says natGateway.
    ['nat_gateway', 'Interface for NAT Gateway nat-1', 'nat-gateway'],
    ['natGateway', '', 'nat-gateway'],
    ['network_load_balancer', 'ELB net/in/1', 'network-load-balancer'],
    ['interface', 'ELB net/in/1', 'network-load-balancer'],
    ['interface', 'ELB app/web/1', 'other-interface'],
    ['interface', '', 'other-interface'],
  ])('%s with description %j is %s', (interfaceType, description, holder) => {
    expect(holderOfInterface({ interfaceType, description })).toBe(holder);
  });

  it('takes an instance’s ENI for a NAT instance only when its source/destination check is off', () => {
    const attached = { interfaceType: 'interface', description: '', instanceId: 'i-1' };
    expect(holderOfInterface({ ...attached, sourceDestCheck: false })).toBe('nat-instance');
    expect(holderOfInterface({ ...attached, sourceDestCheck: true })).toBe('instance');
    expect(holderOfInterface(attached)).toBe('instance');
    expect(holderOfInterface({ interfaceType: 'interface', description: '', sourceDestCheck: false })).toBe(
      'other-interface',
    );
  });
});

describe('holderOfAddress and directionOf', () => {
  const interfaces = new Map([['eni-nlb', { interfaceType: 'network_load_balancer', description: '' }]]);
  const base = { allocationId: 'eipalloc-1', publicIp: '198.51.100.1', tags: {} };

  it('classifies by what the address is associated with; only an NLB is ingress', () => {
    const cases = [
      [base, 'none', 'egress'],
      [{ ...base, associationId: 'a', networkInterfaceId: 'eni-nlb' }, 'network-load-balancer', 'ingress'],
      [{ ...base, associationId: 'a', networkInterfaceId: 'eni-unknown' }, 'other-interface', 'egress'],
      [{ ...base, associationId: 'a', instanceId: 'i-1' }, 'instance', 'egress'],
    ] as const;
    for (const [address, holder, direction] of cases) {
      expect(holderOfAddress(address, interfaces)).toBe(holder);
      expect(directionOf(holderOfAddress(address, interfaces))).toBe(direction);
    }
  });

  it('counts NAT gateways, NAT instances and NLBs as the holders the reconciler leaves alone', () => {
    expect(
      ['nat-gateway', 'nat-instance', 'network-load-balancer'].every((h) => isGatewayHolder(h as never)),
    ).toBe(true);
    expect(['lambda', 'instance', 'other-interface', 'none'].some((h) => isGatewayHolder(h as never))).toBe(
      false,
    );
  });
});
