import type { CliIo } from './io.js';
import { liveProgress, type Progress, plainProgress } from './progress.js';

export interface OutputOptions {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Show `debug()` lines (every AWS call). @default false */
  readonly debug?: boolean;
  readonly color: boolean;
}

type Style = 'bold' | 'dim' | 'green' | 'yellow' | 'red' | 'cyan';
const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  cyan: [36, 39],
};

/**
 * Renders what commands produce. Results go to stdout (with --json: exactly one JSON document);
 * progress, warnings and errors go to stderr, so stdout stays machine-readable.
 */
export class Output {
  #resultWritten = false;
  #progress: Progress | undefined;

  constructor(
    private readonly io: CliIo,
    readonly options: OutputOptions,
  ) {}

  get json(): boolean {
    return this.options.json;
  }

  /** The command's result: `document` with --json, otherwise the human rendering. Ends any progress. */
  result(document: unknown, human: () => string): void {
    if (this.#resultWritten)
      throw new Error('a command wrote two results; --json must print exactly one document');
    this.#resultWritten = true;
    this.stopProgress();
    if (this.options.json) this.io.writeOut(`${JSON.stringify(document, null, 2)}\n`);
    else {
      const text = human();
      if (text) this.io.writeOut(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  get resultWritten(): boolean {
    return this.#resultWritten;
  }

  /**
   * One line of a human result that is written as it happens (a narrative). With --json it goes to
   * stderr instead, so that stdout keeps exactly one document.
   */
  line(text: string): void {
    if (this.options.json) this.#err(text);
    else {
      this.stopProgress();
      this.io.writeOut(`${text}\n`);
    }
  }

  /**
   * Starts showing a long run's progress on stderr (see {@link Progress}) and returns it; feed it with
   * `update()` and `log()`. Live (a spinner, counts, time spent, redrawn in place) only when stderr is a
   * terminal and there is no --json; otherwise the label is printed once as a line. Starting another,
   * writing the result or finishing the command stops it, so a command need not call `stop()` itself.
   */
  startProgress(label: string): Progress {
    this.stopProgress();
    if (!this.io.stderrIsTty || this.options.json) {
      return plainProgress(
        (line) => this.io.writeErr(`${line}\n`),
        label,
        (text) => this.style('dim', text),
      );
    }
    const progress = liveProgress(
      { isTTY: true, columns: this.io.stderrColumns, write: (text) => this.io.writeErr(text) },
      label,
      { color: this.options.color },
    );
    // Every other stderr line now goes through it, above the live line.
    this.#progress = progress;
    return {
      update: (change) => progress.update(change),
      log: (line) => progress.log(line),
      stop: () => {
        progress.stop();
        if (this.#progress === progress) this.#progress = undefined;
      },
    };
  }

  /** Stops the progress shown, if any (its live line is cleared). */
  stopProgress(): void {
    this.#progress?.stop();
    this.#progress = undefined;
  }

  /** A short line about long work, on stderr. */
  progress(message: string): void {
    this.#err(this.style('dim', message));
  }

  /** Detail only shown with --verbose, on stderr. */
  verbose(message: string): void {
    if (this.options.verbose) this.#err(this.style('dim', message));
  }

  /** Diagnostics only shown with --debug (every AWS call), on stderr. */
  debug(message: string): void {
    if (this.options.debug) this.#err(this.style('dim', `debug: ${message}`));
  }

  warn(message: string): void {
    this.#err(`${this.style('yellow', 'warning:')} ${message}`);
  }

  error(message: string): void {
    this.#err(`${this.style('red', 'error:')} ${message}`);
  }

  /** One line on stderr, above the live progress line when there is one. */
  #err(line: string): void {
    if (this.#progress) this.#progress.log(line);
    else this.io.writeErr(`${line}\n`);
  }

  style(style: Style, text: string): string {
    if (!this.options.color) return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }
}
