/**
 * CloudWatch embedded metric format (EMF): one JSON log line that CloudWatch Logs turns into metrics,
 * with no PutMetricData call and so no extra permission or latency. The whole log event must be the
 * JSON document, so these lines are written raw to stdout (see `logger.ts`).
 */

/** The units this project publishes (a subset of CloudWatch's). */
export type MetricUnit = 'Count' | 'Milliseconds' | 'None';

export interface MetricValue {
  readonly name: string;
  readonly value: number;
  readonly unit: MetricUnit;
}

export interface EmfDocument {
  readonly namespace: string;
  /** Every metric gets exactly this set of dimensions; the values must be non-empty strings. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly metrics: readonly MetricValue[];
  /** Milliseconds since the epoch: when the values were measured. */
  readonly timestamp: number;
  /** Extra members for Logs Insights (request id, …); they are not metrics. */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** The specification's limits: 30 dimensions per set, 100 metrics per directive. */
const MAX_DIMENSIONS = 30;
const MAX_METRICS = 100;

/**
 * Serialises one EMF document as a single line. Throws on input CloudWatch would reject silently (a
 * metric that is not a finite number, a name used twice), because a dropped metric alarms nobody.
 */
export function emfLine(document: EmfDocument): string {
  const dimensionNames = Object.keys(document.dimensions);
  if (document.namespace === '') throw new Error('EMF: the namespace must not be empty');
  if (dimensionNames.length > MAX_DIMENSIONS)
    throw new Error(`EMF: at most ${MAX_DIMENSIONS} dimensions, got ${dimensionNames.length}`);
  if (document.metrics.length === 0 || document.metrics.length > MAX_METRICS)
    throw new Error(`EMF: 1 to ${MAX_METRICS} metrics per document, got ${document.metrics.length}`);
  for (const [name, value] of Object.entries(document.dimensions)) {
    if (value === '') throw new Error(`EMF: dimension ${name} has an empty value`);
  }

  const root: Record<string, unknown> = { ...document.properties };
  const taken = new Set(dimensionNames);
  for (const metric of document.metrics) {
    if (metric.name === '' || taken.has(metric.name))
      throw new Error(`EMF: metric name ${JSON.stringify(metric.name)} is empty or used twice`);
    if (!Number.isFinite(metric.value))
      throw new Error(`EMF: metric ${metric.name} must be a finite number, got ${metric.value}`);
    taken.add(metric.name);
    root[metric.name] = metric.value;
  }
  Object.assign(root, document.dimensions);
  root._aws = {
    Timestamp: document.timestamp,
    CloudWatchMetrics: [
      {
        Namespace: document.namespace,
        Dimensions: [dimensionNames],
        Metrics: document.metrics.map((metric) => ({ Name: metric.name, Unit: metric.unit })),
      },
    ],
  };
  return JSON.stringify(root);
}
