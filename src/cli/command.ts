import type { Command } from 'commander';
import type { AwsClients } from '../aws/clients.js';
import type { CliIo } from './io.js';
import type { Output } from './output.js';

/** Options every command accepts, as given (the Region from the environment is resolved with the clients). */
export interface GlobalOptions {
  readonly region?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  readonly json: boolean;
  readonly verbose: boolean;
  /** --debug: every AWS call on stderr. */
  readonly debug: boolean;
  readonly color: boolean;
}

/** What a command's action gets: its output, and AWS clients built from the global options. */
export interface CommandContext {
  readonly io: CliIo;
  readonly output: Output;
  readonly globals: GlobalOptions;
  /**
   * Built on first use (and the SDK loaded only then), so commands that need no AWS start fast and
   * never touch the credential chain.
   */
  clients(): Promise<AwsClients>;
}

/** A command module: adds its subcommand to the program. */
export type RegisterCommand = (program: Command, run: CommandRunner) => void;

/**
 * Wraps a command's action: builds its context, maps errors to exit codes and reports them (as one
 * JSON document with --json), and records the exit code.
 */
export type CommandRunner = (
  command: Command,
  action: (context: CommandContext) => Promise<number>,
) => Promise<void>;
