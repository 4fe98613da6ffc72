import { renderTable } from '../src/cli/table.js';
import { createControllerHandler } from '../src/handlers/controller.js';
import { reconcile } from '../src/reconcile/reconcile.js';
import { buildSafetyWorld, POOL, readState } from '../test/support/safety-world.js';
import { auditAssociations, type LocalAws, lambdaContext } from '../testbed/index.js';

/** One configuration: how many runs at once (how many of them the controller), and how stale reads are. */
export interface ConcurrencyConfig {
  readonly runs: number;
  readonly controllers: number;
  readonly staleMs: number;
}

/** What the trials of one configuration showed, summed over trials. */
export interface ConcurrencyRow extends ConcurrencyConfig {
  readonly trials: number;
  /** A pool IP pushed off a pool ENI by a second association. */
  readonly displacements: number;
  /** Pool ENIs whose IP changed from one pool IP to another, or went. */
  readonly changedEnis: number;
  /** Pool ENIs left without exactly one pool IP once every run ended. */
  readonly enisNotOneIp: number;
  /** Associations that bound an address already on that ENI again (two runs agreeing): harmless. */
  readonly repeatedBindings: number;
  /** Addresses allocated beyond what one run alone allocates; they stay free in the pool, as spares. */
  readonly extraAllocations: number;
  /** Runs that ended not converged (exit 1 for `apply`). */
  readonly unconvergedRuns: number;
  readonly released: number;
}

export interface ConcurrencyReport {
  readonly concurrency: ConcurrencyRow[];
}

export const CONCURRENCY_CONFIGS: readonly ConcurrencyConfig[] = [
  { runs: 2, controllers: 1, staleMs: 0 },
  { runs: 2, controllers: 1, staleMs: 2_000 },
  { runs: 4, controllers: 1, staleMs: 0 },
  { runs: 4, controllers: 1, staleMs: 500 },
  { runs: 4, controllers: 1, staleMs: 2_000 },
  { runs: 8, controllers: 2, staleMs: 0 },
  { runs: 8, controllers: 2, staleMs: 500 },
  { runs: 8, controllers: 2, staleMs: 2_000 },
  { runs: 8, controllers: 2, staleMs: 5_000 },
];

const MAX_IPS = 30;

/**
 * Concurrent reconciles (`apply` and the controller's schedule, mixed) on the safety world of
 * test/safety, under seeded stale reads, each configuration over several seeds. Outcomes come from the
 * local AWS's association log and its end state, read fresh.
 */
export async function runConcurrency(
  aws: LocalAws,
  log: (line: string) => void,
  trials = 5,
): Promise<ConcurrencyReport> {
  await aws.configure({ eipQuota: 60 });
  const concurrency: ConcurrencyRow[] = [];
  for (const config of CONCURRENCY_CONFIGS) {
    const totals = {
      displacements: 0,
      changedEnis: 0,
      enisNotOneIp: 0,
      repeatedBindings: 0,
      extraAllocations: 0,
      unconvergedRuns: 0,
      released: 0,
    };
    for (let trial = 0; trial < trials; trial++) {
      const world = await buildSafetyWorld(aws, { newFunctions: 4 });
      const needing = world.poolEnis().filter((eni) => !world.before.poolIpsByEni.has(eni)).length;
      // The safety world has one free pool IP and one on a retired ENI: the rest must be allocated.
      const needed = Math.max(0, needing - 2);
      await aws.configure({ staleReads: { maxMs: config.staleMs, seed: 1000 * config.runs + trial } });
      const clients = aws.clients();
      const applies = Array.from({ length: config.runs - config.controllers }, () =>
        reconcile(clients, { pool: POOL, allocate: true, maxIps: MAX_IPS }).then(
          (result) => result.converged,
        ),
      );
      const controllers = Array.from({ length: config.controllers }, (_, index) =>
        createControllerHandler({
          clients,
          environment: { LSI_POOL: POOL, LSI_ALLOCATE: 'true', LSI_MAX_IPS: String(MAX_IPS) },
          log: () => {},
        })(
          { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {}, resources: [] },
          lambdaContext({ requestId: `bench-${index}` }),
        ).then((response) => 'converged' in response && response.converged),
      );
      const converged = await Promise.all([...applies, ...controllers].map((run) => run.catch(() => false)));
      await aws.configure({ staleReads: {} });
      const after = await readState(aws);
      const mark = (world.before.events.at(-1)?.seq ?? -1) + 1;
      const events = after.events.filter((event) => event.seq >= mark);
      const poolEnis = new Set(world.poolEnis());
      const audit = auditAssociations(
        events,
        poolEnis,
        new Set(after.poolAddresses.map((address) => address.AllocationId ?? '')),
        new Map([...world.before.poolIpsByEni].map(([eni, ips]) => [eni, ips[0] ?? ''])),
      );
      const bindings = new Set(
        events
          .filter((event) => event.event === 'associated' && poolEnis.has(event.networkInterfaceId ?? ''))
          .map((event) => `${event.allocationId}|${event.networkInterfaceId}`),
      );
      totals.displacements += audit.displacements.length;
      totals.changedEnis += new Set([
        ...audit.changed.keys(),
        ...audit.takenOff.flatMap((event) => [event.networkInterfaceId ?? event.movedFrom ?? '']),
      ]).size;
      totals.enisNotOneIp += [...poolEnis].filter(
        (eni) => (after.poolIpsByEni.get(eni) ?? []).length !== 1,
      ).length;
      totals.repeatedBindings += Math.max(0, audit.associations - bindings.size);
      totals.extraAllocations += Math.max(
        0,
        after.poolAddresses.length - world.before.poolAddresses.length - needed,
      );
      totals.unconvergedRuns += converged.filter((done) => !done).length;
      totals.released += audit.released.length;
    }
    const row = { ...config, trials, ...totals };
    log(
      `concurrency: ${config.runs} runs (${config.controllers} controller), reads up to ${config.staleMs} ms stale: ` +
        `${row.displacements} displacement(s), ${row.extraAllocations} extra allocation(s) over ${trials} trials`,
    );
    concurrency.push(row);
  }
  return { concurrency };
}

export function renderConcurrency(report: ConcurrencyReport): string {
  return [
    'Concurrency: runs at once on the safety world (apply and the controller, mixed), reads up to N ms stale; sums over trials',
    renderTable(
      [
        'RUNS',
        'STALE READS',
        'TRIALS',
        'DISPLACEMENTS',
        'ENIS CHANGED',
        'ENIS NOT 1 IP',
        'REPEATED BINDS',
        'EXTRA ALLOCATIONS',
        'UNCONVERGED RUNS',
        'RELEASED',
      ],
      report.concurrency.map((row) => [
        `${row.runs} (${row.controllers} controller)`,
        `${row.staleMs} ms`,
        String(row.trials),
        String(row.displacements),
        String(row.changedEnis),
        String(row.enisNotOneIp),
        String(row.repeatedBindings),
        String(row.extraAllocations),
        String(row.unconvergedRuns),
        String(row.released),
      ]),
    ),
  ].join('\n');
}
