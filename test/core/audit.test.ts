import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/core/audit.js';
import type { Observation, ObservedFunction } from '../../src/core/model.js';
import { plan } from '../../src/core/plan.js';
import { monthlyIpCostUsd } from '../../src/core/public-ip-price.js';
import { worldArbitrary } from '../support/worlds.js';

const fn = (name: string, version: string, subnetIds: string[], groups: string[]): ObservedFunction => ({
  name,
  version,
  arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
  subnetIds,
  securityGroupIds: groups,
  inPool: true,
});

function world(functions: ObservedFunction[], addresses = 0): Observation {
  return {
    region: 'us-east-1',
    addresses: Array.from({ length: addresses }, (_, index) => ({
      allocationId: `eipalloc-${index}`,
      publicIp: `198.51.100.${index + 1}`,
      tags: {},
    })),
    enis: [],
    functions,
    subnets: [
      { id: 'subnet-a', vpcId: 'vpc-1', availabilityZone: 'us-east-1a', routesToInternetGateway: true },
    ],
    functionsWithoutVpc: [],
    updatesInProgress: 'none',
  };
}

function report(observation: Observation, eipQuota?: number) {
  const planned = plan(observation, { pool: 'p', allocate: false, maxIps: 0, spares: 0 });
  return audit({
    observation,
    plan: planned,
    securityGroups: [],
    aliases: [],
    ...(eipQuota === undefined ? {} : { eipQuota }),
  });
}

describe('audit (pure)', () => {
  it('grades Elastic IP headroom against what a change of every pool function at once needs', () => {
    const functions = [
      fn('a', '$LATEST', ['subnet-a'], ['sg-1']),
      fn('b', '$LATEST', ['subnet-a'], ['sg-2']),
    ];
    const code = (quota?: number, allocated = 3) =>
      report(world(functions, allocated), quota).findings.find((f) => f.code.startsWith('EipQuota'))?.code;
    expect(code(undefined)).toBe('EipQuotaUnknown');
    expect(code(3)).toBe('EipQuotaReached');
    expect(code(4)).toBe('EipQuotaLow');
    expect(code(5)).toBe('EipQuotaHeadroom');
  });

  it('reports a published version placed unlike $LATEST, and no version placed like it', () => {
    const findings = report(
      world([
        fn('a', '$LATEST', ['subnet-a'], ['sg-2']),
        fn('a', '1', ['subnet-a'], ['sg-1']),
        fn('a', '2', ['subnet-a'], ['sg-2']),
      ]),
    ).findings;
    expect(findings.filter((f) => f.code === 'VersionVpcDiffers').map((f) => f.resources)).toEqual([
      ['a', 'a:1'],
    ]);
  });

  it('prices the pool at $3.65 per IP a month', () => {
    expect(monthlyIpCostUsd(1)).toBe(3.65);
    expect(monthlyIpCostUsd(7)).toBe(25.55);
  });

  it('never throws, orders errors first, and gives every finding a fix (any well-formed world, IPv6 checked or not)', () => {
    fc.assert(
      fc.property(worldArbitrary, fc.constantFrom('off', 'asked'), ({ observation, desired }, ipv6) => {
        const planned = plan(observation, { ...desired, allocate: false });
        const result = audit({
          observation,
          plan: planned,
          securityGroups: [],
          aliases: [],
          eipQuota: 5,
          ipv6: ipv6 as 'off' | 'asked',
        });
        const ranks = result.findings.map((f) => ['error', 'warning', 'info'].indexOf(f.severity));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        for (const finding of result.findings) expect(finding.fix).not.toBe('');
        expect(result.summary.errors).toBe(result.findings.filter((f) => f.severity === 'error').length);
      }),
      { numRuns: 200, seed: 20261126 },
    );
  });
});
