/** The CLI's exit codes. Stable: scripts depend on them. */
export const ExitCode = {
  /** Success: the pool is converged (or the command did what it says). */
  Ok: 0,
  /** A runtime failure, a problem left unresolved after apply (PoolExhausted, …), or an audit error finding. */
  Failure: 1,
  /** Bad input: unknown function, function with no VPC, bad flag, a destructive command without --yes. */
  BadInput: 2,
  /** `plan --detailed-exitcode` only: changes are pending. */
  ChangesPending: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `
Exit codes:
  0  success (converged; nothing left to do)
  1  runtime failure, a problem left unresolved after apply (PoolExhausted, SubnetNotPublic, ...),
     an error finding from audit, or switch-check: the pool is too small for the target
  2  bad input (unknown function, function without VPC config, bad flags, apply without --yes and no
     terminal, release/unbind without --yes)
  3  plan --detailed-exitcode: changes are pending`;
