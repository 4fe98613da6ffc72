import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '../../src/aws/clients.js';
import { TEMPLATE_FILE } from '../../src/cli/commands/template.js';
import { TEMPLATE_MAX_SIZE } from '../../src/cli/template/controller-template.js';
import { cfnLint } from '../support/cfn-lint.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { useLocalAws } from '../support/local-aws.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

type Resource = {
  Type: string;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties?: Record<string, unknown>;
};
type Template = {
  Parameters: Record<string, unknown>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Metadata: Record<string, Record<string, unknown>>;
};

/** The functions whose code is a local path (all but the keeper, whose code is inline). */
const localCodeFunctions = (t: Template) =>
  Object.values(t.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && typeof r.Properties?.Code === 'string',
  );

/**
 * The ids of `conditional` that resources outside it refer to (Ref, GetAtt, DependsOn) other than under
 * `Fn::If` on `condition` (or in a resource behind one of `implied`, which exists only with it).
 */
function refsFromOutside(
  t: Template,
  condition: string,
  conditional: ReadonlySet<string>,
  implied: readonly string[] = [],
): Record<string, unknown[]> {
  const outsideIf = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(outsideIf);
    if (node === null || typeof node !== 'object') return node;
    const object = node as Record<string, unknown>;
    const branches = object['Fn::If'];
    if (Array.isArray(branches) && branches[0] === condition) return null;
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, outsideIf(v)]));
  };
  const found: Record<string, unknown[]> = {};
  for (const [id, resource] of Object.entries(t.Resources)) {
    if (resource.Condition === condition || implied.includes(String(resource.Condition))) continue;
    const text = JSON.stringify(outsideIf({ ...resource, DependsOn: undefined }));
    const refs = [...text.matchAll(/"Ref":"([^"]+)"|"Fn::GetAtt":\["([^"]+)"/g)].map((m) => m[1] ?? m[2]);
    const dependsOn = [(resource as { DependsOn?: string | string[] }).DependsOn ?? []].flat();
    const bad = [...refs, ...dependsOn].filter((ref) => conditional.has(String(ref)));
    if (bad.length > 0) found[id] = bad;
  }
  return found;
}

const run = (args: string[]) => runCliInProcess(args, { clientOptions: {} });

