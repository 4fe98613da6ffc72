import { startLocalAws } from '../testbed/index.js';
import { type ChurnReport, renderChurn, runChurn } from './churn.js';
import { type ControllerFigures, measureController, renderController } from './controller-bundle.js';
import { type ResyncRow, renderResync, renderScale, runResync, runScale, type ScaleReport } from './scale.js';

/**
 * `npm run bench [-- --json] [-- --only churn|scale|resync|controller] [-- --sizes 10,100]`: figures, never
 * assertions.
 * Everything runs offline on the local AWS; with --json, stdout holds exactly one JSON document and
 * progress goes to stderr.
 */
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const json = args.includes('--json');
const only = option('--only');
const sizes = (option('--sizes') ?? '10,100,1000,3000').split(',').map(Number);
const log = (line: string) => process.stderr.write(`${line}\n`);

// The controller's bundle figures need no local AWS.
const aws = only === 'controller' ? undefined : await startLocalAws();
try {
  const started = performance.now();
  const runs = (part: string) => only === undefined || only === part;
  const churn: ChurnReport | undefined = aws && runs('churn') ? await runChurn(aws, log) : undefined;
  const scale: ScaleReport | undefined = aws && runs('scale') ? await runScale(aws, sizes, log) : undefined;
  // The resync figures alone, without the per-function baseline (they are part of `scale` otherwise).
  const resync: { resync: ResyncRow[] } | undefined =
    aws && only === 'resync' ? await runResync(aws, sizes, log) : undefined;
  const controller: ControllerFigures | undefined = runs('controller')
    ? await measureController(log)
    : undefined;
  const document = {
    generatedBy: 'npm run bench',
    ...churn,
    ...scale,
    ...resync,
    ...(controller ? { controller } : {}),
    benchWallMs: Math.round(performance.now() - started),
  };
  const human = [
    churn ? renderChurn(churn) : '',
    scale ? renderScale(scale) : '',
    resync ? renderResync(resync.resync) : '',
    controller ? renderController(controller) : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  process.stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : `${human}\n`);
} finally {
  await aws?.stop();
}
