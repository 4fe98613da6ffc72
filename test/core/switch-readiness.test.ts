import { describe, expect, it } from 'vitest';
import type { AddressView, Plan } from '../../src/core/plan.js';
import { switchReadiness } from '../../src/core/switch-readiness.js';

function poolWith(states: ReadonlyArray<AddressView['state']>): Plan {
  return {
    pool: 'shop',
    region: 'us-east-1',
    actions: [],
    unchanged: [],
    problems: [],
    enis: [],
    // Listed in an order that is not the IPs' numeric order.
    addresses: states.map((state, index) => ({
      allocationId: `eipalloc-${index}`,
      publicIp: `198.51.100.${20 - index}`,
      state,
    })),
    spares: { wanted: 0, available: 0, neededForZeroDowntimeChange: 0 },
    rememberSubnet: {},
  };
}

describe('switchReadiness', () => {
  it('to NAT: spares when enough IPs are free (lowest IPs first), free-first when unbinding makes enough', () => {
    const plan = poolWith(['bound', 'bound', 'free', 'free', 'on-retired-eni', 'on-load-balancer']);
    const spares = switchReadiness(plan, 'nat', 2);
    expect(spares.path).toBe('spares');
    expect(spares.take.map((a) => a.publicIp)).toEqual(['198.51.100.17', '198.51.100.18']);
    expect(spares).toMatchObject({ onLambdaEnis: 2, onLoadBalancers: 1, unavailable: 1 });
    expect(switchReadiness(plan, 'nat', 4)).toMatchObject({ path: 'free-first', take: [] });
    expect(switchReadiness(plan, 'nat', 5).path).toBe('too-small');
  });

  it("to Hyperplane: the NAT gateways' IPs count only once they are deleted", () => {
    const plan = poolWith(['on-nat-gateway', 'on-nat-gateway', 'free']);
    expect(switchReadiness(plan, 'hyperplane', 1).path).toBe('spares');
    expect(switchReadiness(plan, 'hyperplane', 3).path).toBe('free-first');
    expect(switchReadiness(plan, 'hyperplane', 4).path).toBe('too-small');
    // IPs on Lambda ENIs do not come back when moving to Hyperplane binding.
    expect(switchReadiness(poolWith(['bound', 'bound']), 'hyperplane', 1).path).toBe('too-small');
  });
});
