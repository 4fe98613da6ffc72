import { createInterface } from 'node:readline/promises';

/** Where the CLI reads and writes: the process, or a recording in tests. */
export interface CliIo {
  /** Results only: tables, or exactly one JSON document. */
  writeOut(text: string): void;
  /** Progress, warnings and errors. */
  writeErr(text: string): void;
  /** True when a person can answer a prompt (stdin and stderr are terminals). */
  readonly interactive: boolean;
  /** True when stdout is a terminal, so colour may be used. */
  readonly stdoutIsTty: boolean;
  /** True when stderr is a terminal, so progress may be drawn live there. */
  readonly stderrIsTty: boolean;
  /** The stderr terminal's width, when known. */
  readonly stderrColumns?: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asks a question on stderr and reads one line of answer. */
  ask(question: string): Promise<string>;
}

export function processIo(): CliIo {
  return {
    writeOut: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    stdoutIsTty: Boolean(process.stdout.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
    get stderrColumns() {
      return process.stderr.columns;
    },
    env: process.env,
    ask: async (question) => {
      const readline = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await readline.question(question);
      } finally {
        readline.close();
      }
    },
  };
}
