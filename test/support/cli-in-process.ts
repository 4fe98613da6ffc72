import type { AwsClientOptions, AwsClients } from '../../src/aws/clients.js';
import { createAwsClients } from '../../src/aws/clients.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import type { CliRun } from './cli.js';

/**
 * Runs the CLI in this process with SDK clients built from `clientOptions` (and `prepare`d, e.g. to
 * record calls): the same program as the binary, without a process start per command.
 */
export async function runCliInProcess(
  args: readonly string[],
  options: { clientOptions: AwsClientOptions; prepare?: (clients: AwsClients) => AwsClients },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    writeOut: (text) => {
      stdout += text;
    },
    writeErr: (text) => {
      stderr += text;
    },
    interactive: false,
    stdoutIsTty: false,
    env: {},
    ask: async () => '',
  };
  const code = await runCli(args, {
    io,
    clients: () => {
      const clients = createAwsClients(options.clientOptions);
      return options.prepare ? options.prepare(clients) : clients;
    },
  });
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
