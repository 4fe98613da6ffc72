// `npm run test:aws`: the field test in a real AWS account, when credentials are present; otherwise it says
// it skipped and exits 0. It spends a few cents (docs/field-test.md) and cleans up after itself.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EC2Client } from '@aws-sdk/client-ec2';

const bin = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(bin)) {
  console.error('test:aws: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const client = new EC2Client({
  region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
});
try {
  await client.config.credentials();
} catch (error) {
  console.log(
    `test:aws SKIPPED: no AWS credentials (${error instanceof Error ? error.message.split('\n')[0] : String(error)}). ` +
      'Set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and AWS_REGION to run the field test in an account.',
  );
  process.exit(0);
} finally {
  client.destroy();
}
const out = `field-test-${new Date().toISOString().replace(/[:.]/g, '-')}`;
console.error(
  `test:aws: running the field test in your account; the report goes to ${out}.json and ${out}.md`,
);
const run = spawnSync(
  process.execPath,
  [bin, 'field-test', '--yes', '--out', out, ...process.argv.slice(2)],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
process.exit(run.status ?? 1);
