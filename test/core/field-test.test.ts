import { describe, expect, it } from 'vitest';
import { estimateFieldTestCost } from '../../src/core/field-test/cost-estimate.js';
import { downtimeMs, egressGaps, type InvocationSample } from '../../src/core/field-test/invocations.js';
import { type FieldTestScenarioReport, fieldTestVerdict } from '../../src/core/field-test/report.js';
import {
  type FieldTestScenario,
  keeperEnis,
  poolSizeNeeded,
  selectScenarios,
} from '../../src/core/field-test/scenarios.js';

const sample = (at: number, outcome: InvocationSample['outcome'], ip?: string): InvocationSample => ({
  at,
  functionName: 'api',
  outcome,
  ...(ip ? { ip } : {}),
});

describe('field-test core', () => {
  it('measures a gap from the first invocation without egress to the next with it; refusals neither open nor close one', () => {
    const samples = [
      sample(5, 'egress', '1.1.1.1'),
      sample(4, 'not-ready'),
      sample(6, 'no-egress'),
      sample(7, 'not-ready'),
      sample(8, 'no-egress'),
      sample(9, 'egress', '1.1.1.2'),
      sample(12, 'no-egress'),
    ];
    const gaps = egressGaps(samples, 20);
    expect(gaps).toEqual([
      { functionName: 'api', from: 6, to: 9, invocations: 2, open: false },
      { functionName: 'api', from: 12, to: 20, invocations: 1, open: true },
    ]);
    expect(downtimeMs(gaps)).toBe(11);
  });

  it('confirms egress only when a scenario ran, saw addresses, and every one was a pool address', () => {
    const report = (over: Partial<FieldTestScenarioReport>): FieldTestScenarioReport => ({
      id: 'x',
      title: 'x',
      expectation: '',
      status: 'passed',
      spares: 0,
      functions: [],
      invocations: 3,
      downtimeMs: 0,
      gaps: [],
      addressesSeen: ['1.1.1.1'],
      foreignAddresses: [],
      notes: [],
      ...over,
    });
    expect(fieldTestVerdict([report({})]).egressFromPoolIps).toBe('confirmed');
    expect(fieldTestVerdict([report({ foreignAddresses: ['9.9.9.9'] })]).egressFromPoolIps).toBe(
      'not confirmed',
    );
    expect(fieldTestVerdict([report({ addressesSeen: [] })]).egressFromPoolIps).toBe('not confirmed');
    expect(fieldTestVerdict([report({ status: 'skipped' })]).egressFromPoolIps).toBe('not confirmed');
    expect(fieldTestVerdict([report({}), report({ status: 'error', error: 'boom' })]).reasons).toContain(
      'x failed: boom',
    );
  });

  it("sizes the pool by the most demanding scenario, the keepers' ENIs included", () => {
    const all = selectScenarios('all');
    expect(all.map((s) => s.id)).toContain('sg-change-keeper');
    expect(poolSizeNeeded(all)).toBe(4);
    // The keeper scenario alone: its function's 2 ENIs and its 2 keepers' ENIs, no spare.
    const keeper = selectScenarios('sg-change-keeper');
    expect(keeper.map((s) => s.id)).toEqual(['sg-change-keeper']);
    expect(keeperEnis(keeper[0] as FieldTestScenario)).toBe(2);
    expect(poolSizeNeeded(keeper)).toBe(4);
    expect(poolSizeNeeded(selectScenarios('first-bind,subnet-added'))).toBe(3);
    expect(poolSizeNeeded(selectScenarios('sg-change'))).toBe(2);
  });

  it('estimates the IPs for every started hour of the budget', () => {
    const cost = estimateFieldTestCost({
      ips: 4,
      budgetMinutes: 75,
      invocations: 0,
      memoryMb: 128,
      invocationMs: 0,
    });
    expect(cost.ipsUsd).toBe(0.04); // 4 IPs × 2 hours × $0.005
    expect(cost.lambdaUsd).toBe(0);
  });
});
