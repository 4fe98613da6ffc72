import { createAwsClients } from '../src/aws/clients.js';
import { reconcile } from '../src/reconcile/reconcile.js';
import { LOCAL_CREDENTIALS } from '../testbed/index.js';

// Runs one reconcile against the endpoint and prints the peak heap it used, in a process that holds
// nothing else (started by bench/scale.ts with --expose-gc).
const [endpoint, pool] = process.argv.slice(2);
if (!endpoint || !pool) throw new Error('usage: heap-probe <endpoint> <pool>');
const clients = createAwsClients({
  region: 'us-east-1',
  endpointUrl: endpoint,
  credentials: LOCAL_CREDENTIALS,
});
(globalThis as { gc?: () => void }).gc?.();
let peak = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().heapUsed);
}, 1);
const result = await reconcile(clients, { pool });
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().heapUsed);
if (result.initialPlan.actions.length > 0) throw new Error('the heap probe expects a converged pool');
process.stdout.write(JSON.stringify({ peakHeapMb: Math.round((peak / 1024 / 1024) * 10) / 10 }));
