import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '../../src/aws/clients.js';
import { InputError } from '../../src/core/errors.js';
import { POOL_TAG_KEY } from '../../src/core/pool.js';
import { CONTROLLER_SCHEDULE_EXPRESSION, ENI_CREATED_PATTERN } from '../../src/handlers/event-patterns.js';
import { configError, readConfig } from '../../src/serverless/plugin-config.js';
import { poolTemplate } from '../../src/serverless/pool-template.js';
import { expectCleanCfnLint } from '../support/cfn-lint.js';
import { useLocalAws } from '../support/local-aws.js';
import { thrownBy } from '../support/thrown.js';

const root = resolve(import.meta.dirname, '../..');
const osls = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
const localAws = useLocalAws();

/** Runs osls in the service with dummy credentials (and no telemetry), plus `env`. */
function runOsls(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [osls, ...args], {
    cwd: service,
    encoding: 'utf8',
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'dummy',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      ...env,
    },
  });
}

/**
 * One `osls package` of test/fixtures/serverless-service (charge and refund in a VPC, report not), offline
 * with dummy credentials, shared by every assertion: the plugin is loaded the way a service loads it, by
 * its package name through the package's exports (a node_modules link to this checkout's build).
 */
let service: string;
let packaged: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
let template: Template;

beforeAll(() => {
  service = mkdtempSync(join(tmpdir(), 'lsi-sls-'));
  cpSync(join(root, 'test/fixtures/serverless-service'), service, { recursive: true });
  mkdirSync(join(service, 'node_modules'));
  symlinkSync(root, join(service, 'node_modules/lambda-static-ip'), 'dir');
  const run = runOsls(['package']);
  if (run.status !== 0) throw new Error(`osls package failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  packaged = JSON.parse(
    readFileSync(join(service, '.serverless/cloudformation-template-update-stack.json'), 'utf8'),
  );
  template = Template.fromJSON(packaged);
}, 240_000);

afterAll(() => {
  if (service) rmSync(service, { recursive: true, force: true });
});

function ofType(type: string): [string, { Properties: Record<string, unknown> }][] {
  return Object.entries(packaged.Resources).filter(([, resource]) => resource.Type === type);
}

describe('lambda-static-ip/serverless, packaged by osls', () => {
  it('passes cfn-lint', () => {
    expectCleanCfnLint([join(service, '.serverless/cloudformation-template-update-stack.json')]);
  });

  it('allocates the pool: size addresses, retained, tagged with the pool', () => {
    const addresses = template.findResources('AWS::EC2::EIP');
    expect(Object.keys(addresses)).toHaveLength(4);
    for (const address of Object.values(addresses)) {
      expect(address.DeletionPolicy).toBe('Retain');
      expect(address.UpdateReplacePolicy).toBe('Retain');
      expect(address.Properties.Tags).toEqual([{ Key: POOL_TAG_KEY, Value: 'payments' }]);
    }
  });

  it("tags exactly the functions with a vpc block, and those wait for the keepers' ENIs to hold pool IPs", () => {
    const service = new Set(['ChargeLambdaFunction', 'RefundLambdaFunction', 'ReportLambdaFunction']);
    const tagged = ofType('AWS::Lambda::Function')
      .filter(([, fn]) =>
        (fn.Properties.Tags as { Key: string }[] | undefined)?.some((tag) => tag.Key === POOL_TAG_KEY),
      )
      .map(([id]) => id);
    expect(tagged.filter((id) => service.has(id)).sort()).toEqual([
      'ChargeLambdaFunction',
      'RefundLambdaFunction',
    ]);
    const [keepersBound] = ofType('Custom::LambdaStaticIpKeepersBound');
    expect(keepersBound).toBeDefined();
    const waiting = ofType('AWS::Lambda::Function')
      .filter(([, fn]) =>
        [(fn as { DependsOn?: string | string[] }).DependsOn ?? []]
          .flat()
          .includes(keepersBound?.[0] as string),
      )
      .map(([id]) => id);
    expect(waiting.sort()).toEqual(['ChargeLambdaFunction', 'RefundLambdaFunction']);
    const [binding] = ofType('Custom::LambdaStaticIpPoolBinding');
    expect(binding?.[1].Properties).toMatchObject({ Pool: 'payments', Spares: '1', Allocate: 'false' });
  });

  it('deploys the controller on its schedule and ENI events, with one keeper (a probe too) per (subnet, security groups)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LSI_POOL: 'payments', LSI_SPARES: '1' }) },
      ReservedConcurrentExecutions: 1,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: CONTROLLER_SCHEDULE_EXPRESSION,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ENI_CREATED_PATTERN.source }),
    });
    // charge: subnets a and b with sg 1; refund: subnet a with sg 2. Three ENIs, three keepers.
    const probes = ofType('AWS::Lambda::Function').filter(([id]) =>
      id.startsWith('LambdaStaticIpEgressKeeper'),
    );
    const combinations = probes.map(([, fn]) => {
      const vpc = fn.Properties.VpcConfig as { SubnetIds: string[]; SecurityGroupIds: string[] };
      return `${vpc.SubnetIds.join()}|${vpc.SecurityGroupIds.join()}`;
    });
    expect(combinations.sort()).toEqual([
      'subnet-0aaaaaaaaaaaaaaa1|sg-0aaaaaaaaaaaaaaa1',
      'subnet-0aaaaaaaaaaaaaaa1|sg-0bbbbbbbbbbbbbbb2',
      'subnet-0bbbbbbbbbbbbbbb2|sg-0aaaaaaaaaaaaaaa1',
    ]);
    expect(ofType('AWS::CloudWatch::Alarm').length).toBeGreaterThanOrEqual(4);
  });

  it("puts every construct's code in the service's bucket, packaged beside the service's own artifact", () => {
    const ours = ofType('AWS::Lambda::Function').filter(([id]) => id.startsWith('LambdaStaticIp'));
    expect(ours.length).toBeGreaterThan(0);
    const names = new Set<string>();
    for (const [id, fn] of ours) {
      const code = fn.Properties.Code as { S3Bucket: unknown; S3Key: string };
      expect(code.S3Bucket, id).toEqual({ Ref: 'ServerlessDeploymentBucket' });
      const name = code.S3Key.split('/').pop() ?? '';
      expect(name).toMatch(/^lambda-static-ip-[0-9a-f]{64}\.zip$/);
      names.add(name);
    }
    // Each zip once: python's zipfile checks every entry's CRC and sizes.
    for (const name of names) {
      const check = spawnSync('python3', ['-m', 'zipfile', '-t', join(service, '.serverless', name)], {
        encoding: 'utf8',
      });
      expect(check.status, `${name}: ${check.stdout}${check.stderr}`).toBe(0);
    }
  });

  it('uploads that code on deploy, under the keys of the template the deployment sends', async () => {
    // `osls deploy` against the local AWS: it creates the stack with its bucket and uploads the artifacts;
    // a test plugin then ends it before the stack update, which the local CloudFormation cannot run.
    cpSync(
      join(root, 'test/fixtures/serverless-stop-before-update/index.cjs'),
      join(service, 'stop-before-update.cjs'),
    );
    const config = join(service, 'serverless.yml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(
        '  - lambda-static-ip/serverless\n',
        '  - lambda-static-ip/serverless\n  - ./stop-before-update.cjs\n',
      ),
    );
    const aws = localAws();
    const deploy = runOsls(['deploy', '--package', '.serverless'], {
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    expect(`${deploy.stdout}${deploy.stderr}`).toContain('stopped before the stack update');

    const s3 = new S3Client({ ...clientConfig(aws.clientOptions('eu-west-1')), forcePathStyle: true });
    const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets ?? [];
    const bucket = buckets.find((b) => b.Name?.startsWith('payments-dev-serverlessdeploymentbucket'))?.Name;
    expect(bucket, 'the deployment bucket of the stack osls created').toBeDefined();
    const packagedKey = packaged.Resources.ChargeLambdaFunction?.Properties.Code as { S3Key: string };
    const directory = packagedKey.S3Key.slice(0, packagedKey.S3Key.lastIndexOf('/'));
    const sent = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: `${directory}/compiled-cloudformation-template.json` }),
    );
    const deployed = JSON.parse(await (sent.Body?.transformToString() ?? '')) as typeof packaged;
    const keys = Object.values(deployed.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => (resource.Properties.Code as { S3Key: string }).S3Key);
    expect(keys.filter((key) => key.includes('/lambda-static-ip-')).length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(() => missing.push(key));
    }
    expect(missing).toEqual([]);
  }, 240_000);
});

describe('custom.lambdaStaticIp errors', () => {
  const functions = ['charge', 'refund'];

  it.each([
    [{ pool: 'pay ments', size: 2 }, 'custom.lambdaStaticIp.pool "pay ments" is invalid'],
    [{ pool: 'payments' }, 'has neither size nor allocationIds'],
    [
      { pool: 'payments', size: 2, allocationIds: ['eipalloc-0123456789abcdef0'] },
      'has both size and allocationIds',
    ],
    [
      { pool: 'payments', size: 2, functions: ['charge', 'nope'] },
      'custom.lambdaStaticIp.functions "nope" is invalid',
    ],
    [{ pool: 'payments', size: 2, spare: 1 }, 'custom.lambdaStaticIp.spare is not a setting'],
    [
      { pool: 'payments', size: 2, probe: 'yes' },
      'custom.lambdaStaticIp.probe "yes" is invalid: use true or false',
    ],
  ])('%j: %s', (config, message) => {
    const error = thrownBy(() => readConfig(config, functions));
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(message);
  });

  it("restates a construct's error under the key it concerns, without the construct path", () => {
    const restated = configError(
      new InputError(
        'InvalidPoolSize',
        'Service/LambdaStaticIpPool: size 40 is invalid: use a whole number from 1 to 32',
      ),
    );
    expect(restated.message).toBe(
      'custom.lambdaStaticIp.size: size 40 is invalid: use a whole number from 1 to 32',
    );
    expect(restated.code).toBe('InvalidPoolSize');
  });

  it('reports a pool too small for the functions as a settings error, before anything is written', () => {
    const assetDir = mkdtempSync(join(tmpdir(), 'lsi-sls-assets-'));
    try {
      const error = thrownBy(() =>
        poolTemplate({
          config: { pool: 'payments', size: 1, spares: 1, keepers: false, probe: false },
          functions: [
            {
              key: 'charge',
              logicalId: 'ChargeLambdaFunction',
              subnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
              securityGroupIds: ['sg-0aaaaaaaaaaaaaaa1'],
            },
          ],
          bucket: { Ref: 'ServerlessDeploymentBucket' },
          keyPrefix: 'serverless/payments/dev/1',
          assetDir,
        }),
      );
      expect(error.code).toBe('PoolTooSmall');
      expect(configError(error as InputError).message).toMatch(
        /^custom\.lambdaStaticIp: pool "payments" .*has 1 address\(es\).*need 3/,
      );
      expect(readdirSync(assetDir)).toEqual([]);
    } finally {
      rmSync(assetDir, { recursive: true, force: true });
    }
  });
});
