/** The test bed cannot start here (no python3, no moto): the message says what to install, and where. */
export class LocalAwsUnavailableError extends Error {
  override readonly name = 'LocalAwsUnavailableError';
}
