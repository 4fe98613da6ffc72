import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { regionFromEnvironment } from './region.js';

/** How to reach AWS. Every field is optional: the SDK's standard chain fills the gaps. */
export interface AwsClientOptions {
  /**
   * @default the AWS CLI's order: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region`
   * (the JavaScript SDK alone never reads AWS_DEFAULT_REGION)
   */
  readonly region?: string;
  /** A named profile from the shared config files. @default AWS_PROFILE, then `default` */
  readonly profile?: string;
  /** Send every request here (a local AWS, a VPC endpoint). @default AWS_ENDPOINT_URL, then the real endpoint */
  readonly endpointUrl?: string;
  /** @default the SDK credential chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call, including the first, with the SDK's standard backoff. @default 3 */
  readonly maxAttempts?: number;
  /**
   * Give up on one attempt after this long (and retry it, within maxAttempts). Together with maxAttempts
   * it bounds how long a call can take, which a Lambda function's timeout must cover.
   * @default none: an attempt waits as long as the connection stays open
   */
  readonly requestTimeoutMs?: number;
}

/** The SDK clients lambda-static-ip uses. Callers may build their own and pass them in. */
export interface AwsClients {
  readonly ec2: EC2Client;
  readonly lambda: LambdaClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
}

/** The one place that builds SDK clients, so that region, endpoint and retries agree across them. */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const config = clientConfig(options);
  return {
    ec2: new EC2Client(config),
    lambda: new LambdaClient(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
  };
}

/** An IAM client with the same settings (the test bed uses it for execution roles). */
export function createIamClient(options: AwsClientOptions = {}): IAMClient {
  return new IAMClient(clientConfig(options));
}

/** An EventBridge client with the same settings (`prepare` schedules its keepers with a rule). */
export function createEventBridgeClient(options: AwsClientOptions = {}): EventBridgeClient {
  return new EventBridgeClient(clientConfig(options));
}

/** The settings every client is built with; for clients of other services (the field test's). */
export function clientConfig(options: AwsClientOptions) {
  const region = options.region ?? regionFromEnvironment()?.region;
  return {
    ...(region === undefined ? {} : { region }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.requestTimeoutMs === undefined
      ? {}
      : {
          requestHandler: {
            requestTimeout: options.requestTimeoutMs,
            connectionTimeout: options.requestTimeoutMs,
            // Without this the SDK only warns when the timeout passes, and the attempt goes on waiting.
            throwOnRequestTimeout: true,
          },
        }),
  };
}
