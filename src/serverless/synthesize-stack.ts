import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { App, FileAssetPackaging, Stack } from 'aws-cdk-lib';
import { InputError } from '../core/errors.js';
import { ServerlessAssetSynthesizer } from './asset-synthesizer.js';
import { zipDirectory } from './zip-directory.js';

/** A synthesized stack's template, as JSON. */
export interface SynthesizedTemplate {
  readonly Resources: Record<string, unknown>;
  readonly [section: string]: unknown;
}

/** What {@link synthesizeStack} returns. */
export interface SynthesizedStack {
  readonly template: SynthesizedTemplate;
  /** Warnings the constructs reported at synth, but for the silenced ones. */
  readonly warnings: readonly string[];
  /** The code assets written to `assetDir`, by object name (`lambda-static-ip-<hash>.zip`). */
  readonly assetNames: readonly string[];
}

/**
 * Synthesizes, in process, a stack that `build` fills with the constructs, and writes its code assets to
 * `assetDir` as `lambda-static-ip-<hash>.zip`, the names the template's S3 keys end with (see
 * {@link ServerlessAssetSynthesizer}). Shared by the Serverless plugin and the CLI's `template`: both
 * take the constructs' own template rather than a second one written by hand.
 *
 * @throws InputError `InvalidPluginConfig` with the constructs' synth errors (annotations of level error)
 */
export function synthesizeStack(options: {
  readonly bucket: unknown;
  readonly keyPrefix: string;
  readonly assetDir: string;
  /** Warning ids (`lambda-static-ip:…`) that say nothing in this setting. */
  readonly silencedWarnings: readonly string[];
  readonly build: (stack: Stack) => void;
}): SynthesizedStack {
  const outdir = mkdtempSync(join(tmpdir(), 'lambda-static-ip-synth-'));
  try {
    const app = new App({
      outdir,
      // The template may refer to what only its final form has (the service's bucket and functions, the
      // template's parameters): that one is validated (Serverless, cfn-lint in the tests).
      builtinCloudFormationValidation: false,
      context: {
        'aws:cdk:enable-path-metadata': false,
        'aws:cdk:enable-asset-metadata': false,
        'aws:cdk:disable-version-reporting': true,
      },
    });
    const synthesizer = new ServerlessAssetSynthesizer(options.bucket, options.keyPrefix);
    const stack = new Stack(app, 'Service', { synthesizer, analyticsReporting: false });
    options.build(stack);

    const assembly = app.synth();
    const artifact = assembly.getStackByName(stack.stackName);
    const warnings = artifact.messages
      .filter((message) => message.level === 'warning')
      .filter(
        (message) =>
          !options.silencedWarnings.some((id) => String(message.entry.data).includes(`[ack: ${id}]`)),
      )
      .map((message) => String(message.entry.data));
    const errors = artifact.messages.filter((message) => message.level === 'error');
    if (errors.length > 0) {
      throw new InputError(
        'InvalidPluginConfig',
        errors.map((message) => String(message.entry.data)).join('; '),
      );
    }

    for (const asset of synthesizer.assets) {
      const source = isAbsolute(asset.fileName) ? asset.fileName : join(outdir, asset.fileName);
      const target = join(options.assetDir, asset.objectName);
      if (asset.packaging === FileAssetPackaging.ZIP_DIRECTORY) writeFileSync(target, zipDirectory(source));
      else copyFileSync(source, target);
    }
    return {
      template: artifact.template as SynthesizedTemplate,
      warnings,
      assetNames: [...new Set(synthesizer.assets.map((asset) => asset.objectName))],
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
