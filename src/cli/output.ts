import type { CliIo } from './io.js';

export interface OutputOptions {
  readonly json: boolean;
  readonly verbose: boolean;
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

  constructor(
    private readonly io: CliIo,
    readonly options: OutputOptions,
  ) {}

  get json(): boolean {
    return this.options.json;
  }

  /** The command's result: `document` with --json, otherwise the human rendering. */
  result(document: unknown, human: () => string): void {
    if (this.#resultWritten)
      throw new Error('a command wrote two results; --json must print exactly one document');
    this.#resultWritten = true;
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
    if (this.options.json) this.io.writeErr(`${text}\n`);
    else this.io.writeOut(`${text}\n`);
  }

  /** Progress on long work, on stderr. */
  progress(message: string): void {
    this.io.writeErr(`${this.style('dim', message)}\n`);
  }

  /** Detail only shown with --verbose, on stderr. */
  verbose(message: string): void {
    if (this.options.verbose) this.io.writeErr(`${this.style('dim', message)}\n`);
  }

  warn(message: string): void {
    this.io.writeErr(`${this.style('yellow', 'warning:')} ${message}\n`);
  }

  error(message: string): void {
    this.io.writeErr(`${this.style('red', 'error:')} ${message}\n`);
  }

  style(style: Style, text: string): string {
    if (!this.options.color) return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }
}
