import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { AwsClientOptions } from '../../src/aws/clients.js';
import { runBinary } from '../support/cli.js';
import { type InProcessIo, runCliInProcess } from '../support/cli-in-process.js';
import { useLocalAws } from '../support/local-aws.js';

/**
 * What users of the AWS CLI expect from this one (issue 17, item 4): the Region from
 * AWS_DEFAULT_REGION, one JSON document for every failure, global options in every --help, the
 * package's version, --debug, NO_COLOR / FORCE_COLOR, and live progress on a terminal. In process
 * (the same program as the binary), except for a few checks of the real binary's streams.
 */
// Only reads of an empty Region: the local AWS needs no state, nor a reset between tests.
const localAws = useLocalAws();
const POOL = 'shop';
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const temporary = mkdtempSync(join(tmpdir(), 'lsi-cli-habits-'));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});

interface ErrorDocument {
  error: { code: string; message: string; exitCode: number };
}

function cli(
  args: readonly string[],
  io: InProcessIo = {},
  clientOptions: AwsClientOptions = localAws().clientOptions(),
) {
  return runCliInProcess(args, { clientOptions, io });
}

/** Client options with no Region: the CLI's own resolution (or the profile) must supply it. */
function withoutRegion(): AwsClientOptions {
  const { region: _region, ...rest } = localAws().clientOptions();
  // The SDK reads the process environment for what the CLI leaves unset: keep this runner's out of it.
  vi.stubEnv('AWS_REGION', undefined);
  vi.stubEnv('AWS_DEFAULT_REGION', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_CONFIG_FILE', join(temporary, 'no-config'));
  return rest;
}

describe('the Region, in the AWS CLI order: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile', () => {
  it.each([
    [[], { AWS_DEFAULT_REGION: 'eu-west-1' }, 'eu-west-1'],
    [[], { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'eu-west-1' }, 'ap-south-1'],
    [[], { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-west-1' }, 'eu-west-1'],
    [['--region', 'us-west-2'], { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'eu-west-1' }, 'us-west-2'],
  ])('%j with %j: %s', async (flags, env, expected) => {
    const run = await cli(['ips', '--pool', POOL, '--json', ...flags], { env }, withoutRegion());
    expect(run.code).toBe(0);
    expect(run.json<{ region: string }>().region).toBe(expected);
  });

  it("uses the profile's region only when no variable sets one, and says so when nothing does", async () => {
    const options = withoutRegion();
    const config = join(temporary, 'config');
    writeFileSync(config, '[profile lsi]\nregion = ca-central-1\n');
    vi.stubEnv('AWS_CONFIG_FILE', config);
    const args = ['ips', '--pool', POOL, '--profile', 'lsi', '--json'];
    expect((await cli(args, {}, options)).json<{ region: string }>().region).toBe('ca-central-1');
    const env = { AWS_DEFAULT_REGION: 'eu-west-1' };
    expect((await cli(args, { env }, options)).json<{ region: string }>().region).toBe('eu-west-1');

    const none = await cli(['ips', '--pool', POOL, '--json'], {}, withoutRegion());
    expect(none.code).toBe(1);
    expect(none.json<ErrorDocument>().error).toMatchObject({ code: 'RegionMissing', exitCode: 1 });
    expect(none.stderr).toMatch(/no AWS Region is set: pass --region, set AWS_REGION or AWS_DEFAULT_REGION/);
  });

  it('the real binary works with AWS_DEFAULT_REGION alone (the SDK by itself reads only AWS_REGION)', async () => {
    const run = await runBinary(['ips', '--pool', POOL, '--json'], {
      env: {
        AWS_ENDPOINT_URL: localAws().endpoint,
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: 'eu-west-2',
      },
    });
    expect(run.stderr).toBe(`warning: pool "${POOL}" has no Elastic IPs in this Region\n`);
    expect(run.code).toBe(0);
    expect(run.json<{ region: string }>().region).toBe('eu-west-2');
  });
});

describe('--json: every failure is one JSON document on stdout', () => {
  it.each([
    [['plan', '--pool', POOL, '--frobnicate'], 'UnknownOption', /unknown option '--frobnicate'/],
    [['plan'], 'MissingOption', /required option '--pool <name>' not specified/],
    [['plan', '--pool'], 'MissingOptionValue', /option '--pool <name>' argument missing/],
    [
      ['plan', '--pool', POOL, '--max-ips', 'many'],
      'InvalidOptionValue',
      /--max-ips.*expected a whole number/,
    ],
    [['plan', '--pool', 'bad pool'], 'InvalidOptionValue', /pool name "bad pool" is invalid/],
    [['iam-policy', '--access', 'everything'], 'InvalidOptionValue', /Allowed choices are read, write/],
    [['frobnicate'], 'UnknownCommand', /unknown command 'frobnicate'/],
    [['demo', 'extra'], 'UnexpectedArgument', /too many arguments for 'demo'/],
    [[], 'CommandRequired', /a command is required/],
    [['release', '--pool', POOL], 'ConfirmationRequired', /nothing was released.*pass --yes/],
  ])('%j: exit 2, error %s', async (args, code, message) => {
    const run = await cli([...args, '--json']);
    expect(run.code).toBe(2);
    const { error } = run.json<ErrorDocument>();
    expect(error).toMatchObject({ code, exitCode: 2 });
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/^error:/);
    // For people, on stderr: the same message, or with no command at all, the usage.
    expect(run.stderr).toMatch(code === 'CommandRequired' ? /Usage: lambda-static-ip/ : message);
  });

  it('the real binary: stdout holds the document and nothing else, stderr the message and the hint', async () => {
    const run = await runBinary(['plan', '--pool', POOL, '--spares', '-1', '--json']);
    expect(run.code).toBe(2);
    expect(run.json<ErrorDocument>().error.code).toBe('InvalidOptionValue');
    expect(run.stdout.trim().startsWith('{')).toBe(true);
    expect(run.stderr).toMatch(/--spares.*must be 0-1000, got -1[\s\S]*run with --help for usage/);
  });
});

describe('help and version', () => {
  it('every command lists the global options in its --help', async () => {
    for (const command of ['plan', 'apply', 'status', 'cost', 'iam-policy']) {
      const run = await cli([command, '--help']);
      expect(run.code).toBe(0);
      const globals = run.stdout.slice(run.stdout.indexOf('Global Options:'));
      for (const option of ['--region', '--profile', '--endpoint-url', '--json', '--debug', '--no-color'])
        expect(globals).toContain(option);
    }
  });

  it("prints package.json's version, from source and from the built binary", async () => {
    expect((await cli(['--version'])).stdout).toBe(`${version}\n`);
    const built = await runBinary(['--version']);
    expect(built.stdout).toBe(`${version}\n`);
  });
});

describe('--debug', () => {
  const credentials = { accessKeyId: 'AKIDDEBUGCHECK', secretAccessKey: 'SECRETDEBUGCHECK' };
  const debugLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('debug: '));

  it('lists every AWS call on stderr, one line each, with its duration and outcome, and nothing secret', async () => {
    const options = { ...localAws().clientOptions(), credentials };
    const run = await cli(['plan', '--pool', POOL, '--debug', '--json'], {}, options);
    expect(run.code).toBe(0);
    const lines = debugLines(run.stderr);
    expect(lines[0]).toMatch(/^debug: region us-east-1 \(from .+\)$/);
    const calls = lines.slice(1);
    for (const line of calls)
      expect(line).toMatch(/^debug: (EC2|Lambda|ResourceGroupsTaggingAPI)\.[A-Za-z]+ \d+ ms ok$/);
    const operations = new Set(calls.map((line) => line.split(' ')[1]));
    for (const operation of [
      'EC2.DescribeAddresses',
      'Lambda.ListFunctions',
      'ResourceGroupsTaggingAPI.GetResources',
    ])
      expect(operations.has(operation)).toBe(true);
    expect(run.stderr).not.toMatch(/AKIDDEBUGCHECK|SECRETDEBUGCHECK|lambda-static-ip:pool/);

    // Without --debug: not one line.
    expect(debugLines((await cli(['plan', '--pool', POOL], {}, options)).stderr)).toEqual([]);
  });

  it("shows a refused call's AWS error code", async () => {
    // An endpoint that refuses every call as EC2 does without permission (not retried by the SDK).
    const refusing = createServer((_request, response) => {
      response.writeHead(403, { 'content-type': 'text/xml' });
      response.end(
        '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>not allowed</Message></Error></Errors><RequestID>r-1</RequestID></Response>',
      );
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = refusing.address() as AddressInfo;
      const run = await cli(['ips', '--pool', POOL, '--debug', '--endpoint-url', `http://127.0.0.1:${port}`]);
      expect(run.code).toBe(1);
      expect(debugLines(run.stderr).slice(1)).toEqual([
        expect.stringMatching(/^debug: EC2\.DescribeAddresses \d+ ms UnauthorizedOperation$/),
      ]);
    } finally {
      refusing.close();
    }
  });

  it("shows the SDK's retries and where the Region came from", async () => {
    const run = await cli(
      ['ips', '--pool', POOL, '--debug', '--endpoint-url', 'http://user:password@127.0.0.1:9'],
      { env: { AWS_DEFAULT_REGION: 'eu-west-1' } },
      withoutRegion(),
    );
    expect(run.code).toBe(1);
    const lines = debugLines(run.stderr);
    expect(lines[0]).toBe('debug: region eu-west-1 (from AWS_DEFAULT_REGION), endpoint http://127.0.0.1:9');
    expect(lines[1]).toMatch(/^debug: EC2\.DescribeAddresses \d+ ms ECONNREFUSED \(3 attempts\)$/);
    expect(run.stderr).not.toContain('password');
  });
});

describe('colour', () => {
  const RED = '\u001b[31m';
  it.each([
    ['a terminal', true, [], { stdoutIsTty: true }],
    ['a terminal, NO_COLOR empty (does not count)', true, [], { stdoutIsTty: true, env: { NO_COLOR: '' } }],
    ['a terminal, NO_COLOR=1', false, [], { stdoutIsTty: true, env: { NO_COLOR: '1' } }],
    ['a terminal, --no-color', false, ['--no-color'], { stdoutIsTty: true }],
    ['a pipe', false, [], {}],
    ['a pipe, FORCE_COLOR=1', true, [], { env: { FORCE_COLOR: '1' } }],
    ['a pipe, FORCE_COLOR=0', false, [], { env: { FORCE_COLOR: '0' } }],
    ['a pipe, FORCE_COLOR empty', false, [], { env: { FORCE_COLOR: '' } }],
    [
      'FORCE_COLOR=1 and NO_COLOR=1 (FORCE_COLOR wins, as in Node.js)',
      true,
      [],
      { env: { FORCE_COLOR: '1', NO_COLOR: '1' } },
    ],
    ['FORCE_COLOR=1 and --no-color', false, ['--no-color'], { env: { FORCE_COLOR: '1' } }],
  ])('%s: coloured %s', async (_case, coloured, flags, io) => {
    const run = await cli(['release', '--pool', POOL, ...flags], io as InProcessIo);
    expect(run.code).toBe(2);
    expect(run.stderr.includes(`${RED}error:`)).toBe(coloured);
    if (!coloured) expect(run.stderr).not.toContain('\u001b[');
  });
});
