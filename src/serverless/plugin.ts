import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StaticIpError } from '../core/errors.js';
import { mergeTemplate } from './merge-template.js';
import { CONFIG_KEY, CONFIG_SCHEMA, configError, type PluginConfig, readConfig } from './plugin-config.js';
import { poolTemplate, type ServiceFunction } from './pool-template.js';

/** The parts of the Serverless instance the plugin uses (v3 plugin API). */
export interface Serverless {
  readonly serviceDir?: string;
  readonly config: { readonly servicePath?: string };
  readonly classes: { readonly Error: new (message: string, code?: string) => Error };
  readonly configSchemaHandler?: { defineCustomProperties(schema: object): void };
  readonly service: {
    readonly custom?: Record<string, unknown>;
    readonly provider: {
      readonly vpc?: VpcBlock;
      compiledCloudFormationTemplate: {
        Resources: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
      };
    };
    readonly package: { readonly artifactDirectoryName?: string };
    getAllFunctions(): string[];
    getFunction(key: string): { readonly vpc?: VpcBlock; readonly name?: string };
  };
  getProvider(name: 'aws'): {
    readonly naming: { getLambdaLogicalId(key: string): string };
    getRegion(): string;
  };
}

interface VpcBlock {
  readonly subnetIds?: unknown[];
  readonly securityGroupIds?: unknown[];
}

interface PluginLogger {
  warning(message: string): void;
  notice(message: string): void;
}

/** Where the plugin writes the constructs' code assets: beside Serverless's own artifacts. */
const ASSET_PREFIX = 'lambda-static-ip-';

/**
 * Hooks (lifecycle events with their before:/after: variants,
 * https://www.serverless.com/framework/docs/guides/plugins/creating-plugins; the aws:package:finalize and
 * aws:deploy:deploy steps are those of the AWS provider's package and deploy plugins, kept by v4 and osls):
 * - `before:package:finalize`: every function, event and IAM statement is compiled into
 *   `service.provider.compiledCloudFormationTemplate`, which `package:finalize` then merges with the
 *   user's `resources` and saves; the constructs' resources go in between.
 * - `after:aws:deploy:deploy:uploadArtifacts`: the constructs' code goes up next to the service's own
 *   artifacts, before the stack update that refers to it.
 */
export class LambdaStaticIpPlugin {
  readonly hooks: Record<string, () => Promise<void> | void>;

  constructor(
    private readonly serverless: Serverless,
    _options: unknown,
    private readonly utils?: { readonly log?: PluginLogger },
  ) {
    // Configuration values are resolved only after plugins are constructed: read them in hooks only.
    serverless.configSchemaHandler?.defineCustomProperties(CONFIG_SCHEMA);
    this.hooks = {
      'before:package:finalize': () => this.addPool(),
      'after:aws:deploy:deploy:uploadArtifacts': () => this.uploadAssets(),
    };
  }

  private get serviceDir(): string {
    return this.serverless.serviceDir ?? this.serverless.config.servicePath ?? '.';
  }

  private addPool(): void {
    const service = this.serverless.service;
    const config = this.guard(() => readConfig(service.custom?.lambdaStaticIp, service.getAllFunctions()));
    const functions = this.guard(() => this.poolFunctions(config));
    const compiled = service.provider.compiledCloudFormationTemplate;
    const assetDir = join(this.serviceDir, '.serverless');
    mkdirSync(assetDir, { recursive: true });
    const { sections, warnings, functionDependsOn } = this.guard(() =>
      poolTemplate({
        config,
        functions,
        bucket: codeBucket(compiled.Resources, functions),
        keyPrefix: artifactDirectory(service.package.artifactDirectoryName),
        assetDir,
      }),
    );
    for (const warning of warnings) this.utils?.log?.warning(`lambda-static-ip: ${warning}`);
    this.guard(() => mergeTemplate(compiled, sections, config.pool, functionDependsOn));
  }

  /** The functions named in `functions`, or every function with a `vpc` block (its own or the provider's). */
  private poolFunctions(config: PluginConfig): ServiceFunction[] {
    const service = this.serverless.service;
    const naming = this.serverless.getProvider('aws').naming;
    const keys = config.functions ?? service.getAllFunctions().filter((key) => vpcOf(this.serverless, key));
    if (keys.length === 0 && config.functions === undefined) {
      throw new StaticIpError(
        'InvalidPluginConfig',
        `${CONFIG_KEY}.functions: no function of the service has a vpc block; give the pool's functions a vpc in public subnets, or list them in functions`,
      );
    }
    return keys.map((key) => {
      const vpc = vpcOf(this.serverless, key);
      if (vpc === undefined) {
        throw new StaticIpError(
          'FunctionNotInVpc',
          `${CONFIG_KEY}.functions: function ${key} has no vpc block, so it has no Hyperplane ENI to hold a pool IP; give it (or provider) vpc with subnetIds of public subnets and securityGroupIds`,
        );
      }
      return {
        key,
        logicalId: naming.getLambdaLogicalId(key),
        subnetIds: vpc.subnetIds ?? [],
        securityGroupIds: vpc.securityGroupIds ?? [],
      };
    });
  }

  /** Runs `step`, turning the project's coded errors into Serverless errors that name the key and the fix. */
  private guard<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof StaticIpError)) throw error;
      const restated = error.message.startsWith(CONFIG_KEY) ? error : configError(error);
      throw new this.serverless.classes.Error(restated.message, `LAMBDA_STATIC_IP_${restated.code}`);
    }
  }

  private async uploadAssets(): Promise<void> {
    const { uploadAssets } = await import('./upload-assets.js');
    const assetDir = join(this.serviceDir, '.serverless');
    const files = readdirSync(assetDir).filter((name) => name.startsWith(ASSET_PREFIX));
    await uploadAssets(this.serverless, {
      keyPrefix: artifactDirectory(this.serverless.service.package.artifactDirectoryName),
      files: files.map((name) => ({ name, body: readFileSync(join(assetDir, name)) })),
    });
  }
}

function vpcOf(serverless: Serverless, key: string): VpcBlock | undefined {
  const vpc = serverless.service.getFunction(key).vpc ?? serverless.service.provider.vpc;
  return vpc?.subnetIds && vpc.subnetIds.length > 0 ? vpc : undefined;
}

/** The S3Bucket Serverless gave its functions' code: the same bucket takes the constructs' code. */
function codeBucket(
  resources: Serverless['service']['provider']['compiledCloudFormationTemplate']['Resources'],
  functions: readonly ServiceFunction[],
): unknown {
  for (const fn of functions) {
    const code = resources[fn.logicalId]?.Properties?.Code as { S3Bucket?: unknown } | undefined;
    if (code?.S3Bucket !== undefined) return code.S3Bucket;
  }
  return { Ref: 'ServerlessDeploymentBucket' };
}

function artifactDirectory(name: string | undefined): string {
  if (name === undefined) {
    throw new StaticIpError(
      'ArtifactDirectoryMissing',
      'Serverless set no artifact directory before package:finalize; use Serverless Framework v3 or later, or osls',
    );
  }
  return name;
}
