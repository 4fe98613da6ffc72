import {
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
  type NetworkInterfaceCreationType,
} from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  type LambdaClient,
  PublishVersionCommand,
  paginateListFunctions,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { createIamClient } from '../src/aws/clients.js';
import { type CloudTrailEvent, cloudTrailEvent } from './cloudtrail-events.js';
import { ensureExecutionRole } from './fixtures.js';
import { distinctGroups, type HyperplanePlacement, sharesHyperplaneEni } from './hyperplane-placement.js';
import type { LocalAws } from './local-aws.js';
import { seededRandom } from './seeded-random.js';
import { type ServingEni, Timeline } from './timeline.js';
import { DEFAULT_TIMINGS } from './timings.js';
import { NOTHING_CHANGED, VirtualClock } from './virtual-clock.js';

/** A function's network placement, as in the Lambda API's VpcConfig. */
export interface SimVpcConfig {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

/** Durations AWS does not publish, as parameters (defaults, ranges and sources: `testbed/timings.ts`). */
export interface SimulatorTimings {
  /** From Lambda creating a combination's ENI to traffic using it (creation, VPC change, scale-out, restore). @default 90000 */
  readonly eniSwitchMs?: number;
  /** From an ENI losing its last user to Lambda deleting it (AWS: up to 20 min). @default 1200000 */
  readonly eniDeletionDelayMs?: number;
}

export interface LambdaSimulatorOptions {
  readonly localAws: LocalAws;
  /** @default the local AWS's default Region */
  readonly region?: string;
  /** @default a new VirtualClock */
  readonly clock?: VirtualClock;
  readonly timings?: SimulatorTimings;
  /** Seeds the ENI description suffixes, so that runs are reproducible. @default 1 */
  readonly seed?: number;
  /**
   * Sample the timeline after every change (one DescribeAddresses each). Benchmarks that build thousands
   * of functions turn it off and call `sample()` themselves. @default true
   */
  readonly autoSample?: boolean;
}

export interface CreateSimFunctionInput {
  readonly name: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  /** An execution role ARN. @default a role the simulator creates once */
  readonly role?: string;
}

/** The simulator's view of one function, for assertions and narratives. */
export interface SimFunctionView {
  readonly name: string;
  readonly arn: string;
  readonly config: SimVpcConfig;
  readonly state: FunctionState;
  readonly lastUpdateStatus: UpdateStatus;
  readonly versions: ReadonlyMap<string, SimVpcConfig>;
  /** Alias name → the version it points to (`$LATEST` or a number). */
  readonly aliases: ReadonlyMap<string, string>;
  /** The ENIs that carry the function's (`$LATEST`'s) traffic now (empty while Pending or Inactive). */
  readonly servingEniIds: readonly string[];
}

export interface SimEniView {
  readonly id: string;
  readonly subnetId: string;
  readonly securityGroupIds: readonly string[];
  readonly createdAt: number;
  /** When traffic may start using it (creation + eniSwitchMs). */
  readonly readyAt: number;
  /** Set once nothing uses its combination any more and deletion is scheduled. */
  readonly deletingAt?: number;
}

type FunctionState = 'Pending' | 'Active' | 'Inactive';
type UpdateStatus = 'Successful' | 'InProgress';

interface SimFunction {
  readonly name: string;
  arn: string;
  config: SimVpcConfig;
  /** The configuration traffic uses; undefined while the function serves nothing. */
  serving: SimVpcConfig | undefined;
  state: FunctionState;
  stateReasonCode: string | undefined;
  lastUpdateStatus: UpdateStatus;
  readonly versions: Map<string, SimVpcConfig>;
  readonly aliases: Map<string, string>;
}

interface SimEni {
  readonly id: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly securityGroupIds: readonly string[];
  readonly createdAt: number;
  readonly readyAt: number;
  deletingAt?: number;
}

/** An invocation's outcome, as the Lambda Invoke API would report it. */
export type SimInvokeResult =
  | { readonly ok: true; readonly egressIps: readonly (string | undefined)[] }
  | { readonly ok: false; readonly error: 'ResourceNotReadyException' | 'ResourceNotFoundException' };

/** The Lambda API's answer while an update is in progress. */
export class ResourceConflictError extends Error {
  override readonly name = 'ResourceConflictException';
}

const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
const SIM_ROLE_NAME = 'lambda-static-ip-simulator-execution';

/**
 * Plays the Lambda service against the local AWS: it owns the Hyperplane ENIs (one per subnet and
 * security-group set, shared), moves functions through Pending / InProgress / Inactive as AWS reports
 * them, and records on a virtual clock which ENIs serve each function, version and alias, and where
 * their traffic leaves the VPC.
 *
 * Everything it does is visible through the ordinary EC2 and Lambda APIs of the local AWS.
 */
export class LambdaSimulator {
  readonly clock: VirtualClock;
  readonly timeline = new Timeline();
  readonly region: string;
  readonly timings: Required<SimulatorTimings>;

