import { type LocalAws, startLocalAws } from '../testbed/index.js';
import { type ChurnReport, renderChurn, runChurn } from './churn.js';
import { measureSizes, renderScale, type ScaleReport, type ScaleRow, scaleReport } from './scale.js';

/**
 * `npm run bench [-- --json] [-- --only churn|scale] [-- --sizes 10,100]`: figures, never assertions.
 * Everything runs offline on the local AWS; with --json, stdout holds exactly one JSON document and
 * progress goes to stderr.
 *
 * moto serves one request at a time, so the work runs in two lanes, each with its own local AWS (one per
 * core): the largest size in one, the churn scenarios and the other sizes in the other. Ours and the
 * baseline of a size always run in the same lane, one after the other.
 */
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const json = args.includes('--json');
const only = option('--only');
const sizes = (option('--sizes') ?? '10,100,1000,3000').split(',').map(Number);
const log = (line: string) => process.stderr.write(`${line}\n`);

const wantScale = only !== 'churn';
const largest = Math.max(...sizes);
const lanes: LocalAws[] = await Promise.all([startLocalAws(), startLocalAws()]);
const [big, small] = lanes as [LocalAws, LocalAws];
try {
  const started = performance.now();
  const [bigRows, [churn, smallRows]] = await Promise.all([
    wantScale ? measureSizes(big, [largest], log) : Promise.resolve<ScaleRow[]>([]),
    (async (): Promise<[ChurnReport | undefined, ScaleRow[]]> => [
      only === 'scale' ? undefined : await runChurn(small, log),
      wantScale
        ? await measureSizes(
            small,
            sizes.filter((size) => size !== largest),
            log,
          )
        : [],
    ])(),
  ]);
  const scale: ScaleReport | undefined = wantScale
    ? await scaleReport([...smallRows, ...bigRows], big)
    : undefined;
  const document = {
    generatedBy: 'npm run bench',
    ...churn,
    ...scale,
    benchWallMs: Math.round(performance.now() - started),
  };
  const human = [churn ? renderChurn(churn) : '', scale ? renderScale(scale) : '']
    .filter(Boolean)
    .join('\n\n');
  process.stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : `${human}\n`);
} finally {
  await Promise.all(lanes.map((lane) => lane.stop()));
}
