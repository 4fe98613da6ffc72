import {
  type DockerImageAssetLocation,
  type FileAssetLocation,
  FileAssetPackaging,
  type FileAssetSource,
  type ISynthesisSession,
  StackSynthesizer,
  Token,
} from 'aws-cdk-lib';
import { InputError } from '../core/errors.js';

/** A code asset of the synthesized constructs, and where the template expects it in S3. */
export interface ServiceAsset {
  /** As the synthesizer got it: relative to the assembly's outdir once staged. */
  readonly fileName: string;
  readonly packaging: FileAssetPackaging;
  /** The object's name under the deployment's artifact directory. */
  readonly objectName: string;
}

/**
 * Places the constructs' code assets beside the service's own artifacts: in the Serverless deployment
 * bucket, under the deployment's artifact directory, so that no CDK bootstrap stack is needed and
 * Serverless's cleanup of old deployments removes them with the rest.
 */
export class ServerlessAssetSynthesizer extends StackSynthesizer {
  readonly assets: ServiceAsset[] = [];

  /**
   * @param bucket the S3Bucket value Serverless gives its functions' code (`{ Ref: ServerlessDeploymentBucket }`
   *   or the configured bucket's name)
   * @param keyPrefix the deployment's artifact directory (`service.package.artifactDirectoryName`)
   */
  constructor(
    private readonly bucket: unknown,
    private readonly keyPrefix: string,
  ) {
    super();
  }

  override addFileAsset(asset: FileAssetSource): FileAssetLocation {
    if (asset.fileName === undefined || asset.packaging === undefined) {
      throw new InputError(
        'UnsupportedAsset',
        'an asset built by a command cannot be packaged by the plugin',
      );
    }
    const extension =
      asset.packaging === FileAssetPackaging.ZIP_DIRECTORY ? '.zip' : extensionOf(asset.fileName);
    const objectName = `lambda-static-ip-${asset.sourceHash}${extension}`;
    this.assets.push({ fileName: asset.fileName, packaging: asset.packaging, objectName });
    const bucketName = Token.asString(this.bucket);
    const objectKey = `${this.keyPrefix}/${objectName}`;
    return {
      bucketName,
      objectKey,
      httpUrl: `https://s3.amazonaws.com/${bucketName}/${objectKey}`,
      s3ObjectUrl: `s3://${bucketName}/${objectKey}`,
    };
  }

  override addDockerImageAsset(): DockerImageAssetLocation {
    throw new InputError('UnsupportedAsset', 'the plugin packages no container image assets');
  }

  override synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    this.emitArtifact(session);
  }
}

function extensionOf(fileName: string): string {
  const match = /\.[A-Za-z0-9]+$/.exec(fileName);
  return match ? match[0] : '';
}
