import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** A finished Node process: its exit code and everything it wrote. */
export interface NodeRun {
  readonly code: number;
  /** The signal that ended the process, if one did. */
  readonly signal?: NodeJS.Signals;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRun extends NodeRun {
  /** stdout parsed as the one JSON document --json promises (throws if it is not exactly one). */
  json<T = Record<string, unknown>>(): T;
}

export interface RunOptions {
  /** The whole environment of the process (nothing is inherited). */
  readonly env?: Record<string, string | undefined>;
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Sees stderr as it arrives (all of it so far), e.g. to kill the process at a given point. */
  readonly onStderr?: (stderr: string, child: ChildProcess) => void;
  /** @default the test process's working directory */
  readonly cwd?: string;
}

/** Runs `node <args>` with no terminal attached and only the environment given. */
export function runNode(args: readonly string[], options: RunOptions = {}): Promise<NodeRun> {
  return runProcess(process.execPath, args, options);
}

/** Runs a command with no terminal attached and only the environment given; killed after the timeout. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      env: options.env ?? {},
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, ...(signal ? { signal } : {}), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the real `lambda-static-ip` binary (as built by the global setup) with no terminal attached. */
export async function runBinary(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const run = await runNode([BIN, ...args], {
    ...options,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      ...options.env,
    },
  });
  return { ...run, json: <T>() => JSON.parse(run.stdout) as T };
}
