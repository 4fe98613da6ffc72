import { recordCalls } from '../src/aws/call-recorder.js';
import type { AwsClients } from '../src/aws/clients.js';

/** Counts every AWS call made through a set of clients, by `Service:Operation` (each page counts). */
export class CallCounter {
  readonly #counts = new Map<string, number>();

  /** Records the clients' calls from now on; returns the same clients. */
  attach(clients: AwsClients): AwsClients {
    return recordCalls(clients, ({ service, operation }) => {
      const key = `${service}:${operation}`;
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    });
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
