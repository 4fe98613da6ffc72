import { renderTable } from '../src/cli/table.js';
import { startLocalAws } from '../testbed/index.js';
import { runScale, type ScaleReport } from './scale.js';

/**
 * `npm run bench [-- --json] [-- --sizes 10,100]`: figures, never assertions. Everything runs offline on
 * the local AWS; with --json, stdout holds exactly one JSON document and progress goes to stderr.
 */
const args = process.argv.slice(2);
const json = args.includes('--json');
const sizesArg = args[args.indexOf('--sizes') + 1];
const sizes = args.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [10, 100, 1000, 3000];
const log = (line: string) => process.stderr.write(`${line}\n`);

const aws = await startLocalAws();
try {
  const started = performance.now();
  const scale = await runScale(aws, sizes, log);
  const document = {
    generatedBy: 'npm run bench',
    ...scale,
    benchWallMs: Math.round(performance.now() - started),
  };
  process.stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : `${renderScale(scale)}\n`);
} finally {
  await aws.stop();
}

function renderScale(report: ScaleReport): string {
  const rows = report.scale.map((row) => {
    const ratio = (ours: number, baseline: number) =>
      baseline === 0 ? '-' : `1/${(baseline / Math.max(ours, 1)).toFixed(1)}`;
    return [
      String(row.functions),
      String(row.enis),
      `${row.ours.phases.first.totalCalls} / ${row.ours.phases.noop.totalCalls} / ${row.ours.phases.replaced.totalCalls}`,
      `${row.baseline.phases.first.totalCalls} / ${row.baseline.phases.noop.totalCalls} / ${row.baseline.phases.replaced.totalCalls}`,
      ratio(row.ours.totalCalls, row.baseline.totalCalls),
      `${row.ours.phases.first.wallMs} / ${row.ours.phases.noop.wallMs} / ${row.ours.phases.replaced.wallMs}`,
      `${row.baseline.phases.first.wallMs} / ${row.baseline.phases.noop.wallMs} / ${row.baseline.phases.replaced.wallMs}`,
      ratio(row.ours.wallMs, row.baseline.wallMs),
    ];
  });
  return [
    'Scale: AWS calls and wall time per reconcile (first bind / no-op resync / after 10% of ENIs replaced)',
    renderTable(
      ['FUNCTIONS', 'ENIS', 'OURS CALLS', 'BASELINE CALLS', 'CALLS', 'OURS MS', 'BASELINE MS', 'TIME'],
      rows,
    ),
    `Peak heap of a no-op resync of the largest size: ${report.peakHeapMb} MB. Controller bundle: ${report.bundleKb === null ? 'not built' : `${report.bundleKb} KB`}.`,
  ].join('\n');
}