describe('lambda-static-ip template', () => {
  const localAws = useLocalAws();
  const out = join(temporaryDirectory('lsi-template-'), 'out');
  let template: Template;
  let written: { template: string; assets: string[]; version: string };

  beforeAll(async () => {
    const result = await run(['template', '--out', out, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    written = JSON.parse(result.stdout);
    template = JSON.parse(readFileSync(join(out, TEMPLATE_FILE), 'utf8'));
  }, 120_000);

  it('writes the template, its code assets, README and LICENSE', () => {
    expect(written.template).toBe(join(out, TEMPLATE_FILE));
    expect(written.assets.length).toBeGreaterThan(0);
    for (const file of [...written.assets, join(out, 'README.md'), join(out, 'LICENSE')]) {
      expect(existsSync(file), file).toBe(true);
    }
    // Every function's code is one of those assets, by relative path, but for the keeper's inline code.
    const codes = localCodeFunctions(template).map((r) => r.Properties?.Code);
    const inline = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && typeof r.Properties?.Code !== 'string',
    );
    expect(inline.map((r) => Object.keys(r.Properties?.Code as object))).toEqual([['ZipFile']]);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) {
      expect(typeof code).toBe('string');
      expect(written.assets).toContain(join(out, String(code)));
    }
  });

  it('has the parameters, and every address it may allocate retained behind its Size condition', () => {
    const types = Object.fromEntries(
      Object.entries(template.Parameters).map(([name, p]) => [name, (p as { Type: string }).Type]),
    );
    expect(types).toEqual({
      PoolName: 'String',
      Size: 'Number',
      AllocationIds: 'CommaDelimitedList',
      Spares: 'Number',
      MaxIps: 'Number',
      AlarmTopicArn: 'String',
      FunctionNames: 'CommaDelimitedList',
      Keepers: 'String',
      Probe: 'String',
      KeeperSubnetIds: 'CommaDelimitedList',
      KeeperSecurityGroupIds: 'CommaDelimitedList',
    });
    const eips = Object.values(template.Resources).filter((r) => r.Type === 'AWS::EC2::EIP');
    expect(eips).toHaveLength(TEMPLATE_MAX_SIZE);
    const conditions = eips.map((eip) => eip.Condition);
    expect(new Set(conditions)).toEqual(
      new Set(Array.from({ length: TEMPLATE_MAX_SIZE }, (_, i) => `AllocateAddress${i + 1}`)),
    );
    for (const eip of eips) {
      expect(eip.DeletionPolicy).toBe('Retain');
      expect(eip.UpdateReplacePolicy).toBe('Retain');
      expect(eip.Properties?.Tags).toEqual([{ Key: 'lambda-static-ip:pool', Value: { Ref: 'PoolName' } }]);
    }
    // Address 3 exists for Size 3 and up, and only without AllocationIds: not one of 0, 1, 2.
    expect(template.Conditions.AllocateAddress3).toEqual({
      'Fn::And': [
        { Condition: 'Allocating' },
        { 'Fn::Not': [{ 'Fn::Or': ['0', '1', '2'].map((n) => ({ 'Fn::Equals': [{ Ref: 'Size' }, n] })) }] },
      ],
    });
  });

  it("grants the controller's role allocation only when MaxIps allows it", () => {
    const roles = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    const statements = roles.flatMap(
      (role) =>
        (role.Properties?.Policies as { PolicyDocument: { Statement: unknown[] } }[] | undefined)?.flatMap(
          (policy) => policy.PolicyDocument.Statement,
        ) ?? [],
    );
    const allocating = statements.filter((statement) =>
      /ec2:AllocateAddress|"ec2:CreateAction"/.test(JSON.stringify(statement)),
    );
    expect(allocating.map((statement) => Object.keys(statement as object))).toEqual([['Fn::If'], ['Fn::If']]);
    for (const statement of allocating as { 'Fn::If': [string, { Sid: string }, unknown] }[]) {
      const [condition, granted, otherwise] = statement['Fn::If'];
      expect(condition).toBe('ControllerAllocates');
      expect(otherwise).toEqual({ Ref: 'AWS::NoValue' });
      expect(['AllocateOnlyTaggedPoolAddresses', 'TagPoolAddressesAtAllocation']).toContain(granted.Sid);
    }
    // Binding and remembering the subnet stay unconditional.
    expect(
      statements.some((statement) => (statement as { Sid?: string }).Sid === 'BindOnlyPoolAddresses'),
    ).toBe(true);
  });

  it('hands the parameters to the controller, the custom resource and the alarms as references', () => {
    const resources = Object.values(template.Resources);
    const allocates = { 'Fn::If': ['ControllerAllocates', 'true', 'false'] };
    const maxIps = { 'Fn::If': ['ControllerAllocates', { Ref: 'MaxIps' }, '16'] };
    const functions = resources.filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        String(JSON.stringify(r.Properties?.Description)).includes('ENIs of pool'),
    );
    expect(functions).toHaveLength(2); // the controller and the deployment handler
    for (const fn of functions) {
      const variables = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      expect(variables).toMatchObject({
        LSI_POOL: { Ref: 'PoolName' },
        LSI_SPARES: { Ref: 'Spares' },
        LSI_MAX_IPS: maxIps,
        LSI_ALLOCATE: allocates,
        LSI_FUNCTIONS: { 'Fn::Join': [',', { Ref: 'FunctionNames' }] },
      });
    }
    const binding = resources.find((r) => r.Type === 'Custom::LambdaStaticIpPoolBinding');
    expect(binding?.Properties).toMatchObject({
      Pool: { Ref: 'PoolName' },
      Spares: { Ref: 'Spares' },
      MaxIps: maxIps,
      Allocate: allocates,
    });
    // The named functions, and the keeper only when it exists.
    const [keeperId] = Object.entries(template.Resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Condition === 'HasKeepers',
    ) ?? [''];
    expect(binding?.Properties?.Functions).toEqual({
      'Fn::Split': [
        ',',
        {
          'Fn::Join': [
            ',',
            [
              { 'Fn::Join': [',', { Ref: 'FunctionNames' }] },
              { 'Fn::If': ['HasKeepers', { Ref: keeperId }, ''] },
            ],
          ],
        },
      ],
    });
    const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    const topic = { 'Fn::If': ['HasAlarmTopic', { Ref: 'AlarmTopicArn' }, { Ref: 'AWS::NoValue' }] };
    for (const alarm of alarms) {
      expect(alarm.Properties?.AlarmActions).toEqual([topic]);
      expect(alarm.Properties?.OKActions).toEqual([topic]);
    }
    // Nothing is left of values the parameters replace.
    expect(JSON.stringify(template)).not.toMatch(/sentinel/i);
  });

  it('with Keepers, one keeper in every KeeperSubnetIds with KeeperSecurityGroupIds, and the wait for its ENIs', () => {
    const conditional = Object.entries(template.Resources).filter(([, r]) => r.Condition === 'HasKeepers');
    const types = conditional.map(([, r]) => r.Type).sort();
    expect(types).toEqual(
      [
        'AWS::Events::Rule',
        'AWS::Lambda::EventInvokeConfig',
        'AWS::Lambda::Function',
        'AWS::Lambda::Permission',
        'Custom::LambdaStaticIpKeepersBound',
      ].sort(),
    );
    expect(template.Conditions.HasKeepers).toEqual({ 'Fn::Equals': [{ Ref: 'Keepers' }, 'true'] });
    const [keeperId, keeper] = conditional.find(([, r]) => r.Type === 'AWS::Lambda::Function') ?? [];
    expect(keeper?.Properties?.VpcConfig).toEqual({
      SubnetIds: { Ref: 'KeeperSubnetIds' },
      SecurityGroupIds: { Ref: 'KeeperSecurityGroupIds' },
    });
    const wait = conditional.find(([, r]) => r.Type === 'Custom::LambdaStaticIpKeepersBound')?.[1];
    expect(wait?.Properties?.Keepers).toEqual([{ Ref: keeperId }]);
    // A changed placement updates the keeper in place; this property makes the wait run again.
    expect(JSON.stringify(wait?.Properties?.KeeperPlacements)).toContain('KeeperSubnetIds');
    expect(wait?.Properties?.Allocate).toEqual({ 'Fn::If': ['ControllerAllocates', 'true', 'false'] });
    // No resource without the condition refers to the conditional ones but under Fn::If HasKeepers.
    expect(refsFromOutside(template, 'HasKeepers', new Set(conditional.map(([id]) => id)))).toEqual({});
  });

  it("with Probe, a probe function of its own in the keeper placement, checking the binding's AllowList, and its alarm", () => {
    const conditional = Object.entries(template.Resources).filter(([, r]) => r.Condition === 'HasProbe');
    expect(conditional.map(([, r]) => r.Type).sort()).toEqual(
      [
        'AWS::CloudWatch::Alarm',
        'AWS::Events::Rule',
        'AWS::Lambda::EventInvokeConfig',
        'AWS::Lambda::Function',
        'AWS::Lambda::Permission',
      ].sort(),
    );
    expect(template.Conditions.HasProbe).toEqual({ 'Fn::Equals': [{ Ref: 'Probe' }, 'true'] });
    // The role and logs it shares with the keeper exist with either.
    const shared = Object.values(template.Resources).filter((r) => r.Condition === 'HasKeepersOrProbe');
    expect(shared.map((r) => r.Type).sort()).toEqual(['AWS::IAM::Role', 'AWS::Logs::LogGroup']);
    const [probeId, probe] = conditional.find(([, r]) => r.Type === 'AWS::Lambda::Function') ?? [];
    expect(probe?.Properties?.VpcConfig).toEqual({
      SubnetIds: { Ref: 'KeeperSubnetIds' },
      SecurityGroupIds: { Ref: 'KeeperSecurityGroupIds' },
    });
    // Its code is a plain path, which aws cloudformation package rewrites (see its test).
    expect(localCodeFunctions(template)).toContain(probe);
    const [bindingId] =
      Object.entries(template.Resources).find(([, r]) => r.Type === 'Custom::LambdaStaticIpPoolBinding') ??
      [];
    const environment = probe?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
    const variables = environment?.Variables ?? {};
    expect(variables.LSI_ALLOW_LIST).toEqual({ 'Fn::GetAtt': [bindingId, 'AllowList'] });
    expect(variables).not.toHaveProperty('LSI_PROBE_SUBNET');
    const alarm = conditional.find(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')?.[1];
    expect(alarm?.Properties).toMatchObject({ MetricName: 'EgressIpInPool', Statistic: 'Minimum' });
    expect(alarm?.Properties?.Dimensions).toEqual(
      expect.arrayContaining([{ Name: 'Placement', Value: variables.LSI_PROBE_PLACEMENT }]),
    );
    // The binding does not wait for the probe: it shares the keeper's ENIs and checks the binding's list.
    expect(JSON.stringify(template.Resources[String(bindingId)])).not.toContain(String(probeId));
    const ids = new Set(conditional.map(([id]) => id));
    expect(refsFromOutside(template, 'HasProbe', ids)).toEqual({});
    const sharedIds = Object.entries(template.Resources)
      .filter(([, r]) => r.Condition === 'HasKeepersOrProbe')
      .map(([id]) => id);
    expect(
      refsFromOutside(template, 'HasKeepersOrProbe', new Set(sharedIds), ['HasKeepers', 'HasProbe']),
    ).toEqual({});
    // Probe needs the placement, as Keepers does.
    const rules = (template as unknown as { Rules: Record<string, { RuleCondition: unknown }> }).Rules;
    expect(rules.ProbePlacement?.RuleCondition).toEqual({ 'Fn::Equals': [{ Ref: 'Probe' }, 'true'] });
    for (const list of ['KeeperSubnetIds', 'KeeperSecurityGroupIds']) {
      expect(JSON.stringify(rules.ProbePlacement)).toContain(`"Fn::EachMemberEquals":[{"Ref":"${list}"},""]`);
    }
  });

  it('adopts AllocationIds by tagging them, only when they are given', () => {
    const adoption = Object.values(template.Resources).filter(
      (r) => r.Type === 'Custom::LambdaStaticIpPoolAdoption',
    );
    expect(adoption).toHaveLength(1);
    expect(adoption[0]?.Condition).toBe('Adopting');
    expect(JSON.stringify(adoption[0]?.Properties?.Create)).toContain('CreateTags');
    expect(JSON.stringify(adoption[0]?.Properties)).not.toContain('ReleaseAddress');
    expect(template.Conditions.Adopting).toEqual({ 'Fn::Not': [{ Condition: 'Allocating' }] });
  });

  it('carries the Serverless Application Repository metadata, versioned as the package', () => {
    const sar = template.Metadata['AWS::ServerlessRepo::Application'];
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(sar).toMatchObject({
      Name: 'lambda-static-ip',
      Author: 'lambda-static-ip',
      SpdxLicenseId: manifest.license,
      LicenseUrl: 'LICENSE',
      ReadmeUrl: 'README.md',
      SemanticVersion: manifest.version,
    });
    expect(String(sar?.Description).length).toBeLessThanOrEqual(256);
  });

  it('is cfn-lint clean, but for the local code paths that aws cloudformation package uploads', () => {
    const { exitCode, unjustified } = cfnLint([join(out, TEMPLATE_FILE)]);
    // W3002: "This code may only work with 'package' cli command", on each Code path: by design.
    expect(unjustified.filter((finding) => finding.rule !== 'W3002')).toEqual([]);
    expect(unjustified.filter((finding) => finding.rule === 'W3002')).toHaveLength(
      localCodeFunctions(template).length,
    );
    expect(exitCode & 2).toBe(0);
  });

  it('is what aws cloudformation package uploads: every code path and the SAR files become S3 objects', async () => {
    const aws = localAws();
    const s3 = new S3Client({ ...clientConfig(aws.clientOptions()), forcePathStyle: true });
    const bucket = 'lsi-template-artifacts';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const packaged = join(temporaryDirectory('lsi-template-packaged-'), 'packaged.json');
    // awscli v1 (botocore >= 1.31) sends S3 calls to AWS_ENDPOINT_URL_S3: the local AWS.
    const result = spawnSync(
      'python3',
      [
        '-m',
        'awscli',
        'cloudformation',
        'package',
        '--template-file',
        written.template,
        '--s3-bucket',
        bucket,
        '--output-template-file',
        packaged,
        '--use-json',
      ],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_S3: aws.endpoint,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_DEFAULT_REGION: aws.region,
        },
      },
    );
    expect(result.stderr).not.toContain('Unable to upload');
    expect(result.status).toBe(0);
    const out = JSON.parse(readFileSync(packaged, 'utf8')) as Template;
    const keys: string[] = [];
    for (const [id, resource] of Object.entries(out.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const code = resource.Properties?.Code as { S3Bucket?: string; S3Key?: string; ZipFile?: string };
      if (code.ZipFile !== undefined) continue; // the keeper's inline code
      expect(code.S3Bucket, id).toBe(bucket);
      keys.push(String(code.S3Key));
    }
    const sar = out.Metadata['AWS::ServerlessRepo::Application'];
    for (const url of [sar?.LicenseUrl, sar?.ReadmeUrl]) {
      expect(String(url)).toMatch(new RegExp(`^s3://${bucket}/`));
      keys.push(String(url).slice(`s3://${bucket}/`.length));
    }
    for (const key of keys) {
      await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).resolves.toBeDefined();
    }
  }, 120_000);

  it('refuses an --out that is not empty without --force, or not writable: exit 2, naming it', async () => {
    const notEmpty = await run(['template', '--out', out]);
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toContain(`--out ${out} is not empty`);
    expect(notEmpty.stderr).toContain('--force');

    // A file where a directory is wanted (root, as the tests may run, can write anywhere else).
    const file = join(temporaryDirectory('lsi-template-file-'), 'a-file');
    writeFileSync(file, 'x');
    const notWritable = await run(['template', '--out', join(file, 'out'), '--json']);
    expect(notWritable.code).toBe(2);
    const error = JSON.parse(notWritable.stdout).error;
    expect(error.code).toBe('OutNotWritable');
    expect(error.message).toContain(join(file, 'out'));
    const onFile = await run(['template', '--out', file]);
    expect(onFile.code).toBe(2);
  });
});