  readonly #localAws: LocalAws;
  readonly #ec2: EC2Client;
  readonly #lambda: LambdaClient;
  readonly #iam: IAMClient;
  readonly #functions = new Map<string, SimFunction>();
  readonly #enis = new Map<string, SimEni>();
  readonly #listeners: Array<(event: CloudTrailEvent) => void> = [];
  #role: string | undefined;
  #random: () => number;
  readonly #autoSample: boolean;
  #changes = 0;

  constructor(options: LambdaSimulatorOptions) {
    this.#localAws = options.localAws;
    this.region = options.region ?? options.localAws.region;
    this.clock = options.clock ?? new VirtualClock();
    this.timings = {
      eniSwitchMs: DEFAULT_TIMINGS.eniSwitchMs,
      eniDeletionDelayMs: DEFAULT_TIMINGS.eniDeletionDelayMs,
      ...options.timings,
    };
    // Lambda itself: it may delete its in-use ENIs, and it sees EC2 as it is, never stale.
    const clients = options.localAws.serviceClients(this.region);
    this.#ec2 = clients.ec2;
    this.#lambda = clients.lambda;
    this.#iam = createIamClient(options.localAws.clientOptions(this.region));
    this.#random = seededRandom(options.seed ?? 1);
    this.#autoSample = options.autoSample ?? true;
    this.clock.afterEachTask((_label, result) =>
      result === NOTHING_CHANGED ? undefined : this.#maybeSample(),
    );
  }

  /**
   * How many times the simulator has changed the world (an ENI created, ready or deleted, a function's
   * state, version or alias): a harness that sees this unchanged knows Lambda did nothing meanwhile.
   */
  get changes(): number {
    return this.#changes;
  }

