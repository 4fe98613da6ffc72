import { describe, expect, it } from 'vitest';
import { estimateFieldTestCost } from '../../src/core/field-test/cost-estimate.js';
import { downtimeMs, egressGaps, type InvocationSample } from '../../src/core/field-test/invocations.js';
import { type FieldTestScenarioReport, fieldTestVerdict } from '../../src/core/field-test/report.js';
import { poolSizeNeeded, selectScenarios } from '../../src/core/field-test/scenarios.js';

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

  it('sizes the pool by the most demanding scenario, and leaves the keeper out until prepare exists', () => {
    const all = selectScenarios('all', { prepare: false });
    expect(all.unavailable.map((s) => s.id)).toEqual(['sg-change-keeper']);
    expect(poolSizeNeeded(all.selected)).toBe(4);
    expect(poolSizeNeeded(selectScenarios('first-bind,subnet-added', { prepare: false }).selected)).toBe(3);
    expect(selectScenarios('sg-change-keeper', { prepare: true }).selected.map((s) => s.id)).toEqual([
      'sg-change-keeper',
    ]);
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
