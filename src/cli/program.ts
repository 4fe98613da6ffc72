import { Command, CommanderError, Option } from 'commander';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorCode } from '../aws/errors.js';
import { InputError, StaticIpError } from '../core/errors.js';
import type { ClientFactory } from './aws-clients.js';
import { useColor } from './color.js';
import type { CommandContext, CommandRunner, GlobalOptions } from './command.js';
import { COMMANDS } from './commands/index.js';
import { describeError } from './describe-error.js';
import { errorMember } from './error-document.js';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';
import { type CliIo, processIo } from './io.js';
import { Output } from './output.js';
import { asksForJson, usageError } from './usage-error.js';
import { packageVersion } from './version.js';

export interface CliOptions {
  readonly io?: CliIo;
  /**
   * Lets tests and embedders supply their own SDK clients, given the options the CLI resolved (the
   * Region from --region or the environment, --profile, --endpoint-url; only those that are set).
   */
  readonly clients?: ClientFactory;
}

/** Builds the `lambda-static-ip` program with every registered command. */
function buildProgram(run: CommandRunner): Command {
  const program = new Command('lambda-static-ip')
    .description(
      'Static public IPs for AWS Lambda: keep Lambda Hyperplane ENIs bound to an allow-listed Elastic IP pool.',
    )
    .version(packageVersion())
    .addOption(
      new Option(
        '--region <region>',
        "AWS Region (default: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region)",
      ),
    )
    .addOption(
      new Option('--profile <name>', 'named profile from the shared AWS config files (default: AWS_PROFILE)'),
    )
    .addOption(
      new Option(
        '--endpoint-url <url>',
        'send AWS requests here, e.g. a local AWS (AWS_ENDPOINT_URL also works)',
      ),
    )
    .option('--json', 'print exactly one JSON document on stdout, errors included', false)
    .option('--verbose', 'more detail on stderr', false)
    .option('--debug', 'list every AWS call on stderr: operation, duration, outcome, retries', false)
    .option('--no-color', 'plain output without ANSI colours (also NO_COLOR; FORCE_COLOR forces them)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
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
    const output = new Output(io, {
      json: globals.json,
      verbose: globals.verbose,
      debug: globals.debug,
      color: globals.color,
    });
    let clients: Promise<AwsClients> | undefined;
    const context: CommandContext = {
      io,
      output,
      globals,
      clients: () => {
        clients ??= (async () => {
          const { openClients } = await import('./aws-clients.js');
          const { createAwsClients } = await import('../aws/clients.js');
          return openClients(globals, io.env, output, options.clients ?? createAwsClients);
        })();
        return clients;
      },
    };
    try {
      exitCode = await action(context);
    } catch (error) {
      output.stopProgress();
      exitCode = reportError(error, output);
    } finally {
      output.stopProgress();
      const opened = await clients?.catch(() => undefined);
      if (opened) for (const client of Object.values(opened)) client.destroy();
    }
  };

  const program = buildProgram(run);
  program.exitOverride();
  program.configureOutput({
    writeOut: (text: string) => io.writeOut(text),
    writeErr: (text: string) => io.writeErr(text),
  });
  // addCommand() does not pass settings on as command() does: without this, a subcommand's parse errors
  // would bypass the CliIo, and its help would leave out the global options.
  for (const command of program.commands) command.copyInheritedSettings(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and version are successes; every other parse failure is bad input.
    if (error.exitCode === 0) return ExitCode.Ok;
    // Commander has written its message (and the usage hint) on stderr; --json also gets its document.
    if (asksForJson(argv)) {
      const output = new Output(io, { json: true, verbose: false, color: false });
      const { code, message } = usageError(error);
      output.result(errorMember(code, message, ExitCode.BadInput), () => '');
    }
    return ExitCode.BadInput;
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
    debug?: boolean;
    color?: boolean;
  };
  const json = Boolean(raw.json);
  return {
    ...(raw.region ? { region: raw.region } : {}),
    ...(raw.profile ? { profile: raw.profile } : {}),
    ...(raw.endpointUrl ? { endpointUrl: raw.endpointUrl } : {}),
    json,
    verbose: Boolean(raw.verbose),
    debug: Boolean(raw.debug),
    color: useColor({ flag: raw.color !== false, json, stdoutIsTty: io.stdoutIsTty, env: io.env }),
  };
}

/** Reports an error on stderr (and as the JSON document with --json); returns the exit code. */
function reportError(error: unknown, output: Output): number {
  const exitCode = error instanceof InputError ? ExitCode.BadInput : ExitCode.Failure;
  const message = describeError(error);
  output.error(message);
  if (output.json && !output.resultWritten) {
    output.result(errorMember(errorCode(error), message, exitCode), () => '');
  }
  return exitCode;
}

/** The error's stable code: ours, else the AWS error code, else the error's name. */
function errorCode(error: unknown): string {
  if (error instanceof StaticIpError) return error.code;
  const aws = awsErrorCode(error);
  if (aws === 'CredentialsProviderError') return 'CredentialsMissing';
  return aws ?? (error instanceof Error ? error.name : 'Error');
}
