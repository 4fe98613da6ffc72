import { Command, CommanderError, Option } from 'commander';
import type { AwsClients } from '../aws/clients.js';
import { InputError, StaticIpError } from '../core/errors.js';
import type { CommandContext, CommandRunner, GlobalOptions } from './command.js';
import { COMMANDS } from './commands/index.js';
import { describeError } from './describe-error.js';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';
import { type CliIo, processIo } from './io.js';
import { Output } from './output.js';

export interface CliOptions {
  readonly io?: CliIo;
  /** Lets tests and embedders supply their own SDK clients. */
  readonly clients?: (globals: GlobalOptions) => AwsClients;
}

/** Builds the `lambda-static-ip` program with every registered command. */
function buildProgram(run: CommandRunner): Command {
  const program = new Command('lambda-static-ip')
    .description(
      'Static public IPs for AWS Lambda: keep Lambda Hyperplane ENIs bound to an allow-listed Elastic IP pool.',
    )
    .version('0.1.0')
    .addOption(
      new Option('--region <region>', 'AWS Region (default: the SDK chain, AWS_REGION or the profile)'),
    )
    .addOption(new Option('--profile <name>', 'named profile from the shared AWS config files'))
    .addOption(
      new Option(
        '--endpoint-url <url>',
        'send AWS requests here, e.g. a local AWS (AWS_ENDPOINT_URL also works)',
      ),
    )
    .option('--json', 'print exactly one JSON document on stdout', false)
    .option('--verbose', 'more detail on stderr', false)
    .option('--no-color', 'plain output without ANSI colours (NO_COLOR also works)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  for (const register of COMMANDS) register(program, run);
  return program;
}

/** Runs the CLI and returns its exit code. */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  let exitCode: number = ExitCode.Ok;

  const run: CommandRunner = async (command, action) => {
    const globals = resolveGlobals(command, io);
    const output = new Output(io, { json: globals.json, verbose: globals.verbose, color: globals.color });
    let clients: AwsClients | undefined;
    const context: CommandContext = {
      io,
      output,
      globals,
      clients: async () => {
        if (!clients) {
          const { createAwsClients } = await import('../aws/clients.js');
          clients = options.clients ? options.clients(globals) : createAwsClients(globals);
        }
        return clients;
      },
    };
    try {
      exitCode = await action(context);
    } catch (error) {
      exitCode = reportError(error, output);
    } finally {
      if (clients) for (const client of Object.values(clients)) client.destroy();
    }
  };

  const program = buildProgram(run);
  program.exitOverride();
  const streams = {
    writeOut: (text: string) => io.writeOut(text),
    writeErr: (text: string) => io.writeErr(text),
  };
  program.configureOutput(streams);
  // addCommand() does not pass these settings on, so each subcommand gets them too: otherwise its
  // parse errors would bypass the CliIo and go straight to process.stderr.
  for (const command of program.commands) {
    command.exitOverride();
    command.configureOutput(streams);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other parse failure is bad input.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
    }
    throw error;
  }
  return exitCode;
}

function resolveGlobals(command: Command, io: CliIo): GlobalOptions {
  const raw = command.optsWithGlobals() as {
    region?: string;
    profile?: string;
    endpointUrl?: string;
    json?: boolean;
    verbose?: boolean;
    color?: boolean;
  };
  const color = raw.color !== false && io.env.NO_COLOR === undefined && io.stdoutIsTty && !raw.json;
  return {
    ...(raw.region ? { region: raw.region } : {}),
    ...(raw.profile ? { profile: raw.profile } : {}),
    ...(raw.endpointUrl ? { endpointUrl: raw.endpointUrl } : {}),
    json: Boolean(raw.json),
    verbose: Boolean(raw.verbose),
    color,
  };
}

/** Reports an error on stderr (and as the JSON document with --json); returns the exit code. */
function reportError(error: unknown, output: Output): number {
  const exitCode = error instanceof InputError ? ExitCode.BadInput : ExitCode.Failure;
  const code = error instanceof StaticIpError ? error.code : errorName(error);
  const message = describeError(error);
  output.error(message);
  if (output.json && !output.resultWritten) {
    output.result({ error: { code, message, exitCode } }, () => '');
  }
  return exitCode;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}
