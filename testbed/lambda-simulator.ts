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
  CreateFunctionCommand,
  DeleteFunctionCommand,
  type LambdaClient,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { createIamClient } from '../src/aws/clients.js';
import { combinationKey, normaliseGroups } from '../src/core/combination.js';
import { type CloudTrailEvent, cloudTrailEvent } from './cloudtrail-events.js';
import { ensureExecutionRole } from './fixtures.js';
import type { LocalAws } from './local-aws.js';
import { seededRandom } from './seeded-random.js';
import { type ServingEni, Timeline } from './timeline.js';
import { VirtualClock } from './virtual-clock.js';

/** A function's network placement, as in the Lambda API's VpcConfig. */
export interface SimVpcConfig {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

/** Durations AWS does not publish, as parameters. */
export interface SimulatorTimings {
  /** From Lambda creating a combination's ENI to traffic using it (creation, VPC change, scale-out, restore). @default 90000 */
  readonly eniSwitchMs?: number;
  /** From an ENI losing its last user to Lambda deleting it (AWS: up to 20 min, ~35 min P99). @default 0 */
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
  /** The ENIs that carry the function's traffic now (empty while Pending or Inactive). */
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
}

interface SimEni {
  readonly id: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly securityGroupIds: readonly string[];
  readonly key: string;
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
 * them, and records on a virtual clock which ENI serves each function and whether it had an Elastic IP.
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

