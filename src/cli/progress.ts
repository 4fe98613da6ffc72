/** Where a live progress line is drawn: `process.stderr`, or any stream that says it is a terminal. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  /** The terminal's width; the line is cut to fit, since a wrapped line cannot be redrawn in place. */
  readonly columns?: number;
  write(text: string): unknown;
}

/** What a progress line shows. Counts are optional: a wait has none, only its label and the time spent. */
export interface ProgressState {
  /** What is going on: `applying pool "shop"`, `waiting for the keeper's ENIs`. */
  readonly label: string;
  /** Units finished so far (bindings made, ENIs ready). */
  readonly done?: number;
  /** Units expected; shown as `done/total`. */
  readonly total?: number;
  /** Units that failed; shown only when more than 0. */
  readonly failed?: number;
}

/**
 * A long run's progress, for the person watching: `output.startProgress(label)` in a command (see
 * `Output`), or {@link liveProgress} / {@link plainProgress} directly.
 *
 * On a terminal it is one line on stderr — a spinner, the label, `done/total`, failures and the time
 * spent — redrawn in place and cleared by `stop()`, so it never stays in the scrollback. Anywhere else
 * (a pipe, a CI log, `--json`) the label is printed once as a plain line, each new label too, and counts
 * are not printed at all: logs get a few lines, not hundreds of redraws.
 *
 * ```ts
 * const progress = output.startProgress(`waiting for the ENIs of ${keeper}`);
 * progress.update({ done: ready, total: wanted });      // counts, or a new label
 * progress.log(`${eni} bound to ${ip}`);                // a permanent line, printed above the live one
 * progress.stop();                                       // clears the live line; safe to call twice
 * ```
 *
 * Write nothing else to stderr while it runs (use `log`, or `Output`'s methods, which route through it):
 * a write that bypasses it lands in the middle of the live line.
 */
export interface Progress {
  /** Changes what the line shows: fields not given keep their value. Redraws at once. */
  update(change: Partial<ProgressState>): void;
  /** Prints one line (no trailing newline needed) above the live line, which is then redrawn. */
  log(line: string): void;
  /** Clears the live line and stops redrawing. Idempotent. */
  stop(): void;
}

export interface LiveProgressOptions {
  /** Colour the spinner. @default false */
  readonly color?: boolean;
  /**
   * How often the spinner and the time spent are redrawn while nothing else changes, in milliseconds;
   * 0 redraws only on `update()` and `log()`. The timer never keeps the process alive.
   * @default 100
   */
  readonly intervalMs?: number;
  /** The clock the time spent is measured with. @default Date.now */
  readonly now?: () => number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
/** Carriage return and "erase the whole line": the cursor ends at column 0 of an empty line. */
const CLEAR_LINE = '\r\u001b[2K';
const DEFAULT_COLUMNS = 80;

/** A live line on a terminal stream; see {@link Progress}. */
export function liveProgress(
  stream: ProgressStream,
  label: string,
  options: LiveProgressOptions = {},
): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  let state: ProgressState = { label };
  let frame = 0;
  let stopped = false;
  const draw = () => {
    const spinner = SPINNER[frame % SPINNER.length] as string;
    frame++;
    const width = Math.max((stream.columns ?? DEFAULT_COLUMNS) - 1, 10);
    const line = fitTo(progressLine(state, now() - started), width - 2);
    stream.write(`${CLEAR_LINE}${options.color ? `\u001b[36m${spinner}\u001b[39m` : spinner} ${line}`);
  };
  const intervalMs = options.intervalMs ?? 100;
  const timer = intervalMs > 0 ? setInterval(draw, intervalMs) : undefined;
  timer?.unref();
  draw();
  return {
    update: (change) => {
      if (stopped) return;
      state = { ...state, ...change };
      draw();
    },
    log: (line) => {
      if (stopped) {
        stream.write(`${line}\n`);
        return;
      }
      stream.write(`${CLEAR_LINE}${line}\n`);
      draw();
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      stream.write(CLEAR_LINE);
    },
  };
}

/**
 * The same API for a log or a pipe: each new label once, as a line (`label...`, styled by `styleLabel`),
 * and `log` lines as they come; counts are not printed.
 */
export function plainProgress(
  writeLine: (line: string) => void,
  label: string,
  styleLabel: (label: string) => string = (text) => text,
): Progress {
  let current = label;
  writeLine(styleLabel(`${label}...`));
  return {
    update: (change) => {
      if (change.label !== undefined && change.label !== current) {
        current = change.label;
        writeLine(styleLabel(`${current}...`));
      }
    },
    log: writeLine,
    stop: () => {},
  };
}

/** `label: 12/40, 1 failed (5s)`, as the live line shows it. */
export function progressLine(state: ProgressState, elapsedMs: number): string {
  const counts: string[] = [];
  if (state.done !== undefined)
    counts.push(state.total === undefined ? `${state.done} done` : `${state.done}/${state.total}`);
  if (state.failed) counts.push(`${state.failed} failed`);
  return `${state.label}${counts.length > 0 ? `: ${counts.join(', ')}` : ''} (${formatElapsed(elapsedMs)})`;
}

/** `7s`, `1m05s`, `1h02m`: whole seconds, as a person reads a wait. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Cuts a line to `width` characters, ending it with `…` when cut. */
function fitTo(line: string, width: number): string {
  const characters = [...line];
  return characters.length <= width ? line : `${characters.slice(0, width - 1).join('')}…`;
}
