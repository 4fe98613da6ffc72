import { describe, expect, it } from 'vitest';
import { emfLine } from '../../src/handlers/emf.js';
import { reportRun, runMetricsLine } from '../../src/handlers/run-report.js';

describe('emfLine', () => {
  it('writes one JSON document that declares its metrics and carries their values at the root', () => {
    const line = emfLine({
      namespace: 'LambdaStaticIp',
      dimensions: { Pool: 'shop' },
      metrics: [
        { name: 'UnboundEnis', value: 2, unit: 'Count' },
        { name: 'ReconcileDurationMs', value: 812, unit: 'Milliseconds' },
      ],
      timestamp: 1_767_225_600_000,
      properties: { requestId: 'r-1' },
    });
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: 1_767_225_600_000,
        CloudWatchMetrics: [
          {
            Namespace: 'LambdaStaticIp',
            Dimensions: [['Pool']],
            Metrics: [
              { Name: 'UnboundEnis', Unit: 'Count' },
              { Name: 'ReconcileDurationMs', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      Pool: 'shop',
      UnboundEnis: 2,
      ReconcileDurationMs: 812,
      requestId: 'r-1',
    });
  });

  it('refuses documents CloudWatch would drop without a word', () => {
    const base = { namespace: 'N', dimensions: { Pool: 'p' }, timestamp: 0 };
    expect(() => emfLine({ ...base, metrics: [] })).toThrow(/1 to 100 metrics/);
    expect(() => emfLine({ ...base, metrics: [{ name: 'A', value: Number.NaN, unit: 'Count' }] })).toThrow(
      /finite number/,
    );
    expect(() =>
      emfLine({
        ...base,
        metrics: [
          { name: 'A', value: 1, unit: 'Count' },
          { name: 'A', value: 2, unit: 'Count' },
        ],
      }),
    ).toThrow(/used twice/);
    expect(() => emfLine({ ...base, metrics: [{ name: 'Pool', value: 1, unit: 'Count' }] })).toThrow(
      /used twice/,
    );
    expect(() =>
      emfLine({ ...base, dimensions: { Pool: '' }, metrics: [{ name: 'A', value: 1, unit: 'None' }] }),
    ).toThrow(/empty value/);
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`D${i}`, 'x']));
    expect(() =>
      emfLine({ ...base, dimensions: many, metrics: [{ name: 'A', value: 1, unit: 'None' }] }),
    ).toThrow(/at most 30 dimensions/);
  });
});

describe('runMetricsLine', () => {
  const report = {
    pool: 'shop',
    applied: 3,
    failed: 0,
    unboundEnis: 1,
    freePoolIps: 2,
    poolIps: 5,
    boundPoolIps: 3,
    converged: true,
    problems: [],
  };

  it('publishes the controller metrics with dimension Pool', () => {
    const line = runMetricsLine(report, 40, 5, { trigger: 'schedule' });
    const document = JSON.parse(line);
    expect(document).toMatchObject({
      Pool: 'shop',
      UnboundEnis: 1,
      FreePoolIps: 2,
      PoolIps: 5,
      BoundPoolIps: 3,
      ActionsApplied: 3,
      ReconcileDurationMs: 40,
      trigger: 'schedule',
    });
    expect(document._aws.CloudWatchMetrics[0].Namespace).toBe('LambdaStaticIp');
    // Only a run that bound the ENI of its CreateNetworkInterface event knows how long that took.
    expect(document).not.toHaveProperty('TimeToBindMs');
  });

  it('publishes TimeToBindMs, in milliseconds, when the run measured it', () => {
    const document = JSON.parse(runMetricsLine({ ...report, timeToBindMs: 61_500 }, 40, 5));
    expect(document.TimeToBindMs).toBe(61_500);
    expect(document._aws.CloudWatchMetrics[0].Metrics).toContainEqual({
      Name: 'TimeToBindMs',
      Unit: 'Milliseconds',
    });
  });

  it('needs a reconcile to report on', () => {
    expect(() => reportRun([])).toThrow(/at least one reconcile/);
  });
});
