import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHandlerLogger } from '../../src/handlers/logger.js';
import { HandlerMetrics, MetricUnit } from '../../src/handlers/metrics.js';
import { reportRun, runMetrics } from '../../src/handlers/run-report.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A logger and metrics writing to one array of parsed lines, as the handlers' sink does. */
function telemetry(environment: Record<string, string> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = (line: string) => lines.push(JSON.parse(line));
  const logger = createHandlerLogger({ serviceName: 'test-handler', sink, environment });
  return { lines, logger, metrics: new HandlerMetrics(sink, logger) };
}

describe('HandlerMetrics (Powertools Metrics)', () => {
  it('writes one EMF document: the namespace, exactly the given dimensions, values at the root', () => {
    const { lines, metrics } = telemetry();
    const before = Date.now();
    metrics.publish({
      dimensions: { Pool: 'shop' },
      metrics: [
        { name: 'UnboundEnis', value: 2, unit: MetricUnit.Count },
        { name: 'ReconcileDurationMs', value: 812, unit: MetricUnit.Milliseconds },
      ],
      properties: { requestId: 'r-1' },
    });
    expect(lines).toHaveLength(1);
    const [document] = lines as [{ _aws: { Timestamp: number } }];
    expect(document).toEqual({
      _aws: {
        Timestamp: document._aws.Timestamp,
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
    // CloudWatch drops values older than 14 days: the wall clock's time, never a virtual one.
    expect(document._aws.Timestamp).toBeGreaterThanOrEqual(before);
  });

  it('forgets each document once written, and refuses a value CloudWatch would drop', () => {
    const { lines, metrics } = telemetry();
    metrics.publish({
      dimensions: { Pool: 'a' },
      metrics: [{ name: 'A', value: 1, unit: MetricUnit.Count }],
    });
    metrics.publish({
      dimensions: { Pool: 'b' },
      metrics: [{ name: 'B', value: 2, unit: MetricUnit.NoUnit }],
    });
    expect(lines[1]).toEqual(expect.objectContaining({ Pool: 'b', B: 2 }));
    expect(lines[1]).not.toHaveProperty('A');
    expect(() =>
      metrics.publish({
        dimensions: { Pool: 'c' },
        metrics: [{ name: 'A', value: Number.NaN, unit: MetricUnit.Count }],
      }),
    ).toThrow('metric A must be a finite number, got NaN');
    // Nothing of the refused document leaks into the next one.
    metrics.publish({
      dimensions: { Pool: 'd' },
      metrics: [{ name: 'D', value: 4, unit: MetricUnit.Count }],
    });
    expect(lines.at(-1)).toEqual(expect.objectContaining({ Pool: 'd', D: 4 }));
    expect(lines.at(-1)).not.toHaveProperty('Pool', 'c');
  });
});

describe('runMetrics', () => {
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

  it('names the controller metrics, dimension Pool; TimeToBindMs only when the run measured it', () => {
    const document = runMetrics(report, 40, { trigger: 'schedule' });
    expect(document).toEqual({
      dimensions: { Pool: 'shop' },
      metrics: [
        { name: 'UnboundEnis', value: 1, unit: 'Count' },
        { name: 'FreePoolIps', value: 2, unit: 'Count' },
        { name: 'PoolIps', value: 5, unit: 'Count' },
        { name: 'BoundPoolIps', value: 3, unit: 'Count' },
        { name: 'ActionsApplied', value: 3, unit: 'Count' },
        { name: 'ReconcileDurationMs', value: 40, unit: 'Milliseconds' },
      ],
      properties: { trigger: 'schedule' },
    });
    expect(runMetrics({ ...report, timeToBindMs: 61_500 }, 40).metrics.at(-1)).toEqual({
      name: 'TimeToBindMs',
      value: 61_500,
      unit: 'Milliseconds',
    });
  });

  it('needs a reconcile to report on', () => {
    expect(() => reportRun([])).toThrow(/at least one reconcile/);
  });
});

describe('createHandlerLogger (Powertools Logger)', () => {
  const write = (logger: ReturnType<typeof telemetry>['logger']) => {
    logger.debug('d');
    logger.info('i', { pool: 'shop' });
    logger.warn('w');
    logger.error('e', { error: new Error('boom', { cause: new Error('root') }) });
  };

  it('writes JSON lines from INFO up by default, with the service and the fields given', () => {
    const { lines, logger } = telemetry();
    write(logger);
    expect(lines.map((line) => line.level)).toEqual(['INFO', 'WARN', 'ERROR']);
    expect(lines[0]).toMatchObject({ message: 'i', service: 'test-handler', pool: 'shop' });
    expect(typeof lines[0]?.timestamp).toBe('string');
    expect(lines[2]).toMatchObject({
      error: { name: 'Error', message: 'boom', cause: { name: 'Error', message: 'root' } },
    });
  });

  it('takes its level from POWERTOOLS_LOG_LEVEL, and Lambda’s own log level (AWS_LAMBDA_LOG_LEVEL) over it', () => {
    const debug = telemetry({ POWERTOOLS_LOG_LEVEL: 'debug' });
    write(debug.logger);
    expect(debug.lines.map((line) => line.level)).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR']);

    // Powertools reads Lambda's setting from the process environment, where Lambda puts it.
    vi.stubEnv('AWS_LAMBDA_LOG_LEVEL', 'WARN');
    const alc = telemetry({ POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    write(alc.logger);
    expect(alc.lines.map((line) => [line.level, line.message])).toEqual([
      ['WARN', expect.stringMatching(/does not match AWS Lambda Advanced Logging Controls/)],
      ['WARN', 'w'],
      ['ERROR', 'e'],
    ]);
  });
});
