import { ExitCode } from './exit-codes.js';

/** The `error` of a --json document: a stable code, the message naming the fix, the exit code. */
export interface ErrorMember {
  readonly code: string;
  readonly message: string;
  readonly exitCode: number;
}

/**
 * `{ error: { code, message, exitCode } }`. With --json, a run that fails prints it: as the whole
 * document when it failed before having a result (bad input, no credentials, a failed call), or beside
 * the result when the result itself is the failure (apply with problems left, audit error findings, …),
 * so that `.error` marks every failing run's document.
 */
export function errorMember(
  code: string,
  message: string,
  exitCode: number = ExitCode.Failure,
): { error: ErrorMember } {
  return { error: { code, message, exitCode } };
}

/**
 * The first of a result's failures (problems, findings) as its `error`, saying how many more the
 * document's `listedIn` member has; nothing when there are none.
 */
export function firstFailure(
  failures: readonly { readonly code: string; readonly message: string }[],
  listedIn: string,
): { error: ErrorMember } | Record<string, never> {
  const [first] = failures;
  if (!first) return {};
  const more = failures.length - 1;
  return errorMember(
    first.code,
    more > 0 ? `${first.message} (and ${more} more in "${listedIn}")` : first.message,
  );
}
