import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from './example-app.js';

// `npm run synth` writes the templates to cdk.out/ at the repository root. CDK_OUTDIR wins when set: the
// cdk CLI sets it (`cdk synth --app 'npx tsx examples/app.ts'`), and so does the example-app test.
const outdir = process.env.CDK_OUTDIR ?? fileURLToPath(new URL('../cdk.out', import.meta.url));
const app = new App({ outdir });
buildExampleApp(app);
const assembly = app.synth();
process.stderr.write(`synthesised ${assembly.stacks.length} stacks to ${assembly.directory}\n`);
