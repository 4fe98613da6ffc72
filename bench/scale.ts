import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  DescribeAddressesCommand,
  DisassociateAddressCommand,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import { allocatePoolAddress } from '../src/aws/addresses.js';
import { recordCalls } from '../src/aws/call-recorder.js';
import type { AwsClients } from '../src/aws/clients.js';
import { renderTable } from '../src/cli/table.js';
import { POOL_TAG_KEY } from '../src/core/pool.js';
import { createControllerHandler } from '../src/handlers/controller.js';
import { reconcile } from '../src/reconcile/reconcile.js';
import {
  CallCounter,
  type CloudTrailEvent,
  createVpcFixture,
  LambdaSimulator,
  type LocalAws,
  lambdaContext,
  seededRandom,
} from '../testbed/index.js';
import { baselineReconcile } from './baseline.js';

const POOL = 'scale';
const SUBNETS = 3;
const GROUPS = 5;

/** One measured phase: AWS calls by operation, their total, and wall time. */
export interface PhaseFigures {
  readonly calls: Record<string, number>;
  readonly totalCalls: number;
  readonly wallMs: number;
}

export interface MethodFigures extends PhaseFigures {
  /** first: binding an empty pool; noop: a resync with nothing to do; replaced: after 10% of ENIs were replaced. */
  readonly phases: {
    readonly first: PhaseFigures;
    readonly noop: PhaseFigures;
    readonly replaced: PhaseFigures;
  };
}

export interface ScaleRow {
  readonly functions: number;
  readonly enis: number;
  readonly ours: MethodFigures;
  readonly baseline: MethodFigures;
}

/** The controller's AWS calls with its view of the pool (issue 20), on a converged world. */
export interface ResyncRow {
  readonly functions: number;
  /** A scheduled run between full refreshes: the pool's addresses and its VPCs' Lambda ENIs. */
  readonly callsPerQuietMinute: number;
  /** From a CreateNetworkInterface event to its AssociateAddress, that call included (the fast path). */
  readonly callsPerEniEvent: number;
  /** The whole run of that event: the fast path, then the reconcile from the view. */
  readonly callsPerEniEventRun: number;
  /** A full observation: a cold container, or every LSI_FULL_REFRESH_SECONDS. */
  readonly callsPerFullRefresh: number;
}

export interface ScaleReport {
  readonly scale: ScaleRow[];
  readonly resync: ResyncRow[];
  /** Peak heap of a process doing a no-op resync of the largest size (the controller's situation). */
  readonly peakHeapMb: number;
}

/**
 * The controller's resync figures alone (`bench --only resync`): each world is bound by one reconcile,
 * then measured as in `runScale`, without the per-function baseline that takes most of the bench's time.
 */
export async function runResync(
  aws: LocalAws,
  sizes: readonly number[],
  log: (line: string) => void,
  seed = 42,
): Promise<{ resync: ResyncRow[] }> {
  const resync: ResyncRow[] = [];
  for (const size of [...sizes].filter((size) => RESYNC_SIZES.has(size)).sort((a, b) => a - b)) {
    log(`resync: building ${size} functions...`);
    const world = await buildWorld(aws, size, seed);
    const bound = await reconcile(aws.clients(), { pool: POOL });
    if (!bound.converged) throw new Error(`reconcile did not converge at ${size} functions`);
    resync.push(await measureResync(aws, world, size, log));
  }
  return { resync };
}

/** The sizes the controller's resync is measured at (when asked for). */
const RESYNC_SIZES = new Set([100, 1000, 3000]);

/**
 * Reconcile cost as the account grows: ours (a constant number of paged reads) against the per-function
 * baseline, on the same simulated world, for each size.
 */
export async function runScale(
  aws: LocalAws,
  sizes: readonly number[],
  log: (line: string) => void,
  seed = 42,
): Promise<ScaleReport> {
  const rows: ScaleRow[] = [];
  const resync: ResyncRow[] = [];
  for (const size of [...sizes].sort((a, b) => a - b)) {
    log(`scale: building ${size} functions...`);
    const world = await buildWorld(aws, size, seed);
    const counter = new CallCounter();
    const clients = counter.attach(aws.clients());
    const random = seededRandom(seed + size);

    const ours = await measureMethod(counter, world, random, log, `ours @${size}`, () =>
      reconcile(clients, { pool: POOL }).then((result) => {
        if (!result.converged) throw new Error(`reconcile did not converge at ${size} functions`);
      }),
    );
    await emptyPool(aws.clients(), world.enis);
    const baseline = await measureMethod(counter, world, random, log, `baseline @${size}`, () =>
      baselineReconcile(clients, world.functionNames, POOL),
    );
    rows.push({ functions: size, enis: world.sim.enis().length, ours, baseline });
    // The baseline left every ENI bound: the converged world the controller mostly sees.
    if (RESYNC_SIZES.has(size)) resync.push(await measureResync(aws, world, size, log));
  }
  // The local AWS still holds the largest world, converged: measure a no-op resync of it.
  log('scale: measuring the heap of a no-op resync in a fresh process...');
  const peakHeapMb = rows.length > 0 ? await measureHeap(aws) : 0;
  return { scale: rows, resync, peakHeapMb };
}

