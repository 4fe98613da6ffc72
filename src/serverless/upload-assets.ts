import type { Serverless } from './plugin.js';

/** What the upload needs of the AWS provider: the v3 API's `request`, or osls's SDK v3 credentials. */
interface AwsProvider {
  getRegion(): string;
  getServerlessDeploymentBucketName(): Promise<string>;
  request?(service: string, method: string, params: object): Promise<unknown>;
  getAwsSdkV3CredentialsProvider?(): unknown;
}

/**
 * Puts the constructs' code assets into the deployment bucket under the deployment's artifact directory,
 * where the template's S3 keys point. Serverless v3/v4 give plugins `provider.request`; osls replaced it
 * with SDK v3 clients and `getAwsSdkV3CredentialsProvider`, used then with our own S3 client.
 */
export async function uploadAssets(
  serverless: Serverless,
  upload: { readonly keyPrefix: string; readonly files: readonly { name: string; body: Buffer }[] },
): Promise<void> {
  const provider = serverless.getProvider('aws') as unknown as AwsProvider;
  const bucket = await provider.getServerlessDeploymentBucketName();
  const put = await putter(provider);
  for (const file of upload.files) {
    await put({
      Bucket: bucket,
      Key: `${upload.keyPrefix}/${file.name}`,
      Body: file.body,
      ContentType: file.name.endsWith('.zip') ? 'application/zip' : 'application/octet-stream',
    });
  }
}

type Put = (params: { Bucket: string; Key: string; Body: Buffer; ContentType: string }) => Promise<unknown>;

async function putter(provider: AwsProvider): Promise<Put> {
  if (provider.getAwsSdkV3CredentialsProvider) {
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      region: provider.getRegion(),
      credentials: provider.getAwsSdkV3CredentialsProvider() as never,
    });
    return (params) => client.send(new PutObjectCommand(params));
  }
  const request = provider.request?.bind(provider);
  if (request === undefined) throw new Error('the AWS provider offers no way to upload to S3');
  return (params) => request('S3', 'putObject', params);
}