  /** Receives the CloudTrail events ("AWS API Call via CloudTrail") Lambda's own calls would produce. */
  onCloudTrailEvent(listener: (event: CloudTrailEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** CreateFunction: the function is Pending until its ENIs are ready, then Active. */
  async createFunction(input: CreateSimFunctionInput): Promise<SimFunctionView> {
    const config = normalise(input);
    const role = input.role ?? (await this.#ensureRole());
    const created = await this.#lambda.send(
      new CreateFunctionCommand({
        FunctionName: input.name,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: role,
        Code: { ZipFile: EMPTY_ZIP },
        VpcConfig: { SubnetIds: [...config.subnetIds], SecurityGroupIds: [...config.securityGroupIds] },
        ...(input.tags ? { Tags: { ...input.tags } } : {}),
      }),
    );
    await this.#start(input.name, created.FunctionArn ?? '', config);
    await this.#maybeSample();
    return this.describe(input.name);
  }

  /** A created function: Pending until its ENIs are ready, then Active. */
  async #start(name: string, arn: string, config: SimVpcConfig): Promise<void> {
    const fn: SimFunction = {
      name,
      arn,
      config,
      serving: undefined,
      state: 'Pending',
      stateReasonCode: 'Creating',
      lastUpdateStatus: 'Successful',
      versions: new Map(),
      aliases: new Map(),
    };
    this.#functions.set(fn.name, fn);
    await this.#publishState(fn);
    await this.#placeEnis(fn, 'CreateFunction20150331', 'activate', () => this.#activate(fn));
  }

  /**
   * UpdateFunctionConfiguration with a new VpcConfig: the new combination's ENIs are created first;
   * LastUpdateStatus is InProgress and traffic stays on the old ENIs until the switch, eniSwitchMs later.
   * Published versions keep their own configuration, and with it their ENIs.
   */
  async updateVpcConfig(name: string, next: SimVpcConfig): Promise<void> {
    const fn = this.#require(name);
    if (fn.lastUpdateStatus === 'InProgress') {
      throw new ResourceConflictError(`An update is in progress for resource: ${fn.arn}`);
    }
    const config = normalise(next);
    await this.#lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        VpcConfig: { SubnetIds: [...config.subnetIds], SecurityGroupIds: [...config.securityGroupIds] },
      }),
    );
    await this.#reconfigure(fn, config);
    await this.#maybeSample();
  }

  /**
   * Plays the functions someone else created, changed or deleted through the Lambda API (a CLI, a
   * deployment tool) as if they were its own: one ListFunctions, then
   * - a VPC function it does not know is created (Pending until its ENIs are ready, then Active), its ENIs
   *   shared with its other functions of the same (subnet, security-group set);
   * - a function it knows whose VpcConfig changed (and is not mid-update) is updated as `updateVpcConfig` would;
   * - a function it knows that the listing lacks was deleted: ENIs nothing else uses retire after eniDeletionDelayMs.
   * Functions without a VpcConfig are left alone (they have no ENI). Explicit, like every other AWS-side
   * event here, so a test decides when Lambda notices; `advance` does not call it.
   * @returns the names of the functions it adopted now
   */
  async adopt(): Promise<string[]> {
    const listed = new Map<string, { arn: string; config: SimVpcConfig }>();
    for await (const page of paginateListFunctions({ client: this.#lambda }, {})) {
      for (const fn of page.Functions ?? []) {
        const subnetIds = fn.VpcConfig?.SubnetIds ?? [];
        const securityGroupIds = fn.VpcConfig?.SecurityGroupIds ?? [];
        if (!fn.FunctionName || subnetIds.length === 0 || securityGroupIds.length === 0) continue;
        listed.set(fn.FunctionName, {
          arn: fn.FunctionArn ?? '',
          config: normalise({ subnetIds, securityGroupIds }),
        });
      }
    }
    const adopted: string[] = [];
    for (const [name, seen] of listed) {
      const known = this.#functions.get(name);
      if (!known) {
        await this.#start(name, seen.arn, seen.config);
        adopted.push(name);
      } else if (known.lastUpdateStatus !== 'InProgress' && !sameConfig(known.config, seen.config)) {
        await this.#reconfigure(known, seen.config);
      }
    }
    const gone = [...this.#functions.keys()].filter((name) => !listed.has(name));
    for (const name of gone) {
      this.#functions.delete(name);
      this.#changes++;
    }
    if (gone.length > 0) await this.#collectUnusedEnis();
    await this.#maybeSample();
    return adopted;
  }

  async #reconfigure(fn: SimFunction, config: SimVpcConfig): Promise<void> {
    fn.config = config;
    fn.lastUpdateStatus = 'InProgress';
    await this.#publishState(fn);
    await this.#placeEnis(fn, 'UpdateFunctionConfiguration20150331v2', 'switch', async () => {
      fn.lastUpdateStatus = 'Successful';
      if (fn.state === 'Active') fn.serving = fn.config;
      await this.#publishState(fn);
      await this.#collectUnusedEnis();
    });
  }

  /**
   * PublishVersion: the version keeps the VPC configuration (and so the ENIs) it was published with; the
   * timeline follows it as `name:version`.
   */
  async publishVersion(name: string): Promise<string> {
    const fn = this.#require(name);
    if (fn.lastUpdateStatus === 'InProgress') {
      throw new ResourceConflictError(`An update is in progress for resource: ${fn.arn}`);
    }
    const published = await this.#lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const version = published.Version ?? String(fn.versions.size + 1);
    fn.versions.set(version, fn.config);
    this.#changes++;
    await this.#maybeSample();
    return version;
  }

  /**
   * CreateAlias, or UpdateAlias when it exists: the alias serves what its version serves, and the timeline
   * follows it as `name:alias`.
   */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    const fn = this.#require(name);
    if (version !== '$LATEST' && !fn.versions.has(version)) {
      throw new Error(
        `function ${name} has no version ${version}; it has: ${[...fn.versions.keys()].join(', ') || 'none'}`,
      );
    }
    const input = { FunctionName: name, Name: alias, FunctionVersion: version };
    if (fn.aliases.has(alias)) await this.#lambda.send(new UpdateAliasCommand(input));
    else await this.#lambda.send(new CreateAliasCommand(input));
    fn.aliases.set(alias, version);
    this.#changes++;
    await this.#maybeSample();
  }

  /** DeleteFunction: its versions and aliases go too; ENIs nothing else uses are deleted after eniDeletionDelayMs. */
  async deleteFunction(name: string): Promise<void> {
    this.#require(name);
    await this.#lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    this.#functions.delete(name);
    this.#changes++;
    await this.#collectUnusedEnis();
    await this.#maybeSample();
  }

  /**
   * More than 65,000 connections on one ENI: Lambda adds another ENI to each of the function's
   * combinations (or only the one in `subnetId`). It carries traffic from eniSwitchMs later.
   */
  async scaleOut(name: string, subnetId?: string): Promise<string[]> {
    const fn = this.#require(name);
    const config = fn.serving ?? fn.config;
    const subnets = subnetId === undefined ? config.subnetIds : [subnetId];
    const created: string[] = [];
    for (const subnet of subnets) {
      if (!config.subnetIds.includes(subnet)) {
        throw new Error(
          `function ${name} does not use subnet ${subnet} (it uses ${config.subnetIds.join(', ')})`,
        );
      }
      created.push((await this.#createEni(subnet, config.securityGroupIds, name)).id);
    }
    await this.#maybeSample();
    return created;
  }

  /**
   * Idle reclaim after weeks without invocations: the function (with its versions) goes Inactive (reason
   * Idle) and Lambda deletes the ENIs that no active function or version still uses.
   */
  async idleReclaim(name: string): Promise<void> {
    const fn = this.#require(name);
    fn.state = 'Inactive';
    fn.stateReasonCode = 'Idle';
    fn.serving = undefined;
    await this.#publishState(fn);
    await this.#collectUnusedEnis({ immediately: true });
    await this.#maybeSample();
  }

  /**
   * Invoke. An Inactive function fails with ResourceNotReadyException and goes Pending while Lambda
   * creates new ENIs (new ids, no Elastic IP) for it and its versions; it is Active again eniSwitchMs later.
   */
  async invoke(name: string): Promise<SimInvokeResult> {
    const fn = this.#functions.get(name);
    if (!fn) return { ok: false, error: 'ResourceNotFoundException' };
    if (fn.state === 'Active') {
      const serving = this.#servingEnis(fn, '$LATEST');
      const egress = await this.#egressByEni(serving);
      return { ok: true, egressIps: serving.map((eni) => egress.get(eni.id)?.publicIp) };
    }
    if (fn.state === 'Inactive') {
      fn.state = 'Pending';
      fn.stateReasonCode = 'Restoring';
      await this.#publishState(fn);
      await this.#placeEnis(fn, undefined, 'restore', () => this.#activate(fn));
      await this.#maybeSample();
    }
    return { ok: false, error: 'ResourceNotReadyException' };
  }

  /**
   * Lambda replaces one ENI by a new one of the same combination (new id, no Elastic IP): the new one
   * carries traffic eniSwitchMs later, and the old one is deleted then.
   */
  async replaceEni(networkInterfaceId: string): Promise<string> {
    const old = this.#enis.get(networkInterfaceId);
    if (!old) throw new Error(`the simulator has no ENI ${networkInterfaceId}`);
    const fresh = await this.#createEni(old.subnetId, old.securityGroupIds, 'replacement');
    old.deletingAt = fresh.readyAt;
    this.clock.schedule(this.timings.eniSwitchMs, `delete ${old.id}`, () => this.#deleteEni(old));
    await this.#maybeSample();
    return fresh.id;
  }

  /** Moves virtual time forward, running Lambda's scheduled work and sampling the timeline. */
  async advance(ms: number): Promise<void> {
    await this.#maybeSample();
    await this.clock.advance(ms);
  }

  async #maybeSample(): Promise<void> {
    if (this.#autoSample) await this.sample();
  }

  /**
   * Records, at the current virtual instant, which ENIs serve each function, version and alias, and the
   * address their traffic leaves from (see `#egressByEni`). Three reads at most: the addresses, the route
   * tables, and the NAT gateways when a route names one.
   */
  async sample(): Promise<void> {
    const now = this.clock.now();
    const serving = new Map<string, SimEni[]>();
    for (const name of this.timeline.functionNames()) serving.set(name, []);
    for (const fn of this.#functions.values()) {
      for (const qualifier of qualifiers(fn)) {
        serving.set(qualifiedName(fn.name, qualifier), this.#servingEnis(fn, qualifier));
      }
    }
    const egress = await this.#egressByEni([...new Set([...serving.values()].flat())]);
    for (const [name, enis] of serving) {
      this.timeline.record(
        now,
        name,
        enis.map((eni) => ({ networkInterfaceId: eni.id, subnetId: eni.subnetId, ...egress.get(eni.id) })),
      );
    }
  }

  describe(name: string): SimFunctionView {
    const fn = this.#require(name);
    return {
      name: fn.name,
      arn: fn.arn,
      config: fn.config,
      state: fn.state,
      lastUpdateStatus: fn.lastUpdateStatus,
      versions: new Map(fn.versions),
      aliases: new Map(fn.aliases),
      servingEniIds: this.#servingEnis(fn, '$LATEST').map((eni) => eni.id),
    };
  }

  functionNames(): string[] {
    return [...this.#functions.keys()].sort();
  }

  /** Every Hyperplane ENI the simulator has created and not yet deleted. */
  enis(): SimEniView[] {
    return [...this.#enis.values()].map((eni) => ({
      id: eni.id,
      subnetId: eni.subnetId,
      securityGroupIds: eni.securityGroupIds,
      createdAt: eni.createdAt,
      readyAt: eni.readyAt,
      ...(eni.deletingAt === undefined ? {} : { deletingAt: eni.deletingAt }),
    }));
  }

  /** The ENIs of one (subnet, security-group set) combination. */
  enisOf(subnetId: string, securityGroupIds: readonly string[]): SimEniView[] {
    return this.enis().filter((eni) => sharesHyperplaneEni(eni, { subnetId, securityGroupIds }));
  }

  /** The ENIs carrying a qualifier's traffic now: ready ENIs of the configuration it runs with. */
  #servingEnis(fn: SimFunction, qualifier: string): SimEni[] {
    if (fn.state !== 'Active') return [];
    const target = fn.aliases.get(qualifier) ?? qualifier;
    const config = target === '$LATEST' ? fn.serving : fn.versions.get(target);
    if (config === undefined) return [];
    const now = this.clock.now();
    return [...this.#enis.values()].filter((eni) => eni.readyAt <= now && placedBy(eni, config));
  }

  /**
   * Announces the user's Lambda call (when there is one), creates the ENIs the function's configurations
   * ($LATEST's and its versions') lack, and runs `whenReady` once traffic can use them: eniSwitchMs later
   * if any had to be created.
   */
  async #placeEnis(
    fn: SimFunction,
    eventName: 'CreateFunction20150331' | 'UpdateFunctionConfiguration20150331v2' | undefined,
    label: string,
    whenReady: () => Promise<void>,
  ): Promise<void> {
    if (eventName) {
      this.#emit(
        cloudTrailEvent.lambda(this.#context(), eventName, {
          functionName: fn.name,
          functionArn: fn.arn,
          vpcConfig: fn.config,
        }),
      );
    }
    let created = false;
    for (const config of [fn.config, ...fn.versions.values()]) {
      if (await this.#ensureEnis(config, fn.name)) created = true;
    }
    this.clock.schedule(created ? this.timings.eniSwitchMs : 0, `${label} ${fn.name}`, async () => {
      if (this.#functions.get(fn.name) === fn) await whenReady();
    });
  }

  async #activate(fn: SimFunction): Promise<void> {
    fn.state = 'Active';
    fn.stateReasonCode = undefined;
    fn.serving = fn.config;
    await this.#publishState(fn);
  }

  /** Creates the ENIs a configuration lacks; true when it had to create any. */
  async #ensureEnis(config: SimVpcConfig, causedBy: string): Promise<boolean> {
    let created = false;
    for (const subnetId of config.subnetIds) {
      const placement = { subnetId, securityGroupIds: config.securityGroupIds };
      const live = [...this.#enis.values()].some(
        (eni) => eni.deletingAt === undefined && sharesHyperplaneEni(eni, placement),
      );
      if (!live) {
        await this.#createEni(subnetId, config.securityGroupIds, causedBy);
        created = true;
      }
    }
    return created;
  }

  async #createEni(subnetId: string, securityGroupIds: readonly string[], causedBy: string): Promise<SimEni> {
    const description = `AWS Lambda VPC ENI-${causedBy}-${this.#uuid()}`;
    const groups = distinctGroups(securityGroupIds);
    const response = await this.#ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetId,
        Groups: groups,
        Description: description,
        // Not in the SDK's enum: Lambda's own calls create this type, and the test bed honours it.
        InterfaceType: 'lambda' as string as NetworkInterfaceCreationType,
      }),
    );
    const created = response.NetworkInterface;
    if (!created?.NetworkInterfaceId)
      throw new Error(`CreateNetworkInterface in ${subnetId} returned no ENI`);
    const now = this.clock.now();
    const eni: SimEni = {
      id: created.NetworkInterfaceId,
      subnetId,
      vpcId: created.VpcId ?? '',
      securityGroupIds: groups,
      createdAt: now,
      readyAt: now + this.timings.eniSwitchMs,
    };
    this.#enis.set(eni.id, eni);
    this.#changes++;
    // A task at the instant the ENI takes traffic, so that the timeline samples exactly then.
    this.clock.schedule(this.timings.eniSwitchMs, `ready ${eni.id}`, () => {
      this.#changes++;
    });
    this.#emit(
      cloudTrailEvent.createNetworkInterface(this.#context(), {
        networkInterfaceId: eni.id,
        subnetId,
        vpcId: eni.vpcId,
        availabilityZone: created.AvailabilityZone ?? '',
        description,
        securityGroupIds: eni.securityGroupIds,
        privateIpAddress: created.PrivateIpAddress ?? '',
      }),
    );
    return eni;
  }

  /** Schedules deletion of ENIs whose combination no active function or version uses any more. */
  async #collectUnusedEnis(options: { immediately?: boolean } = {}): Promise<void> {
    const inUse: SimVpcConfig[] = [];
    for (const fn of this.#functions.values()) {
      if (fn.state === 'Inactive') continue;
      inUse.push(fn.config, ...(fn.serving ? [fn.serving] : []), ...fn.versions.values());
    }
    for (const eni of this.#enis.values()) {
      if (eni.deletingAt !== undefined || inUse.some((config) => placedBy(eni, config))) continue;
      const delay = options.immediately ? 0 : this.timings.eniDeletionDelayMs;
      eni.deletingAt = this.clock.now() + delay;
      if (delay === 0) {
        await this.#deleteEni(eni);
      } else {
        this.clock.schedule(delay, `delete ${eni.id}`, () => this.#deleteEni(eni));
      }
    }
  }

  async #deleteEni(eni: SimEni): Promise<void> {
    if (!this.#enis.has(eni.id)) return;
    await this.#ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.id }));
    this.#enis.delete(eni.id);
    this.#changes++;
    this.#emit(cloudTrailEvent.deleteNetworkInterface(this.#context(), eni.id));
  }

  /**
   * Where each ENI's internet traffic leaves from, as the VPC routes it. The subnet's route table (its
   * explicit association, else the VPC's main table) decides by its 0.0.0.0/0 route:
   * - to an internet gateway: the ENI's own Elastic IP, if it has one (the Hyperplane strategy);
   * - to a NAT gateway that is `available` and itself sits in a subnet routed to an internet gateway: the
   *   gateway's address, whatever the ENI holds;
   * - anything else (no route, a blackhole, a NAT gateway pending, deleted or in a private subnet):
   *   nowhere, which the timeline counts as downtime.
   */
  async #egressByEni(enis: readonly SimEni[]): Promise<Map<string, Egress>> {
    const egress = new Map<string, Egress>();
    if (enis.length === 0) return egress;
    const vpcIds = [...new Set(enis.map((eni) => eni.vpcId))];
    const [addresses, tables] = await Promise.all([
      this.#addressesByEni(),
      this.#ec2
        .send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: vpcIds }] }))
        .then((response) => response.RouteTables ?? []),
    ]);
    const defaultRoute = (subnetId: string | undefined, vpcId: string | undefined) => {
      const inVpc = tables.filter((table) => table.VpcId === vpcId);
      const table =
        inVpc.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnetId)) ??
        inVpc.find((t) => (t.Associations ?? []).some((a) => a.Main));
      const route = (table?.Routes ?? []).find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
      return route?.State === 'blackhole' ? undefined : route;
    };
    const toInternetGateway = (subnetId: string | undefined, vpcId: string | undefined) =>
      (defaultRoute(subnetId, vpcId)?.GatewayId ?? '').startsWith('igw-');

    const natIds = [
      ...new Set(enis.map((eni) => defaultRoute(eni.subnetId, eni.vpcId)?.NatGatewayId).filter(isDefined)),
    ];
    const gateways =
      natIds.length === 0
        ? []
        : ((await this.#ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: natIds }))).NatGateways ??
          []);

    for (const eni of enis) {
      if (toInternetGateway(eni.subnetId, eni.vpcId)) {
        const address = addresses.get(eni.id);
        if (address) egress.set(eni.id, address);
        continue;
      }
      const natId = defaultRoute(eni.subnetId, eni.vpcId)?.NatGatewayId;
      const gateway = gateways.find((candidate) => candidate.NatGatewayId === natId);
      const address = gateway?.NatGatewayAddresses?.find((a) => a.PublicIp);
      if (
        gateway?.State !== 'available' ||
        !address?.PublicIp ||
        !toInternetGateway(gateway.SubnetId, gateway.VpcId)
      ) {
        continue;
      }
      egress.set(eni.id, {
        publicIp: address.PublicIp,
        ...(address.AllocationId ? { allocationId: address.AllocationId } : {}),
        via: 'nat-gateway',
        natGatewayId: gateway.NatGatewayId ?? '',
      });
    }
    return egress;
  }

  async #addressesByEni(): Promise<Map<string, { publicIp: string; allocationId: string }>> {
    const response = await this.#ec2.send(new DescribeAddressesCommand({}));
    const byEni = new Map<string, { publicIp: string; allocationId: string }>();
    for (const address of response.Addresses ?? []) {
      if (address.NetworkInterfaceId && address.PublicIp && address.AllocationId) {
        byEni.set(address.NetworkInterfaceId, {
          publicIp: address.PublicIp,
          allocationId: address.AllocationId,
        });
      }
    }
    return byEni;
  }

  async #publishState(fn: SimFunction): Promise<void> {
    this.#changes++;
    await this.#localAws.setFunctionState(
      { region: this.region, functionName: fn.name },
      {
        State: fn.state,
        ...(fn.stateReasonCode ? { StateReasonCode: fn.stateReasonCode } : {}),
        LastUpdateStatus: fn.lastUpdateStatus,
      },
    );
  }

  async #ensureRole(): Promise<string> {
    this.#role ??= await ensureExecutionRole(this.#iam, SIM_ROLE_NAME);
    return this.#role;
  }

  #require(name: string): SimFunction {
    const fn = this.#functions.get(name);
    if (!fn)
      throw new Error(
        `the simulator has no function ${name}; it has: ${this.functionNames().join(', ') || 'none'}`,
      );
    return fn;
  }

  #context() {
    return {
      accountId: this.#localAws.accountId,
      region: this.region,
      time: this.clock.now(),
      id: this.#uuid(),
    };
  }

  #emit(event: CloudTrailEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.#random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

