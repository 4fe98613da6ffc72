import { Command } from 'commander';

/** Builds the `lambda-static-ip` command line. */
export function buildProgram(): Command {
  return new Command('lambda-static-ip')
    .description(
      'Static public IPs for AWS Lambda: keep Hyperplane ENIs bound to an allow-listed Elastic IP pool.',
    )
    .version('0.1.0');
}

/** Runs the CLI and returns its exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  await buildProgram().parseAsync([...argv], { from: 'user' });
  return 0;
}
