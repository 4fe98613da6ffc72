import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { InputError } from '../../core/errors.js';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { controllerTemplate, type PackageFacts } from '../template/controller-template.js';

interface TemplateOptions {
  readonly out: string;
  readonly force: boolean;
}

/** The file the template is written to, in --out. */
export const TEMPLATE_FILE = 'template.json';

export const registerTemplate: RegisterCommand = (program, run) => {
  program.addCommand(
    new Command('template')
      .description(
        'write the in-account controller as a parameterised CloudFormation template (pool, controller, rules, schedule, the wait custom resource, alarms) with its code, for SAM, aws cloudformation package/deploy, Terraform or the Serverless Application Repository',
      )
      .requiredOption(
        '--out <dir>',
        'the directory to write template.json, its code zips, README.md and LICENSE to',
      )
      .addOption(
        new Option('--force', 'write into --out even if it is not empty (replacing our files)').default(
          false,
        ),
      )
      .addHelpText(
        'after',
        `
Parameters: PoolName, Size (0-8 addresses the stack allocates, retained) or AllocationIds (yours, adopted),
Spares, MaxIps (0: the controller never allocates), FunctionNames (existing functions every deployment
waits for), AlarmTopicArn, Keepers=true with KeeperSubnetIds and KeeperSecurityGroupIds (one keeper holds
those ENIs bound; order your functions after the stack). Functions join the pool by the tag
lambda-static-ip:pool=<PoolName> or by name. Then: aws cloudformation package --template-file <dir>/template.json
--s3-bucket <bucket> --output-template-file packaged.json && aws cloudformation deploy ... See docs/toolchains.md.`,
      )
      .action(async (options: TemplateOptions, self: Command) =>
        run(self, async ({ output }) => {
          const out = resolve(options.out);
          prepareOut(options.out, out, options.force);
          const root = packageRoot();
          const facts = packageFacts(root);
          const { template, assetNames, warnings } = controllerTemplate(out, facts);
          writeFileSync(join(out, TEMPLATE_FILE), `${JSON.stringify(template, null, 2)}\n`);
          // The SAR metadata's LicenseUrl and ReadmeUrl: local files `sam package` uploads.
          copyFileSync(join(root, 'LICENSE'), join(out, 'LICENSE'));
          copyFileSync(join(root, 'README.md'), join(out, 'README.md'));
          for (const warning of warnings) output.warn(warning);
          const result = {
            template: join(out, TEMPLATE_FILE),
            assets: assetNames.map((name) => join(out, name)),
            version: facts.version,
          };
          output.result(
            result,
            () =>
              `wrote ${result.template} and ${assetNames.length} code asset(s) in ${out}\nnext: aws cloudformation package --template-file ${result.template} --s3-bucket <bucket> --output-template-file packaged.json`,
          );
          return ExitCode.Ok;
        }),
      ),
  );
};

/**
 * Makes --out ready: created if missing; an existing non-empty directory only with --force.
 * @throws InputError `OutNotEmpty`, `OutNotWritable` (exit 2)
 */
function prepareOut(given: string, out: string, force: boolean): void {
  try {
    if (existsSync(out) && readdirSync(out).length > 0 && !force) {
      throw new InputError(
        'OutNotEmpty',
        `--out ${given} is not empty; give an empty or new directory, or --force to write into it`,
      );
    }
    mkdirSync(out, { recursive: true });
    // Probe that it is writable now, rather than after the synthesis.
    const probe = join(out, '.lambda-static-ip-write-check');
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      'OutNotWritable',
      `--out ${given} cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)}); give a directory you can write to`,
    );
  }
}

/** The installed package's directory, found by its own name (see packageVersion). */
function packageRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('lambda-static-ip/package.json'));
}

function packageFacts(root: string): PackageFacts {
  const manifest = createRequire(import.meta.url)(join(root, 'package.json')) as Record<string, unknown>;
  return {
    version: String(manifest.version),
    description: String(manifest.description),
    license: String(manifest.license),
    homepage: String(manifest.homepage),
  };
}
