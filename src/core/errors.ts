/**
 * Errors with a stable code, a message that names the bad value and the fix, and the cause kept.
 * The CLI maps them to exit codes: bad input 2, everything else 1.
 */
export class StaticIpError extends Error {
  override readonly name: string = 'StaticIpError';

  constructor(
    /** Stable, machine-readable: `InvalidPoolName`, `UnknownFunction`, `AwsCallFailed`, … */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The caller gave something unusable: a bad flag, an unknown function, a function with no VPC. */
export class InputError extends StaticIpError {
  override readonly name: string = 'InputError';
}