interface World {
  readonly sim: LambdaSimulator;
  readonly functionNames: string[];
  readonly subnetIds: readonly string[];
  readonly enis: number;
}

/**
 * The real controller handler in one container, on a converged world: its first scheduled run (a cold
 * container observes in full), the next one (from its view), then the CreateNetworkInterface event of a
 * pool function's new ENI (a scale-out), with one free pool IP for it.
 */
async function measureResync(
  aws: LocalAws,
  world: World,
  size: number,
  log: (line: string) => void,
): Promise<ResyncRow> {
  const sequence: string[] = [];
  const clients = recordCalls(aws.clients(), (call) => sequence.push(call.operation));
  const handler = createControllerHandler({ clients, environment: { LSI_POOL: POOL }, log: () => {} });
  const context = lambdaContext({ requestId: `bench-${size}` });
  const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
  const calls = async (event: unknown) => {
    sequence.length = 0;
    await handler(event, context);
    return [...sequence];
  };
  const callsPerFullRefresh = (await calls(scheduled)).length;
  const callsPerQuietMinute = (await calls(scheduled)).length;

  await allocatePoolAddress(aws.clients().ec2, POOL);
  const events: CloudTrailEvent[] = [];
  world.sim.onCloudTrailEvent((event) => events.push(event));
  const [eniId] = await world.sim.scaleOut(world.functionNames[0] as string, world.subnetIds[0]);
  const event = events.find(
    (candidate) =>
      candidate.detail.eventName === 'CreateNetworkInterface' &&
      JSON.stringify(candidate.detail.responseElements).includes(`"${eniId}"`),
  );
  if (!event) throw new Error(`no CreateNetworkInterface event for ${eniId}`);
  const eniRun = await calls(event);
  const associated = eniRun.indexOf('AssociateAddress');
  if (associated === -1) throw new Error(`the controller did not bind ${eniId} from its event`);
  const row = {
    functions: size,
    callsPerQuietMinute,
    callsPerEniEvent: associated + 1,
    callsPerEniEventRun: eniRun.length,
    callsPerFullRefresh,
  };
  log(
    `  controller @${size}: ${row.callsPerQuietMinute} calls a quiet minute, ${row.callsPerEniEvent} to bind from an ENI event (${row.callsPerEniEventRun} in its run), ${row.callsPerFullRefresh} a full refresh`,
  );
  return row;
}

/** size functions over 3 public subnets, each with 1-3 of 5 security groups: many share ENIs. */
async function buildWorld(aws: LocalAws, size: number, seed: number): Promise<World> {
  await aws.reset();
  const clients = aws.clients();
  const vpc = await createVpcFixture(clients.ec2, {
    publicSubnets: SUBNETS,
    privateSubnets: 0,
    securityGroups: GROUPS,
  });
  const sim = new LambdaSimulator({ localAws: aws, autoSample: false, timings: { eniSwitchMs: 0 } });
  const random = seededRandom(seed);
  const functionNames: string[] = [];
  for (let index = 0; index < size; index++) {
    const count = 1 + Math.floor(random() * 3);
    const groups = [...vpc.securityGroupIds].sort(() => random() - 0.5).slice(0, count);
    const name = `fn-${String(index).padStart(5, '0')}`;
    await sim.createFunction({
      name,
      subnetIds: vpc.publicSubnetIds,
      securityGroupIds: groups,
      tags: { [POOL_TAG_KEY]: POOL },
    });
    functionNames.push(name);
  }
  await sim.advance(0);
  const enis = sim.enis().length;
  // The pool exists before the first reconcile (as StaticIpPool leaves it): one free tagged IP per ENI.
  await aws.configure({ eipQuota: enis * 3 + 10 });
  await allocatePool(clients, enis);
  return { sim, functionNames, subnetIds: vpc.publicSubnetIds, enis };
}

