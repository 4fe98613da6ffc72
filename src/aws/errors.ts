import { StaticIpError } from '../core/errors.js';

/** The AWS error code of a failed call (`Resource.AlreadyAssociated`, `RequestLimitExceeded`, …). */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { name?: unknown; Code?: unknown; code?: unknown };
  for (const value of [candidate.Code, candidate.name, candidate.code]) {
    if (typeof value === 'string' && value !== 'Error') return value;
  }
  return undefined;
}

/** The races lambda-static-ip itself detects, checking right before a change. */
export const RACE = {
  /** The ENI got an IP since it was observed (a concurrent run): binding another would displace it. */
  EniAlreadyBound: 'EniAlreadyBound',
  /** A free pool IP appeared since the observation: bind it rather than allocate another. */
  FreeAddressAppeared: 'FreeAddressAppeared',
  /** The pool reached --max-ips since the observation. */
  PoolGrew: 'PoolGrew',
  /** Another run allocated for the same subnet at the same time: re-planning picks one for both. */
  AllocationContended: 'AllocationContended',
} as const;

/** An error for a change not made because the world moved on since it was observed: re-plan. */
export function raceError(code: keyof typeof RACE, message: string): Error {
  return Object.assign(new Error(message), { name: RACE[code] });
}

/**
 * Errors that mean "the world changed since we looked": someone else bound the IP, the association or
 * the ENI is gone. The answer is to observe again and re-plan, never to force.
 */
export function isRace(error: unknown): boolean {
  const code = awsErrorCode(error);
  return (
    code === RACE.EniAlreadyBound ||
    code === RACE.FreeAddressAppeared ||
    code === RACE.PoolGrew ||
    code === RACE.AllocationContended ||
    code === 'Resource.AlreadyAssociated' ||
    code === 'InvalidAssociationID.NotFound' ||
    code === 'InvalidNetworkInterfaceID.NotFound' ||
    code === 'InvalidAllocationID.NotFound'
  );
}

/** Errors that retrying cannot fix: permissions and credentials. */
export function isAccessError(error: unknown): boolean {
  const code = awsErrorCode(error) ?? '';
  return (
    code === 'UnauthorizedOperation' ||
    code === 'AccessDenied' ||
    code === 'AccessDeniedException' ||
    code === 'AuthFailure' ||
    code === 'UnrecognizedClientException' ||
    code === 'InvalidClientTokenId' ||
    code === 'CredentialsProviderError' ||
    code === 'ExpiredToken'
  );
}

const CONFIGURE_CREDENTIALS =
  'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile (or AWS_PROFILE) naming a profile from ~/.aws/config (`aws configure`, or `aws sso login` for SSO)';

/**
 * Wraps a failed read so that the message says which call failed and why, keeping the cause. Its code
 * is `CredentialsMissing` when the SDK found no credentials, `AwsCallFailed` otherwise.
 */
export function readFailed(call: string, error: unknown): StaticIpError {
  const code = awsErrorCode(error) ?? 'Error';
  const detail = error instanceof Error ? error.message : String(error);
  const noCredentials = code === 'CredentialsProviderError';
  const hint = noCredentials
    ? `; no AWS credentials were found: ${CONFIGURE_CREDENTIALS}`
    : isAccessError(error)
      ? '; check the credentials and that the policy from `lambda-static-ip iam-policy` is attached'
      : connectionHint(error);
  return new StaticIpError(
    noCredentials ? 'CredentialsMissing' : 'AwsCallFailed',
    `${call} failed (${code}): ${detail}${hint}`,
    { cause: error },
  );
}

function connectionHint(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'ECONNRESET') {
    return '; the endpoint is unreachable: check --endpoint-url / AWS_ENDPOINT_URL and the network';
  }
  return '';
}
