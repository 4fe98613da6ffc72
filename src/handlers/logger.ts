import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogLevel } from '@aws-lambda-powertools/logger/types';

/** Where log lines go: one JSON document per line. */
export type LogSink = (line: string) => void;

/**
 * Raw stdout, as Powertools writes by default. In Lambda, console.log prefixes each line with a timestamp,
 * request id and level, which turns a JSON line into text and an EMF document into nothing; a raw write
 * keeps the line pure JSON.
 */
export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export interface HandlerLoggerOptions {
  /** Powertools' `service` key. @default POWERTOOLS_SERVICE_NAME, else the handler's own name */
  readonly serviceName: string;
  /** @default raw stdout */
  readonly sink?: LogSink;
  /**
   * The handler's environment (process.env in Lambda). Its POWERTOOLS_LOG_LEVEL (or LOG_LEVEL) sets the
   * level; Lambda's own log-level setting (AWS_LAMBDA_LOG_LEVEL, advanced logging controls) wins over it,
   * as Powertools decides. @default process.env
   */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/** The sink of the logger being constructed: Powertools prints its own early lines from the constructor. */
let constructingSink: LogSink | undefined;

/**
 * A Powertools Logger (structured JSON, level threshold, Lambda context keys, error formatting) whose
 * finished lines go to a sink: the same stream as the EMF lines, so tests read both in order.
 * `printLog` is the documented extension point for where a line goes; everything before it is Powertools'.
 */
class SinkLogger extends Logger {
  declare private sink: LogSink | undefined;

  constructor(sink: LogSink, options: ConstructorOptions) {
    constructingSink = sink;
    try {
      super(options);
    } finally {
      constructingSink = undefined;
    }
    this.sink = sink;
  }

  protected override printLog(_level: number, log: LogItem): void {
    log.prepareForPrint();
    const sink = this.sink ?? constructingSink ?? stdoutSink;
    sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

export function createHandlerLogger(options: HandlerLoggerOptions): Logger {
  const environment = options.environment ?? process.env;
  const level = environment.POWERTOOLS_LOG_LEVEL || environment.LOG_LEVEL;
  return new SinkLogger(options.sink ?? stdoutSink, {
    serviceName: environment.POWERTOOLS_SERVICE_NAME || options.serviceName,
    ...(level ? { logLevel: level.toUpperCase() as LogLevel } : {}),
  });
}
