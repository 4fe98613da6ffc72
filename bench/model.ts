import { readFileSync } from 'node:fs';
import type { FieldTestReport, TimingMeasurement } from '../src/core/field-test/report.js';
import {
  CHURN_DRAW_RANGES,
  type ChurnDraw,
  type ChurnDrawRanges,
  DEFAULT_CHURN_DRAW,
} from '../testbed/index.js';

/** The churn draw a field-test report's measurements give, and which timings kept their default. */
export interface ModelDraw {
  readonly from: string;
  readonly runId: string;
  readonly mode: FieldTestReport['mode'];
  readonly draw: ChurnDraw;
  /**
   * The sweep's ranges: each measured timing from its smallest to its largest sample, widened to whole
   * seconds (a single sample is a point); the others, and the schedule's phase, keep CHURN_DRAW_RANGES.
   */
  readonly ranges: ChurnDrawRanges;
  /** Timings the report did not measure: they keep testbed/timings.ts's default. */
  readonly defaulted: readonly string[];
}

/**
 * `npm run bench -- --model report.json`: the medians of a field test's measured timings in place of the
 * defaults, so the churn scenarios show what that account's timings mean for downtime, and the measured
 * spans (smallest to largest sample) as the sweep's ranges.
 */
export function modelDraw(path: string): ModelDraw {
  const report = JSON.parse(readFileSync(path, 'utf8')) as FieldTestReport;
  if (!report.timings || !report.runId) {
    throw new Error(
      `${path} is not a field-test report (no runId or timings); pass the --out <path>.json a field test wrote`,
    );
  }
  const defaulted: string[] = [];
  const ranges: Record<keyof ChurnDraw, readonly [number, number]> = { ...CHURN_DRAW_RANGES };
  const pick = (name: keyof ChurnDraw & keyof FieldTestReport['timings']) => {
    const measurement: TimingMeasurement = report.timings[name];
    if (measurement.status === 'measured') {
      const samples = measurement.samplesMs;
      // Whole seconds, outwards: the sweep's draws are rounded to the second.
      ranges[name] = [
        Math.floor(Math.min(...samples) / 1000) * 1000,
        Math.ceil(Math.max(...samples) / 1000) * 1000,
      ];
      return measurement.medianMs;
    }
    defaulted.push(`${name} (${measurement.status}: ${measurement.reason})`);
    return DEFAULT_CHURN_DRAW[name];
  };
  return {
    from: path,
    runId: report.runId,
    mode: report.mode,
    draw: {
      eventDelayMs: pick('eventDelayMs'),
      eniSwitchMs: pick('eniSwitchMs'),
      eniDeletionDelayMs: pick('eniDeletionDelayMs'),
      schedulePhaseMs: DEFAULT_CHURN_DRAW.schedulePhaseMs,
    },
    ranges,
    defaulted,
  };
}
