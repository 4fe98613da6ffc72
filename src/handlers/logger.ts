import { StaticIpError } from '../core/errors.js';

/** Where log lines go: one JSON document per line. */
export type LogSink = (line: string) => void;

/**
 * Raw stdout. In Lambda, console.log prefixes each line with a timestamp, request id and level, which
 * turns a JSON line into text and an EMF document into nothing; a raw write keeps the line pure JSON.
 */
export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A structured logger: every line carries the level, the message and the fields given at creation. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** A line that is already a JSON document (an EMF line), written as it is. */
  raw(line: string): void;
}

export function createLogger(
  sink: LogSink,
  base: Readonly<Record<string, unknown>>,
  clock: () => number = Date.now,
): Logger {
  return {
    log(level, message, fields = {}) {
      sink(
        JSON.stringify({ timestamp: new Date(clock()).toISOString(), level, message, ...base, ...fields }),
      );
    },
    raw(line) {
      sink(line);
    },
  };
}

/** An error as log fields: the code and message, and the cause's, so nothing is lost in the JSON. */
export function errorFields(error: unknown): Record<string, unknown> {
  const describe = (value: unknown) =>
    value instanceof Error
      ? {
          name: value.name,
          message: value.message,
          ...(value instanceof StaticIpError ? { code: value.code } : {}),
        }
      : { message: String(value) };
  const cause = error instanceof Error ? error.cause : undefined;
  return { error: describe(error), ...(cause === undefined ? {} : { cause: describe(cause) }) };
}