  constructor(options: LambdaSimulatorOptions) {
    this.#localAws = options.localAws;
    this.region = options.region ?? options.localAws.region;
    this.clock = options.clock ?? new VirtualClock();
    this.timings = { eniSwitchMs: 90_000, eniDeletionDelayMs: 0, ...options.timings };
    const clients = options.localAws.clients(this.region);
    this.#ec2 = clients.ec2;
    this.#lambda = clients.lambda;
    this.#iam = createIamClient(options.localAws.clientOptions(this.region));
    this.#random = seededRandom(options.seed ?? 1);
    this.#autoSample = options.autoSample ?? true;
    this.clock.afterEachTask(() => this.#maybeSample());
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
    const fn: SimFunction = {
      name: input.name,
      arn: created.FunctionArn ?? '',
      config,
      serving: undefined,
      state: 'Pending',
      stateReasonCode: 'Creating',
      lastUpdateStatus: 'Successful',
      versions: new Map(),
    };
    this.#functions.set(fn.name, fn);
    await this.#publishState(fn);
    await this.#placeEnis(fn, 'CreateFunction20150331', 'activate', () => this.#activate(fn));
    await this.#maybeSample();
    return this.describe(fn.name);
  }

  /**
   * UpdateFunctionConfiguration with a new VpcConfig: the new combination's ENIs are created first;
   * LastUpdateStatus is InProgress and traffic stays on the old ENIs until the switch, eniSwitchMs later.
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
    fn.config = config;
    fn.lastUpdateStatus = 'InProgress';
    await this.#publishState(fn);
    await this.#placeEnis(fn, 'UpdateFunctionConfiguration20150331v2', 'switch', async () => {
      fn.lastUpdateStatus = 'Successful';
      if (fn.state === 'Active') fn.serving = fn.config;
      await this.#publishState(fn);
      await this.#collectUnusedEnis();
    });
    await this.#maybeSample();
  }

  /** PublishVersion: the version keeps the VPC configuration (and so the ENIs) it was published with. */
  async publishVersion(name: string): Promise<string> {
    const fn = this.#require(name);
    if (fn.lastUpdateStatus === 'InProgress') {
      throw new ResourceConflictError(`An update is in progress for resource: ${fn.arn}`);
    }
    const published = await this.#lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const version = published.Version ?? String(fn.versions.size + 1);
    fn.versions.set(version, fn.config);
    return version;
  }

  /** DeleteFunction: its versions go too; ENIs nothing else uses are deleted after eniDeletionDelayMs. */
  async deleteFunction(name: string): Promise<void> {
    this.#require(name);
    await this.#lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    this.#functions.delete(name);
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
   * Idle reclaim after weeks without invocations: the function goes Inactive (reason Idle) and Lambda
   * deletes the ENIs that no active function or version still uses.
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
   * creates new ENIs (new ids, no Elastic IP); it is Active again eniSwitchMs later.
   */
  async invoke(name: string): Promise<SimInvokeResult> {
    const fn = this.#functions.get(name);
    if (!fn) return { ok: false, error: 'ResourceNotFoundException' };
    if (fn.state === 'Active') {
      const serving = this.#servingEnis(fn);
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
   * Records, at the current virtual instant, which ENIs serve each function and the IP their traffic
   * leaves from: the ENI's own Elastic IP, or else the NAT gateway its subnet routes 0.0.0.0/0 to.
   */
  async sample(): Promise<void> {
    const now = this.clock.now();
    const names = new Set([...this.timeline.functionNames(), ...this.#functions.keys()]);
    const servingByName = new Map<string, SimEni[]>();
    for (const name of names) {
      const fn = this.#functions.get(name);
      servingByName.set(name, fn ? this.#servingEnis(fn) : []);
    }
    const egress = await this.#egressByEni([...servingByName.values()].flat());
    for (const [name, enis] of servingByName) {
      const serving: ServingEni[] = enis.map((eni) => ({
        networkInterfaceId: eni.id,
        subnetId: eni.subnetId,
        ...egress.get(eni.id),
      }));
      this.timeline.record(now, name, serving);
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
      servingEniIds: this.#servingEnis(fn).map((eni) => eni.id),
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
    const key = combinationKey(subnetId, securityGroupIds);
    return this.enis().filter((eni) => combinationKey(eni.subnetId, eni.securityGroupIds) === key);
  }

  #servingEnis(fn: SimFunction): SimEni[] {
    if (fn.state !== 'Active' || fn.serving === undefined) return [];
    const now = this.clock.now();
    const keys = new Set(
      fn.serving.subnetIds.map((subnet) => combinationKey(subnet, fn.serving?.securityGroupIds ?? [])),
    );
    return [...this.#enis.values()].filter((eni) => keys.has(eni.key) && eni.readyAt <= now);
  }

  /**
   * Announces the user's Lambda call (when there is one), creates the ENIs the function's configuration
   * lacks, and runs `whenReady` once traffic can use them: eniSwitchMs later if any had to be created.
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
    const createdEnis = await this.#ensureEnis(fn.config, fn.name);
    this.clock.schedule(createdEnis ? this.timings.eniSwitchMs : 0, `${label} ${fn.name}`, async () => {
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
      const key = combinationKey(subnetId, config.securityGroupIds);
      const live = [...this.#enis.values()].filter((eni) => eni.key === key && eni.deletingAt === undefined);
      if (live.length === 0) {
        await this.#createEni(subnetId, config.securityGroupIds, causedBy);
        created = true;
      }
    }
    return created;
  }

  async #createEni(subnetId: string, securityGroupIds: readonly string[], causedBy: string): Promise<SimEni> {
    const description = `AWS Lambda VPC ENI-${causedBy}-${this.#uuid()}`;
    const response = await this.#ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetId,
        Groups: [...securityGroupIds],
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
      securityGroupIds: normaliseGroups(securityGroupIds),
      key: combinationKey(subnetId, securityGroupIds),
      createdAt: now,
      readyAt: now + this.timings.eniSwitchMs,
    };
    this.#enis.set(eni.id, eni);
    // A task at the instant the ENI takes traffic, so that the timeline samples exactly then.
    this.clock.schedule(this.timings.eniSwitchMs, `ready ${eni.id}`, () => {});
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

  /** Schedules deletion of ENIs whose combination no function or version uses any more. */
  async #collectUnusedEnis(options: { immediately?: boolean } = {}): Promise<void> {
    const inUse = new Set<string>();
    for (const fn of this.#functions.values()) {
      if (fn.state === 'Inactive') continue;
      const configs = [fn.config, ...(fn.serving ? [fn.serving] : []), ...fn.versions.values()];
      for (const config of configs) {
        for (const subnet of config.subnetIds) inUse.add(combinationKey(subnet, config.securityGroupIds));
      }
    }
    for (const eni of this.#enis.values()) {
      if (inUse.has(eni.key) || eni.deletingAt !== undefined) continue;
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
    this.#emit(cloudTrailEvent.deleteNetworkInterface(this.#context(), eni.id));
  }

  /**
   * Where each ENI's internet traffic leaves from. Its own Elastic IP first (the Hyperplane strategy).
   * Otherwise, as in a VPC, the route table of its subnet (its own, else the VPC's main one): a 0.0.0.0/0
   * route to an `available` NAT gateway means egress from that gateway's address. Two more reads, and only
   * when some ENI has no Elastic IP.
   */
  async #egressByEni(
    enis: readonly SimEni[],
  ): Promise<Map<string, Omit<ServingEni, 'networkInterfaceId' | 'subnetId'>>> {
    const egress = new Map<string, Omit<ServingEni, 'networkInterfaceId' | 'subnetId'>>();
    if (enis.length === 0) return egress;
    const addresses = await this.#addressesByEni();
    const withoutIp: SimEni[] = [];
    for (const eni of enis) {
      const address = addresses.get(eni.id);
      if (address) egress.set(eni.id, address);
      else withoutIp.push(eni);
    }
    if (withoutIp.length === 0) return egress;

    const vpcIds = [...new Set(withoutIp.map((eni) => eni.vpcId))];
    const tables =
      (
        await this.#ec2.send(
          new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: vpcIds }] }),
        )
      ).RouteTables ?? [];
    const natOf = (eni: SimEni): string | undefined => {
      const inVpc = tables.filter((table) => table.VpcId === eni.vpcId);
      const table =
        inVpc.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === eni.subnetId)) ??
        inVpc.find((t) => (t.Associations ?? []).some((a) => a.Main));
      return (table?.Routes ?? []).find((route) => route.DestinationCidrBlock === '0.0.0.0/0')?.NatGatewayId;
    };
    const natIds = [...new Set(withoutIp.map(natOf).filter((id): id is string => id !== undefined))];
    if (natIds.length === 0) return egress;
    const gateways =
      (await this.#ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: natIds }))).NatGateways ?? [];
    for (const eni of withoutIp) {
      const gateway = gateways.find((candidate) => candidate.NatGatewayId === natOf(eni));
      const address = gateway?.NatGatewayAddresses?.find((a) => a.PublicIp);
      if (gateway?.State !== 'available' || !address?.PublicIp) continue;
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

function normalise(config: SimVpcConfig): SimVpcConfig {
  if (config.subnetIds.length === 0) throw new Error('a VPC function needs at least one subnet');
  if (config.securityGroupIds.length === 0)
    throw new Error('a VPC function needs at least one security group');
  return {
    subnetIds: [...new Set(config.subnetIds)],
    securityGroupIds: normaliseGroups(config.securityGroupIds),
  };
}
