import { describe, expect, it } from 'vitest';
import { ipv6CheckFor } from '../../src/core/audit-ipv6.js';
import { ipv6AllowList } from '../../src/core/ipv6-egress.js';
import type { ObservedFunction } from '../../src/core/model.js';

const fn = (name: string, version: string, subnetIds: string[], extra: Partial<ObservedFunction> = {}) =>
  ({
    name,
    version,
    arn: `arn:${name}`,
    subnetIds,
    securityGroupIds: ['sg-1'],
    inPool: true,
    ...extra,
  }) as ObservedFunction;

const subnets = [
  { id: 'subnet-b', vpcId: 'vpc-1', availabilityZone: 'us-east-1b', ipv6CidrBlocks: ['2600:1f18:0:2::/64'] },
  { id: 'subnet-a', vpcId: 'vpc-1', availabilityZone: 'us-east-1a', ipv6CidrBlocks: ['2600:1f18:0:1::/64'] },
  { id: 'subnet-c', vpcId: 'vpc-1', availabilityZone: 'us-east-1a' },
  { id: 'subnet-x', vpcId: 'vpc-1', availabilityZone: 'us-east-1a', ipv6CidrBlocks: ['2600:1f18:0:9::/64'] },
];

describe('ipv6AllowList', () => {
  it('lists the pool functions’ subnets by zone with their /64s once, and who does not allow IPv6', () => {
    const list = ipv6AllowList(
      [
        fn('api', '$LATEST', ['subnet-b', 'subnet-a'], { ipv6AllowedForDualStack: true }),
        fn('api', '3', ['subnet-a', 'subnet-c']),
        fn('other', '$LATEST', ['subnet-x'], { inPool: false, ipv6AllowedForDualStack: true }),
      ],
      subnets,
    );
    expect(list.cidrs).toEqual(['2600:1f18:0:1::/64', '2600:1f18:0:2::/64']);
    expect(list.subnets.map((view) => [view.subnetId, view.functions])).toEqual([
      ['subnet-a', ['api', 'api:3']],
      ['subnet-c', ['api:3']],
      ['subnet-b', ['api']],
    ]);
    expect(list.functionsWithoutIpv6).toEqual(['api:3']);
  });
});

describe('ipv6CheckFor', () => {
  it('follows the flag, else checks when a pool function (not another) allows IPv6', () => {
    const allows = fn('api', '$LATEST', ['subnet-a'], { ipv6AllowedForDualStack: true });
    const outside = { ...allows, inPool: false };
    expect(ipv6CheckFor(true, [])).toBe('asked');
    expect(ipv6CheckFor(false, [allows])).toBe('off');
    expect(ipv6CheckFor(undefined, [allows])).toBe('detected');
    expect(ipv6CheckFor(undefined, [outside, fn('b', '$LATEST', ['subnet-a'])])).toBe('off');
  });
});
