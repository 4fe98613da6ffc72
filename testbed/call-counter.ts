import type { HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments } from '@smithy/types';
import type { AwsClients } from '../src/aws/clients.js';

interface MiddlewareHost {
  middlewareStack: {
    add(
      middleware: (
        next: InitializeHandler<object, object>,
        context: HandlerExecutionContext,
      ) => InitializeHandler<object, object>,
      options: { step: 'initialize'; name: string; override: boolean },
    ): void;
  };
}

/** Counts every AWS call made through a set of clients, by `Service:Operation`. */
export class CallCounter {
  readonly #counts = new Map<string, number>();

  /** Adds the counting middleware to every client of the set. */
  attach(clients: AwsClients): AwsClients {
    for (const [service, client] of Object.entries(clients)) {
      (client as unknown as MiddlewareHost).middlewareStack.add(
        (next, context) => async (args: InitializeHandlerArguments<object>) => {
          const key = `${service}:${String(context.commandName ?? 'unknown').replace(/Command$/, '')}`;
          this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
          return next(args);
        },
        { step: 'initialize', name: 'lsiBenchCallCounter', override: true },
      );
    }
    return clients;
  }

  reset(): void {
    this.#counts.clear();
  }

  /** Calls by operation, sorted, and their total. */
  snapshot(): { byOperation: Record<string, number>; total: number } {
    const byOperation = Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
    return { byOperation, total: [...this.#counts.values()].reduce((sum, n) => sum + n, 0) };
  }
}
