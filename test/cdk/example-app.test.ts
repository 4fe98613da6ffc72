import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCleanCfnLint } from '../support/cfn-lint.js';
import { referenceProblems } from '../support/service-authorization.js';
import { type CfnResourceJson, templateStatements } from '../support/template-iam.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

const EXPECTED_STACKS = [
  'LsiDualStackEgressStack',
  'LsiHyperplaneEgressStack',
  'LsiIngressGaStack',
  'LsiIngressNlbStack',
  'LsiNatGatewayStack',
  'LsiNatInstanceStack',
];

type Metadata = Record<string, readonly { readonly type: string; readonly data: unknown }[]>;

interface Manifest {
  readonly artifacts: Record<
    string,
    { readonly type: string; readonly metadata?: Metadata; readonly additionalMetadataFile?: string }
  >;
}

describe('the example app', () => {
  let outdir = '';
  let templates: string[] = [];

  // `npm run synth`, as a user runs it, once for the file; CDK_OUTDIR keeps cdk.out/ of the checkout untouched.
  beforeAll(() => {
    outdir = temporaryDirectory('lsi-example-');
    const run = spawnSync('npm', ['run', '--silent', 'synth'], {
      encoding: 'utf8',
      // tsx keeps a compile cache in the temp dir: this one goes with the test file.
      env: { ...process.env, CDK_OUTDIR: outdir, TMPDIR: temporaryDirectory('lsi-example-tmp-') },
    });
    expect(run.stderr).toContain(`synthesised ${EXPECTED_STACKS.length} stacks to ${outdir}`);
    expect(run.status).toBe(0);
    templates = readdirSync(outdir)
      .filter((name) => name.endsWith('.template.json'))
      .map((name) => join(outdir, name));
  });

  it('synthesises every stack offline, env-agnostic', () => {
    expect(templates.map((path) => path.slice(outdir.length + 1)).sort()).toEqual(
      EXPECTED_STACKS.map((name) => `${name}.template.json`),
    );
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as Manifest;
    for (const name of EXPECTED_STACKS) {
      expect(manifest.artifacts[name]).toMatchObject({
        type: 'aws:cloudformation:stack',
        environment: 'aws://unknown-account/unknown-region',
      });
    }
  });

  it('leaves no warning or error annotation', () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as Manifest;
    // Stacks keep their metadata in a file of their own (additionalMetadataFile), older ones inline.
    const entries = Object.values(manifest.artifacts)
      .flatMap((artifact) => [
        ...Object.entries(artifact.metadata ?? {}),
        ...(artifact.additionalMetadataFile === undefined
          ? []
          : Object.entries(
              JSON.parse(readFileSync(join(outdir, artifact.additionalMetadataFile), 'utf8')) as Metadata,
            )),
      ])
      .flatMap(([path, list]) => list.map((entry) => ({ path, type: entry.type, data: entry.data })));
    expect(entries.length).toBeGreaterThan(0); // the metadata was found, so an empty result below means something
    const annotations = entries.filter(
      (entry) => entry.type === 'aws:cdk:warning' || entry.type === 'aws:cdk:error',
    );
    expect(annotations).toEqual([]);
  });

  it('passes cfn-lint on every template: no error, only justified warnings', () => {
    expectCleanCfnLint(templates);
  });

  it('grants only IAM statements that fit the Service Authorization Reference: roles, policies, trust, permissions', () => {
    const statements = templates.flatMap((path) =>
      templateStatements(
        path.slice(outdir.length + 1),
        (JSON.parse(readFileSync(path, 'utf8')) as { Resources: Record<string, CfnResourceJson> }).Resources,
      ),
    );
    expect(statements.length).toBeGreaterThan(15);
    expect(statements.flatMap(({ where, statement }) => referenceProblems(statement, where))).toEqual([]);
  });

  it('pins the functions to nodejs22.x', () => {
    for (const path of templates) {
      const template = JSON.parse(readFileSync(path, 'utf8')) as {
        Resources: Record<
          string,
          { Type: string; Properties: { Runtime?: string; Code?: { ZipFile?: string } } }
        >;
      };
      const inline = Object.values(template.Resources).filter(
        (resource) =>
          resource.Type === 'AWS::Lambda::Function' && resource.Properties.Code?.ZipFile !== undefined,
      );
      expect(inline.length).toBeGreaterThan(0);
      for (const fn of inline) expect(fn.Properties.Runtime).toBe('nodejs22.x');
    }
  });

  it('deploys the Hyperplane stack keepers first: each function waits for their ENIs to hold pool IPs', () => {
    const path = templates.find((candidate) => candidate.endsWith('LsiHyperplaneEgressStack.template.json'));
    const template = JSON.parse(readFileSync(path as string, 'utf8')) as {
      Resources: Record<
        string,
        {
          Type: string;
          DependsOn?: string[];
          Properties: {
            Tags?: { Key: string }[];
            VpcConfig?: { SubnetIds: unknown[] };
            Keepers?: unknown;
            Functions?: unknown;
          };
        }
      >;
    };
    const resources = Object.entries(template.Resources);
    const [waitId, wait] = resources.find(
      ([, resource]) => resource.Type === 'Custom::LambdaStaticIpKeepersBound',
    ) as [string, { Properties: { Keepers?: unknown } }];
    const tagged = (key: string) =>
      resources.filter(
        ([, resource]) =>
          resource.Type === 'AWS::Lambda::Function' &&
          (resource.Properties.Tags ?? []).some((tag) => tag.Key === key),
      );
    const keepers = tagged('lambda-static-ip:keeper');
    const functions = tagged('lambda-static-ip:pool').filter(
      ([logicalId]) => !keepers.some(([keeper]) => keeper === logicalId),
    );
    // Two subnets, one security group: two keepers, each in one subnet; two functions of the pool.
    expect(keepers).toHaveLength(2);
    for (const [, keeper] of keepers) expect(keeper.Properties.VpcConfig?.SubnetIds).toHaveLength(1);
    expect(functions.map(([logicalId]) => logicalId)).toEqual([
      expect.stringMatching(/^EgressCheckA/),
      expect.stringMatching(/^EgressCheckB/),
    ]);
    // function -> wait -> keepers, and the binding check after the functions.
    expect(wait.Properties.Keepers).toEqual(keepers.map(([logicalId]) => ({ Ref: logicalId })));
    for (const [, fn] of functions) expect(fn.DependsOn).toContain(waitId);
    const binding = resources.find(([, resource]) => resource.Type === 'Custom::LambdaStaticIpPoolBinding');
    for (const [logicalId] of functions) {
      expect(binding?.[1].Properties.Functions).toContainEqual({ Ref: logicalId });
    }
  });
});