async function measureMethod(
  counter: CallCounter,
  world: World,
  random: () => number,
  log: (line: string) => void,
  label: string,
  run: () => Promise<void>,
): Promise<MethodFigures> {
  const measure = async (phase: string): Promise<PhaseFigures> => {
    counter.reset();
    const started = performance.now();
    await run();
    const wallMs = Math.round(performance.now() - started);
    const { byOperation, total } = counter.snapshot();
    log(`  ${label} ${phase}: ${total} calls, ${wallMs} ms`);
    return { calls: byOperation, totalCalls: total, wallMs };
  };
  const first = await measure('first');
  const noop = await measure('noop');
  const enis = world.sim.enis();
  const replaced = Math.max(1, Math.round(enis.length / 10));
  for (const eni of [...enis].sort(() => random() - 0.5).slice(0, replaced))
    await world.sim.replaceEni(eni.id);
  await world.sim.advance(0);
  const afterReplacement = await measure('replaced');
  const phases = { first, noop, replaced: afterReplacement };
  const calls: Record<string, number> = {};
  for (const phase of Object.values(phases)) {
    for (const [operation, count] of Object.entries(phase.calls))
      calls[operation] = (calls[operation] ?? 0) + count;
  }
  return {
    calls,
    totalCalls: first.totalCalls + noop.totalCalls + afterReplacement.totalCalls,
    wallMs: first.wallMs + noop.wallMs + afterReplacement.wallMs,
    phases,
  };
}

async function allocatePool(clients: AwsClients, count: number): Promise<void> {
  for (let index = 0; index < count; index++) await allocatePoolAddress(clients.ec2, POOL);
}

/** Gives the baseline the same start: every pool IP free again, one per ENI. */
async function emptyPool(clients: AwsClients, enis: number): Promise<void> {
  const addresses = (await clients.ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  for (const address of addresses) {
    if (address.AssociationId)
      await clients.ec2.send(new DisassociateAddressCommand({ AssociationId: address.AssociationId }));
    await clients.ec2.send(new ReleaseAddressCommand({ AllocationId: address.AllocationId }));
  }
  await allocatePool(clients, enis);
}

/** Runs a no-op resync in a fresh process and reports its peak heap, as the controller Lambda would see it. */
function measureHeap(aws: LocalAws): Promise<number> {
  const probe = fileURLToPath(new URL('./heap-probe.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', probe, aws.endpoint, POOL], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`heap probe exited ${code}`));
      else resolve((JSON.parse(out) as { peakHeapMb: number }).peakHeapMb);
    });
  });
}

export function renderScale(report: ScaleReport): string {
  const ratio = (ours: number, baseline: number) =>
    baseline === 0 ? '-' : `1/${(baseline / Math.max(ours, 1)).toFixed(1)}`;
  const phases = (figures: MethodFigures, key: 'totalCalls' | 'wallMs') =>
    `${figures.phases.first[key]} / ${figures.phases.noop[key]} / ${figures.phases.replaced[key]}`;
  return [
    'Scale: AWS calls and wall time per reconcile (first bind / no-op resync / after 10% of ENIs replaced)',
    renderTable(
      ['FUNCTIONS', 'ENIS', 'OURS CALLS', 'BASELINE CALLS', 'CALLS', 'OURS MS', 'BASELINE MS', 'TIME'],
      report.scale.map((row) => [
        String(row.functions),
        String(row.enis),
        phases(row.ours, 'totalCalls'),
        phases(row.baseline, 'totalCalls'),
        ratio(row.ours.totalCalls, row.baseline.totalCalls),
        phases(row.ours, 'wallMs'),
        phases(row.baseline, 'wallMs'),
        ratio(row.ours.wallMs, row.baseline.wallMs),
      ]),
    ),
    `Peak heap of a no-op resync of the largest size: ${report.peakHeapMb} MB.`,
    ...(report.resync.length === 0 ? [] : ['', renderResync(report.resync)]),
  ].join('\n');
}

export function renderResync(rows: readonly ResyncRow[]): string {
  return [
    'Controller with its view of the pool: AWS calls per scheduled run between full refreshes, from an ENI event to its AssociateAddress (whole run), per full refresh',
    renderTable(
      ['FUNCTIONS', 'QUIET MINUTE', 'ENI EVENT', 'FULL REFRESH'],
      rows.map((row) => [
        String(row.functions),
        String(row.callsPerQuietMinute),
        `${row.callsPerEniEvent} (${row.callsPerEniEventRun})`,
        String(row.callsPerFullRefresh),
      ]),
    ),
  ].join('\n');
}
