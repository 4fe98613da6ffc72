/** The CLI's exit codes. Stable: scripts depend on them. */
export const ExitCode = {
  /** Success: the pool is converged (or the command did what it says). */
  Ok: 0,
  /** A runtime failure (no Region or credentials, a failed call), a problem left unresolved after apply (PoolExhausted, …), or an audit error finding. */
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
  1  runtime failure (no Region or credentials, a failed AWS call), a problem left unresolved after
     apply (PoolExhausted, SubnetNotPublic, ...), an error finding from audit, switch-check: the
     pool is too small for the target, or prepare: too few free pool IPs without --allocate, or --wait
     timed out
  2  bad input (unknown function, function without VPC config, unknown command or option, bad option
     value, apply or prune without --yes and no terminal, release/unbind without --yes, prepare with
     subnets or security groups a keeper cannot use)
With --json, every failure prints {"error": {"code", "message", "exitCode"}} on stdout.
  3  plan --detailed-exitcode: changes are pending`;
