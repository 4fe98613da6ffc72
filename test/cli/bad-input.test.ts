import { AllocateAddressCommand, DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { createVpcFixture, LambdaSimulator } from '../../testbed/index.js';
import { runBinary } from '../support/cli.js';
import { useLocalAws } from '../support/local-aws.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

/**
 * The bad-input table, as far as egress-cli.test.ts does not already cover it (unknown function,
 * malformed or qualified ARN, function in another Region, function without VPC, invalid pool name,
 * non-numeric and negative counts, unknown flags, unreachable endpoint): the rows below, each with its
 * exit code and message, through the real binary.
 */
const localAws = useLocalAws();
const POOL = 'edge';

beforeEach(async () => {
  await localAws().reset();
});

function cli(args: readonly string[], env: Record<string, string | undefined> = {}) {
  return runBinary(args, { env: { AWS_ENDPOINT_URL: localAws().endpoint, ...env } });
}

describe('bad input and a bad environment', () => {
  it('missing credentials: exit 1 (the environment, not the command line), saying how to configure them', async () => {
    const home = temporaryDirectory('lsi-no-credentials-');
    const run = await cli(['plan', '--pool', POOL, '--json'], {
      HOME: home,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /no AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    expect(run.stderr).toMatch(/--profile .*aws configure/);
    // --json: stdout is the error document alone, with the stable code scripts can test for.
    expect(run.json<{ error: { code: string; exitCode: number } }>().error).toMatchObject({
      code: 'CredentialsMissing',
      exitCode: 1,
    });
  });

  it('a pool IP in another network border group: never bound; apply exits 1 with AddressNotUsable and PoolExhausted', async () => {
    const clients = localAws().clients();
    const vpc = await createVpcFixture(clients.ec2, { securityGroups: 1 });
    const sim = new LambdaSimulator({ localAws: localAws() });
    await sim.createFunction({
      name: 'edge-fn',
      subnetIds: [vpc.publicSubnetIds[0] as string],
      securityGroupIds: vpc.securityGroupIds,
      tags: { [POOL_TAG_KEY]: POOL },
    });
    await sim.advance(90_000);
    const zonal = await clients.ec2.send(
      new AllocateAddressCommand({
        Domain: 'vpc',
        NetworkBorderGroup: 'us-east-1-bos-1',
        TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: POOL_TAG_KEY, Value: POOL }] }],
      }),
    );
    const run = await cli(['apply', '--pool', POOL, '--yes', '--json']);
    expect(run.code).toBe(1);
    const problems = run.json<{ problems: Array<{ code: string; message: string }> }>().problems;
    expect(problems.map((problem) => problem.code).sort()).toEqual(['AddressNotUsable', 'PoolExhausted']);
    expect(problems.find((problem) => problem.code === 'AddressNotUsable')?.message).toMatch(
      /network border group us-east-1-bos-1, not us-east-1.*move the tag/,
    );
    const after = await clients.ec2.send(
      new DescribeAddressesCommand({ AllocationIds: [zonal.AllocationId as string] }),
    );
    expect(after.Addresses?.[0]?.AssociationId).toBeUndefined();
  });

  it.each([
    [['audit', '--pool', 'no spaces'], /pool name "no spaces" is invalid/],
    [['audit', '--pool', POOL, '--spares', 'two'], /--spares.*expected a whole number, got "two"/],
    [['audit', '--pool', POOL, '--function', 'arn:aws:lambda:us-east-1:123:function:x'], /malformed/],
    [
      ['iam-policy', '--access', 'everything'],
      /--access.*Allowed choices are read, write, release, keepers, all/,
    ],
    [['iam-policy', '--for', 'lambda'], /--for.*Allowed choices are cli, controller/],
    [['iam-policy', '--pool', 'a/b'], /pool name "a\/b" is invalid/],
  ])('exits 2 for bad input: %j', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('audit exits 1 with a readable message when the endpoint is unreachable', async () => {
    const run = await cli(['audit', '--pool', POOL, '--json'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed.*unreachable/);
    expect(run.json<{ error: { code: string } }>().error.code).toBe('AwsCallFailed');
  });

  it('the new commands have --help, and iam-policy prints its JSON without touching AWS', async () => {
    for (const command of ['audit', 'iam-policy']) {
      const help = await runBinary([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: lambda-static-ip ${command}`);
    }
    const policy = await runBinary(['iam-policy', '--access', 'read'], {
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    });
    expect(policy.code).toBe(0);
    expect(policy.json<{ Version: string }>().Version).toBe('2012-10-17');
  });
});
