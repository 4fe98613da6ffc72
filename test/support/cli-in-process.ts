import type { AwsClientOptions, AwsClients } from '../../src/aws/clients.js';
import { createAwsClients } from '../../src/aws/clients.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import type { CliRun } from './cli.js';

/** What the in-process CLI sees of its process: no terminal and an empty environment unless given. */
export type InProcessIo = Partial<Pick<CliIo, 'env' | 'stdoutIsTty' | 'stderrIsTty' | 'stderrColumns'>>;

/**
 * Runs the CLI in this process with SDK clients built from `clientOptions` (and `prepare`d, e.g. to
 * record calls): the same program as the binary, without a process start per command. What the CLI
 * resolves itself (the Region from --region or `io.env`, --profile, --endpoint-url) overrides
 * `clientOptions`.
 */
export async function runCliInProcess(
  args: readonly string[],
  options: {
    clientOptions: AwsClientOptions;
    prepare?: (clients: AwsClients) => AwsClients;
    io?: InProcessIo;
  },
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
    stderrIsTty: false,
    env: {},
    ask: async () => '',
    ...options.io,
  };
  const code = await runCli(args, {
    io,
    clients: (resolved) => {
      const clients = createAwsClients({ ...options.clientOptions, ...resolved });
      return options.prepare ? options.prepare(clients) : clients;
    },
  });
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
