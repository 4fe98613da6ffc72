import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepDraws } from '../../bench/churn.js';
import { modelDraw } from '../../bench/model.js';
import type { FieldTestReport } from '../../src/core/field-test/report.js';
import { CHURN_DRAW_RANGES, DEFAULT_CHURN_DRAW } from '../../testbed/index.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

/** The part of a field-test report `--model` reads: two measured timings, one not measured. */
const report = {
  runId: 'a1b2c3d4',
  mode: 'aws',
  timings: {
    eniSwitchMs: {
      status: 'measured',
      samplesMs: [12_400, 31_000, 47_600],
      medianMs: 31_000,
      maxMs: 47_600,
      minMs: 12_400,
      count: 3,
      resolutionMs: 5_000,
    },
    eventDelayMs: {
      status: 'measured',
      samplesMs: [9_000],
      medianMs: 9_000,
      maxMs: 9_000,
      minMs: 9_000,
      count: 1,
      resolutionMs: 1_000,
    },
    eniDeletionDelayMs: {
      status: 'not observed',
      reason: 'Lambda deleted no ENI within the 45 minutes waited',
    },
  },
} as unknown as FieldTestReport;

describe('bench --model', () => {
  it('replays the medians, and sweeps over the measured spans (a single sample is a point); the rest keep the published ranges', () => {
    const directory = temporaryDirectory('lsi-model-');
    const path = join(directory, 'report.json');
    writeFileSync(path, JSON.stringify(report));
    const model = modelDraw(path);
    expect(model.draw).toEqual({
      eniSwitchMs: 31_000,
      eventDelayMs: 9_000,
      eniDeletionDelayMs: DEFAULT_CHURN_DRAW.eniDeletionDelayMs,
      schedulePhaseMs: DEFAULT_CHURN_DRAW.schedulePhaseMs,
    });
    expect(model.defaulted).toEqual([expect.stringMatching(/^eniDeletionDelayMs \(not observed/)]);
    expect(model.ranges).toEqual({
      eniSwitchMs: [12_000, 48_000],
      eventDelayMs: [9_000, 9_000],
      eniDeletionDelayMs: CHURN_DRAW_RANGES.eniDeletionDelayMs,
      schedulePhaseMs: CHURN_DRAW_RANGES.schedulePhaseMs,
    });

    // The sweep's draws stay inside the model's ranges and reach both ends of each.
    const draws = sweepDraws(40, 1, model.ranges);
    for (const name of Object.keys(model.ranges) as (keyof typeof model.ranges)[]) {
      const [min, max] = model.ranges[name];
      const values = draws.map((draw) => draw[name]);
      expect(Math.min(...values), name).toBe(min);
      expect(Math.max(...values), name).toBe(max);
    }
  });
});
