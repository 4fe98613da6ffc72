import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { createIamClient } from '../../src/aws/clients.js';
import { runBinary } from '../support/cli.js';
import { type ApplyDocument, POOL, useEgressWorld } from '../support/egress-world.js';

const world = useEgressWorld();
const { cli, addresses, createPoolFunctions } = world;

describe('exit codes and output discipline', () => {
  it('plan exits 0, or 3 with --detailed-exitcode while changes are pending, and prints one JSON document', async () => {
    await createPoolFunctions();
    const plain = await cli(['plan', '--pool', POOL, '--allocate']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('allocate');
    expect(plain.stderr).toContain('observing');

    const detailed = await cli(['plan', '--pool', POOL, '--allocate', '--detailed-exitcode', '--json']);
    expect(detailed.code).toBe(3);
    const document = detailed.json<ApplyDocument>();
    expect(Object.keys(document)).toEqual(expect.arrayContaining(['actions', 'unchanged', 'problems']));
    expect(document.actions).toHaveLength(2);
    expect(await addresses()).toHaveLength(0);

    await cli(['apply', '--pool', POOL, '--allocate', '--yes']);
    expect((await cli(['plan', '--pool', POOL, '--detailed-exitcode'])).code).toBe(0);
  });

  it('apply without --yes and no terminal exits 2 and changes nothing', async () => {
    await createPoolFunctions();
    const run = await cli(['apply', '--pool', POOL, '--allocate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no terminal to confirm on.*pass --yes/);
    expect(await addresses()).toHaveLength(0);
  });

  it.each([
    [['plan', '--pool', POOL, '--function', 'nope'], /function nope was not found in us-east-1/],
    [
      ['plan', '--pool', POOL, '--function', 'arn:aws:lambda:eu-west-1:123456789012:function:checkout'],
      /is in eu-west-1.*--region eu-west-1/,
    ],
    [['plan', '--pool', POOL, '--function', 'arn:aws:lambda:us-east-1:123:function:x'], /malformed/],
    [['plan', '--pool', 'bad pool'], /pool name "bad pool" is invalid/],
    [['plan', '--pool', POOL, '--max-ips', 'many'], /--max-ips.*expected a whole number, got "many"/],
    [['plan', '--pool', POOL, '--spares', '-1'], /--spares.*must be 0-1000, got -1/],
    [['plan'], /required option '--pool <name>' not specified/],
    [['plan', '--pool', POOL, '--frobnicate'], /unknown option '--frobnicate'/],
    [['release', '--pool', POOL], /nothing was released.*pass --yes/],
  ])('exits 2 for bad input: %j', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('exits 2 for a function without VPC configuration, naming it and the fix', async () => {
    const role = await createIamClient(world.localAws().clientOptions()).send(
      new CreateRoleCommand({ RoleName: 'plain', AssumeRolePolicyDocument: '{}' }),
    );
    await world.clients().lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'plain',
        Runtime: 'nodejs22.x',
        Role: role.Role?.Arn,
        Handler: 'index.handler',
        Code: { ZipFile: Buffer.from('x') },
      }),
    );
    const run = await cli(['apply', '--pool', POOL, '--function', 'plain', '--yes', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/function plain has no VPC configuration.*attach it to public subnets/);
    expect(run.json<{ error: { code: string } }>().error.code).toBe('FunctionNotInVpc');
  });

  it('exits 1 with a readable message when the endpoint is unreachable', async () => {
    const run = await runBinary(['plan', '--pool', POOL], {
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed.*unreachable/);
  });

  it('documents the exit codes in --help, and every command has --help', async () => {
    const help = await runBinary(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*0 {2}success[\s\S]*3 {2}plan --detailed-exitcode/);
    for (const command of ['plan', 'apply', 'status', 'ips', 'unbind', 'switch-check', 'release', 'demo']) {
      const run = await runBinary([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: lambda-static-ip ${command}`);
    }
  });
});
