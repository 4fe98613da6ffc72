import type { CommanderError } from 'commander';

/** Stable codes for what commander refuses while parsing the command line (all exit 2). */
const USAGE_CODES: Readonly<Record<string, string>> = {
  'commander.unknownOption': 'UnknownOption',
  'commander.unknownCommand': 'UnknownCommand',
  'commander.missingArgument': 'MissingArgument',
  'commander.optionMissingArgument': 'MissingOptionValue',
  'commander.missingMandatoryOptionValue': 'MissingOption',
  'commander.invalidArgument': 'InvalidOptionValue',
  'commander.excessArguments': 'UnexpectedArgument',
  'commander.conflictingOption': 'ConflictingOptions',
  // No command at all: commander printed the help on stderr.
  'commander.help': 'CommandRequired',
};

/** A command-line parse failure as the `{ code, message }` of the --json error document. */
export function usageError(error: CommanderError): { code: string; message: string } {
  const code = USAGE_CODES[error.code] ?? 'BadInput';
  const message =
    code === 'CommandRequired'
      ? 'a command is required; `lambda-static-ip --help` lists them'
      : error.message.replace(/^error: /, '');
  return { code, message };
}

/**
 * Whether the command line asks for --json, read from the raw arguments: a line that failed to parse
 * has no parsed options. Arguments after `--` are operands, not options.
 */
export function asksForJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
