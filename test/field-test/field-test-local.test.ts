import { describe, expect, it } from 'vitest';
import type { FieldTestReport } from '../../src/core/field-test/report.js';
import { FIELD_TEST_SCENARIOS } from '../../src/core/field-test/scenarios.js';
import { LOCAL_EVENT_DELAY_RANGE_MS } from '../../testbed/field-test-target.js';
import { DEFAULT_TIMINGS } from '../../testbed/timings.js';
import { runCliInProcess } from '../support/cli-in-process.js';

const clientOptions = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

describe('field-test --local', () => {
  it('runs every scenario end to end on the test bed: downtime as the timeline measured it, only pool addresses, the simulator’s timings', async () => {
    const run = await runCliInProcess(['field-test', '--local', '--json'], { clientOptions });
    expect(run.stderr).not.toContain('error:');
    // On failure, the document's error and scenarios say which one and why.
    expect(run.code, run.stdout.slice(0, 4000)).toBe(0);
    const report = run.json<FieldTestReport>();
    const { invokeIntervalMs, reconcileIntervalMs } = report.settings;
    expect(report.mode).toBe('local');
    expect(report.verdict.egressFromPoolIps).toBe('confirmed');

    // Every scenario that can run did, and passed; the keeper one waits for `prepare`.
    const runnable = FIELD_TEST_SCENARIOS.filter((s) => !s.needsPrepare).map((s) => s.id);
    expect(report.scenarios.map((s) => s.id)).toEqual(runnable);
    expect(report.unavailable.map((s) => s.id)).toEqual(['sg-change-keeper']);
    expect(report.notForceable.map((s) => s.id)).toEqual(['idle-reclaim', 'scale-out']);
    for (const scenario of report.scenarios) expect(scenario.status, scenario.id).toBe('passed');

    // Downtime from invocations covers the timeline's exact figure, and exceeds it by at most one interval.
    for (const scenario of report.scenarios) {
      const truth = scenario.simulatorDowntimeMs as number;
      expect(scenario.downtimeMs, scenario.id).toBeGreaterThanOrEqual(truth);
      expect(scenario.downtimeMs - truth, scenario.id).toBeLessThanOrEqual(invokeIntervalMs);
    }
    const downtime = Object.fromEntries(report.scenarios.map((s) => [s.id, s.simulatorDowntimeMs]));
    // Spares (or nothing new to bind) mean no gap; without spares, the IPs move at the first bind after the switch.
    expect(downtime).toMatchObject({
      'first-bind': 0,
      'sg-change-spares': 0,
      'subnet-added': 0,
      'function-deleted': 0,
    });
    expect(downtime['sg-change']).toBeLessThanOrEqual(reconcileIntervalMs);
    expect(report.scenarios.find((s) => s.id === 'sg-change')?.invocations).toBeGreaterThan(0);

    // Traffic left from the pool's addresses, every one of them, and from nothing else.
    expect(new Set(report.poolIps).size).toBe(4);
    const seen = new Set(report.scenarios.flatMap((s) => s.addressesSeen));
    expect(seen).toEqual(new Set(report.poolIps));
    for (const scenario of report.scenarios) expect(scenario.foreignAddresses).toEqual([]);

    // The timings are the simulator's configured ones, to the resolution the report states.
    const { eniSwitchMs, eniDeletionDelayMs, eventDelayMs } = report.timings;
    if (eniSwitchMs.status !== 'measured') throw new Error(`eniSwitchMs ${eniSwitchMs.status}`);
    expect(eniSwitchMs.samplesMs).toHaveLength(4);
    for (const sample of eniSwitchMs.samplesMs) {
      expect(sample).toBeGreaterThanOrEqual(DEFAULT_TIMINGS.eniSwitchMs);
      expect(sample).toBeLessThanOrEqual(DEFAULT_TIMINGS.eniSwitchMs + eniSwitchMs.resolutionMs);
    }
    if (eniDeletionDelayMs.status !== 'measured')
      throw new Error(`eniDeletionDelayMs ${eniDeletionDelayMs.status}`);
    for (const sample of eniDeletionDelayMs.samplesMs) {
      expect(sample).toBeGreaterThanOrEqual(DEFAULT_TIMINGS.eniDeletionDelayMs);
      expect(sample).toBeLessThanOrEqual(
        DEFAULT_TIMINGS.eniDeletionDelayMs + eniDeletionDelayMs.resolutionMs,
      );
    }
    // CloudTrail's events came through the run's rule and queue (moto's EventBridge and SQS), one per Lambda
    // ENI the simulator created, each within the drawn delays, late by at most CloudTrail's whole-second
    // eventTime and the time between two reads of the queue (the resolution).
    if (eventDelayMs.status !== 'measured') throw new Error(`eventDelayMs ${eventDelayMs.status}`);
    const [minDelay, maxDelay] = LOCAL_EVENT_DELAY_RANGE_MS;
    expect(eventDelayMs.withoutEvent).toEqual([]);
    expect(eventDelayMs.eniIds?.length).toBe(eventDelayMs.count);
    expect(report.simulatorEnis?.length).toBeGreaterThan(0);
    expect(new Set(eventDelayMs.eniIds)).toEqual(new Set(report.simulatorEnis));
    expect(eventDelayMs.count).toBe(eventDelayMs.samplesMs.length);
    expect(eventDelayMs.resolutionMs).toBeLessThanOrEqual(invokeIntervalMs + 1_000);
    for (const sample of eventDelayMs.samplesMs) {
      expect(sample).toBeGreaterThanOrEqual(minDelay);
      expect(sample).toBeLessThanOrEqual(maxDelay + eventDelayMs.resolutionMs);
    }
    // Drawn, not one constant: the samples spread over the range.
    expect(eventDelayMs.maxMs - eventDelayMs.minMs).toBeGreaterThan((maxDelay - minDelay) / 4);

    // Nothing is left behind, the run's event rule and queue included, and nothing was kept.
    expect(report.cleanup).toMatchObject({ complete: true, left: [], keptIps: [] });
    expect(report.cleanup.removed).toEqual(
      expect.arrayContaining([
        `event rule lsi-ft-${report.runId}-eni-events`,
        `queue lsi-ft-${report.runId}-eni-events`,
      ]),
    );
  }, 300_000);
});
