import { recordCalls } from '../src/aws/call-recorder.js';
import type { AwsClients } from '../src/aws/clients.js';

const READ_OPERATION = /^(Describe|List|Get)/;

/** Counts every AWS call made through a set of clients, by `Service:Operation` (each page counts). */
export class CallCounter {
  readonly #counts = new Map<string, number>();
  #writes = 0;

  /** Records the clients' calls from now on; returns the same clients. */
  attach(clients: AwsClients): AwsClients {
    return recordCalls(clients, ({ service, operation }) => {
      const key = `${service}:${operation}`;
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
      if (!READ_OPERATION.test(operation)) this.#writes++;
    });
  }

  /** Calls that may change something (every operation but Describe*, List* and Get*), attempted or done. */
  get writes(): number {
    return this.#writes;
  }

  reset(): void {
    this.#counts.clear();
    this.#writes = 0;
  }

  /** Calls by operation, sorted, and their total. */
  snapshot(): { byOperation: Record<string, number>; total: number } {
    const byOperation = Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
    return { byOperation, total: [...this.#counts.values()].reduce((sum, n) => sum + n, 0) };
  }
}
