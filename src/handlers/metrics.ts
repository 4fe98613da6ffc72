import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LogSink } from './logger.js';

/** The CloudWatch namespace of every metric the handlers publish. */
export const METRICS_NAMESPACE = 'LambdaStaticIp';

export { MetricUnit };

/** One metric value of a document. */
export interface MetricValue {
  readonly name: string;
  readonly value: number;
  readonly unit: (typeof MetricUnit)[keyof typeof MetricUnit];
}

export interface MetricsDocument {
  /** Every metric gets exactly this set of dimensions (the alarms' dimensions: keep them stable). */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly metrics: readonly MetricValue[];
  /** Extra members for Logs Insights (request id, trigger, …); they are not metrics. */
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * Powertools Metrics for one handler, writing CloudWatch embedded metric format (EMF) documents to a
 * sink: one JSON log line that CloudWatch Logs turns into metrics, with no PutMetricData call and so no
 * extra permission or latency. Powertools builds and checks each document; only where it goes is ours
 * (the same sink as the log lines).
 */
export class HandlerMetrics {
  readonly #metrics: Metrics;
  readonly #sink: LogSink;

  constructor(sink: LogSink, logger: Logger) {
    this.#sink = sink;
    this.#metrics = new Metrics({ namespace: METRICS_NAMESPACE, logger });
    // Powertools adds a `service` dimension to every metric by default; the alarms (src/cdk) and the
    // dashboards people already built watch `Pool` (and `Subnet`) alone.
    this.#metrics.clearDefaultDimensions();
  }

  /**
   * Writes one EMF document with these values, dimensions and properties, and forgets them. Its timestamp
   * is the wall clock's (CloudWatch drops values more than 14 days old, so never a test's virtual clock).
   */
  publish(document: MetricsDocument): void {
    const metrics = this.#metrics;
    try {
      metrics.addDimensions({ ...document.dimensions });
      for (const metric of document.metrics) {
        // Powertools takes NaN and Infinity, which JSON turns into null: a metric CloudWatch drops unseen.
        if (!Number.isFinite(metric.value)) {
          throw new RangeError(`metric ${metric.name} must be a finite number, got ${metric.value}`);
        }
        metrics.addMetric(metric.name, metric.unit, metric.value);
      }
      for (const [key, value] of Object.entries(document.properties ?? {})) metrics.addMetadata(key, value);
      this.#sink(JSON.stringify(metrics.serializeMetrics()));
    } finally {
      metrics.clearMetrics();
      metrics.clearDimensions();
      metrics.clearMetadata();
    }
  }
}