type Egress = Omit<ServingEni, 'networkInterfaceId' | 'subnetId'>;

/** The timeline's name for a qualifier: `api` for $LATEST, `api:1` for a version, `api:live` for an alias. */
export function qualifiedName(functionName: string, qualifier: string): string {
  return qualifier === '$LATEST' ? functionName : `${functionName}:${qualifier}`;
}

function qualifiers(fn: SimFunction): string[] {
  return ['$LATEST', ...fn.versions.keys(), ...fn.aliases.keys()];
}

/** True when the ENI is one of the configuration's (subnet, security-group set) combinations. */
function placedBy(eni: HyperplanePlacement, config: SimVpcConfig): boolean {
  return config.subnetIds.some((subnetId) =>
    sharesHyperplaneEni(eni, { subnetId, securityGroupIds: config.securityGroupIds }),
  );
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

function sameConfig(a: SimVpcConfig, b: SimVpcConfig): boolean {
  const key = (config: SimVpcConfig) =>
    `${[...config.subnetIds].sort().join(',')}|${[...config.securityGroupIds].sort().join(',')}`;
  return key(a) === key(b);
}

function normalise(config: SimVpcConfig): SimVpcConfig {
  if (config.subnetIds.length === 0) throw new Error('a VPC function needs at least one subnet');
  if (config.securityGroupIds.length === 0)
    throw new Error('a VPC function needs at least one security group');
  return {
    subnetIds: [...new Set(config.subnetIds)],
    securityGroupIds: distinctGroups(config.securityGroupIds),
  };
}
