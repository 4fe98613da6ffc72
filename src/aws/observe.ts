import {
  type Address,
  DescribeAddressesCommand,
  type EC2Client,
  type NetworkInterface,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  type Route,
  type RouteTable,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { type FunctionConfiguration, paginateListFunctions } from '@aws-sdk/client-lambda';
import { paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import { combinationKey, normaliseGroups } from '../core/combination.js';
import { InputError } from '../core/errors.js';
import { checkFunctionRegion, parseFunctionRef } from '../core/function-ref.js';
import { KEEPER_TAG_KEY } from '../core/keeper.js';
import type {
  EniAssociation,
  Ipv6DefaultRoute,
  Observation,
  ObservedAddress,
  ObservedEni,
  ObservedFunction,
  ObservedInterface,
  ObservedSubnet,
} from '../core/model.js';
import { POOL_TAG_KEY } from '../core/pool.js';
import { describeInterfaces } from './address-interfaces.js';
import type { AwsClients } from './clients.js';
import { readFailed } from './errors.js';
import { readByFilter } from './filter-chunks.js';
import { getFunctionState } from './function-state.js';

export interface ObserveInput {
  readonly pool: string;
  /** Functions named on the command line (names or unqualified ARNs), in addition to tagged ones. */
  readonly functions?: readonly string[];
  /**
   * Keepers named by the caller (the deployment's custom resource names the stack's keepers): pool
   * functions even before the tagging API lists them, and known as keepers. @default none
   */
  readonly keepers?: readonly string[];
  /** Wall-clock now, in ms since the epoch. @default Date.now() */
  readonly now?: number;
  /**
   * A function modified within this window may still be switching ENIs; its state is checked before
   * any ENI nobody names is treated as retired. @default 3600000 (one hour)
   */
  readonly updateWindowMs?: number;
  /** Most GetFunctionConfiguration calls spent on that check; beyond it nothing is retired. @default 50 */
  readonly maxStateChecks?: number;
  /**
   * A named function that does not exist or has no VPC placement: `error` fails the observation (the
   * CLI: the user mistyped), `ignore` leaves it out (a custom-resource Delete, which must not fail
   * because a function went first). @default 'error'
   */
  readonly missingFunctions?: 'error' | 'ignore';
}

const ENI_PAGE_SIZE = 1000;

/**
 * Observes everything one reconcile needs with a constant number of paged read calls, however many
 * functions there are: tagged functions, every function and version, the pool's subnets, their route
 * tables, the Lambda ENIs of their VPCs and the Region's Elastic IPs. No call is made per function or
 * per ENI (the one exception is bounded: see `updateWindowMs`).
 */
export async function observe(clients: AwsClients, input: ObserveInput): Promise<Observation> {
  const region = await clients.ec2.config.region();
  const [{ functions, functionsWithoutVpc }, addresses] = await Promise.all([
    observePoolFunctions(clients, input, region),
    describeRegionAddresses(clients.ec2),
  ]);
  const poolSubnetIds = [
    ...new Set(functions.filter((fn) => fn.inPool).flatMap((fn) => fn.subnetIds)),
  ].sort();

  const subnets = await describeSubnets(clients, poolSubnetIds);
  const vpcIds = [...new Set(subnets.map((subnet) => subnet.VpcId ?? ''))].filter(Boolean).sort();
  const [routeTables, enis] = await Promise.all([
    describeRouteTables(clients, vpcIds),
    describeLambdaEnis(clients, vpcIds),
  ]);

  const observedEnis = enis.map(toObservedEni);
  const [updatesInProgress, addressInterfaces] = await Promise.all([
    checkUpdatesInProgress(clients, input, functions, observedEnis, addresses),
    describeOtherHolders(clients, input.pool, addresses, observedEnis),
  ]);

  return {
    region,
    addresses,
    enis: observedEnis,
    addressInterfaces,
    functions,
    subnets: subnets.map((subnet) => toObservedSubnet(subnet, routeTables)),
    functionsWithoutVpc,
    updatesInProgress,
  };
}

/** The part of an observation that changes while no function does. */
export interface AddressesAndEnis {
  readonly addresses: readonly ObservedAddress[];
  readonly enis: readonly ObservedEni[];
  /** The other ENIs holding pool addresses, as in `Observation.addressInterfaces`. */
  readonly addressInterfaces: readonly ObservedInterface[];
}

/**
 * The cheap part of `observe`, for a caller that keeps the rest (the controller's view of the pool):
 * DescribeAddresses, the Lambda ENIs of `vpcIds` (one call per 1,000 ENIs), and the holders of pool
 * addresses on other ENIs that `known` does not already describe (usually none, so no call). However many
 * functions the account has, two calls.
 */
export async function observeAddressesAndEnis(
  clients: AwsClients,
  pool: string,
  vpcIds: readonly string[],
  known: readonly ObservedInterface[] = [],
): Promise<AddressesAndEnis> {
  const [addresses, enis] = await Promise.all([
    describeRegionAddresses(clients.ec2),
    describeLambdaEnis(clients, [...vpcIds].sort()),
  ]);
  const observedEnis = enis.map(toObservedEni);
  const addressInterfaces = await describeOtherHolders(clients, pool, addresses, observedEnis, known);
  return { addresses, enis: observedEnis, addressInterfaces };
}

/** Every function and version with a VPC placement, each marked whether it belongs to the pool. */
export interface PoolFunctions {
  readonly functions: readonly ObservedFunction[];
  /** Pool functions (by name) found without any VPC placement. */
  readonly functionsWithoutVpc: readonly string[];
}

/**
 * The functions part of `observe`, on its own: two paged reads (tagged functions, every function and
 * version), so a caller that only needs to know which (subnet, security-group set) combinations belong
 * to the pool can learn it cheaply.
 */
export async function observePoolFunctions(
  clients: AwsClients,
  input: Pick<ObserveInput, 'pool' | 'functions' | 'keepers' | 'missingFunctions'>,
  region: string,
): Promise<PoolFunctions> {
  const keeperRefs = (input.keepers ?? []).map(parseFunctionRef);
  const refs = [...(input.functions ?? []).map(parseFunctionRef), ...keeperRefs];
  for (const ref of refs) checkFunctionRegion(ref, region);
  const strict = (input.missingFunctions ?? 'error') === 'error';

  const [tagged, listed] = await Promise.all([
    taggedFunctionNames(clients, input.pool, region),
    listAllFunctions(clients),
  ]);

  const latestByName = new Map(
    listed.filter((fn) => (fn.Version ?? '$LATEST') === '$LATEST').map((fn) => [fn.FunctionName ?? '', fn]),
  );
  for (const ref of strict ? refs : []) {
    const found = latestByName.get(ref.name);
    if (!found) {
      throw new InputError(
        'UnknownFunction',
        `function ${ref.input} was not found in ${region}; check the name, --region and --profile`,
      );
    }
    if (!hasVpc(found)) {
      throw new InputError(
        'FunctionNotInVpc',
        `function ${ref.name} has no VPC configuration, so it has no Hyperplane ENI to bind; attach it to public subnets (AllowPublicSubnet) first`,
      );
    }
  }
  const poolNames = new Set([...refs.map((ref) => ref.name), ...tagged.names]);
  const keepers = new Set([...keeperRefs.map((ref) => ref.name), ...tagged.keepers]);
  const functionsWithoutVpc = [...tagged.names].filter((name) => {
    const fn = latestByName.get(name);
    return fn !== undefined && !hasVpc(fn);
  });
  const functions = listed.filter(hasVpc).map((fn) => toObservedFunction(fn, poolNames, keepers));
  return { functions, functionsWithoutVpc };
}

/** The functions tagged for the pool, by name, and which of them are keepers. */
async function taggedFunctionNames(
  clients: AwsClients,
  pool: string,
  region: string,
): Promise<{ names: Set<string>; keepers: Set<string> }> {
  const names = new Set<string>();
  const keepers = new Set<string>();
  try {
    // 100 per page, the API's largest: half the calls of its default 50 at a thousand functions.
    const pages = paginateGetResources(
      { client: clients.tagging, pageSize: 100 },
      { ResourceTypeFilters: ['lambda:function'], TagFilters: [{ Key: POOL_TAG_KEY, Values: [pool] }] },
    );
    for await (const page of pages) {
      for (const resource of page.ResourceTagMappingList ?? []) {
        const arn = resource.ResourceARN ?? '';
        const parts = arn.split(':');
        if (parts[3] !== region || parts[5] !== 'function' || !parts[6]) continue;
        names.add(parts[6]);
        if ((resource.Tags ?? []).some((tag) => tag.Key === KEEPER_TAG_KEY)) keepers.add(parts[6]);
      }
    }
  } catch (error) {
    throw readFailed('tag:GetResources (functions tagged for the pool)', error);
  }
  return { names, keepers };
}

async function listAllFunctions(clients: AwsClients): Promise<FunctionConfiguration[]> {
  const functions: FunctionConfiguration[] = [];
  try {
    for await (const page of paginateListFunctions({ client: clients.lambda }, { FunctionVersion: 'ALL' })) {
      functions.push(...(page.Functions ?? []));
    }
  } catch (error) {
    throw readFailed('lambda:ListFunctions', error);
  }
  return functions;
}

/** Every Elastic IP of the Region, in one call: DescribeAddresses has no paging. */
export async function describeRegionAddresses(ec2: EC2Client): Promise<ObservedAddress[]> {
  try {
    return ((await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? []).map(toObservedAddress);
  } catch (error) {
    throw readFailed('ec2:DescribeAddresses', error);
  }
}

/** The subnets, by id, in a constant number of paged calls; one deleted meanwhile is simply absent. */
export function describeSubnets(clients: AwsClients, subnetIds: readonly string[]): Promise<Subnet[]> {
  return readByFilter(
    'ec2:DescribeSubnets',
    subnetIds,
    (chunk) =>
      paginateDescribeSubnets({ client: clients.ec2 }, { Filters: [{ Name: 'subnet-id', Values: chunk }] }),
    (page) => page.Subnets,
  );
}

/** The subnets, by id, with whether they route to an internet gateway (an unknown id is absent). */
export async function observeSubnets(
  clients: AwsClients,
  subnetIds: readonly string[],
): Promise<ObservedSubnet[]> {
  const subnets = await describeSubnets(clients, subnetIds);
  const vpcIds = [...new Set(subnets.map((subnet) => subnet.VpcId ?? ''))].filter(Boolean);
  const routeTables = vpcIds.length === 0 ? [] : await describeRouteTables(clients, vpcIds);
  return subnets.map((subnet) => toObservedSubnet(subnet, routeTables));
}

function describeRouteTables(clients: AwsClients, vpcIds: readonly string[]): Promise<RouteTable[]> {
  return readByFilter(
    'ec2:DescribeRouteTables',
    vpcIds,
    (chunk) =>
      paginateDescribeRouteTables({ client: clients.ec2 }, { Filters: [{ Name: 'vpc-id', Values: chunk }] }),
    (page) => page.RouteTables,
  );
}

function describeLambdaEnis(clients: AwsClients, vpcIds: readonly string[]): Promise<NetworkInterface[]> {
  return readByFilter(
    'ec2:DescribeNetworkInterfaces',
    vpcIds,
    (chunk) =>
      paginateDescribeNetworkInterfaces(
        { client: clients.ec2, pageSize: ENI_PAGE_SIZE },
        {
          Filters: [
            { Name: 'interface-type', Values: ['lambda'] },
            { Name: 'vpc-id', Values: chunk },
          ],
        },
      ),
    (page) => page.NetworkInterfaces,
  );
}

/**
 * What holds the pool's addresses that are not on the Lambda ENIs just observed (a NAT gateway, a load
 * balancer, a Lambda ENI of another VPC): one call, and none at all in the usual case where every bound
 * pool address is on one of those Lambda ENIs, or on an interface `known` already describes (an ENI's
 * type and description never change).
 */
async function describeOtherHolders(
  clients: AwsClients,
  pool: string,
  addresses: readonly ObservedAddress[],
  enis: readonly ObservedEni[],
  known: readonly ObservedInterface[] = [],
): Promise<ObservedInterface[]> {
  const lambdaEnis = new Set(enis.map((eni) => eni.id));
  const knownById = new Map(known.map((eni) => [eni.id, eni]));
  const others = addresses
    .filter((address) => address.tags[POOL_TAG_KEY] === pool)
    .map((address) => address.networkInterfaceId)
    .filter((id): id is string => id !== undefined && !lambdaEnis.has(id));
  const stillKnown = others.flatMap((id) => knownById.get(id) ?? []);
  const unknown = others.filter((id) => !knownById.has(id));
  return unknown.length === 0
    ? stillKnown
    : [...stillKnown, ...(await describeInterfaces(clients.ec2, unknown))];
}

/**
 * ListFunctions does not report LastUpdateStatus, and during a VPC update the old ENIs still carry
 * traffic although no configuration names them. Before any such ENI may give up its IP, the functions
 * modified recently are asked whether an update is still in flight. Only then, and only for them.
 */
async function checkUpdatesInProgress(
  clients: AwsClients,
  input: ObserveInput,
  functions: readonly ObservedFunction[],
  enis: readonly ObservedEni[],
  addresses: readonly ObservedAddress[],
): Promise<Observation['updatesInProgress']> {
  const named = new Set(
    functions.flatMap((fn) => fn.subnetIds.map((s) => combinationKey(s, fn.securityGroupIds))),
  );
  const poolAllocations = new Set(
    addresses
      .filter((address) => address.tags[POOL_TAG_KEY] === input.pool)
      .map((address) => address.allocationId),
  );
  const candidates = enis.filter(
    (eni) =>
      !named.has(combinationKey(eni.subnetId, eni.securityGroupIds)) &&
      eni.association?.allocationId !== undefined &&
      poolAllocations.has(eni.association.allocationId),
  );
  if (candidates.length === 0) return 'none';

  const now = input.now ?? Date.now();
  const windowMs = input.updateWindowMs ?? 3_600_000;
  const recent = functions.filter(
    (fn) => fn.version === '$LATEST' && (!fn.lastModified || now - Date.parse(fn.lastModified) < windowMs),
  );
  if (recent.length > (input.maxStateChecks ?? 50)) return 'unknown';
  try {
    for (const fn of recent) {
      const { lastUpdateStatus } = await getFunctionState(clients.lambda, fn.name);
      // A failed update is treated like one in flight: which ENIs carry its traffic is not known.
      if (lastUpdateStatus === 'InProgress' || lastUpdateStatus === 'Failed') return 'some';
    }
  } catch {
    return 'unknown';
  }
  return 'none';
}

function hasVpc(fn: FunctionConfiguration): boolean {
  return (fn.VpcConfig?.SubnetIds?.length ?? 0) > 0;
}

function toObservedFunction(
  fn: FunctionConfiguration,
  poolNames: ReadonlySet<string>,
  keepers: ReadonlySet<string>,
): ObservedFunction {
  const name = fn.FunctionName ?? '';
  return {
    name,
    version: fn.Version ?? '$LATEST',
    arn: fn.FunctionArn ?? '',
    subnetIds: [...new Set(fn.VpcConfig?.SubnetIds ?? [])].sort(),
    securityGroupIds: normaliseGroups(fn.VpcConfig?.SecurityGroupIds ?? []),
    inPool: poolNames.has(name),
    ...(keepers.has(name) ? { keeper: true } : {}),
    ...(fn.LastModified ? { lastModified: fn.LastModified } : {}),
    ...(fn.VpcConfig?.Ipv6AllowedForDualStack === undefined
      ? {}
      : { ipv6AllowedForDualStack: fn.VpcConfig.Ipv6AllowedForDualStack }),
  };
}

/** An address as the planner sees it; empty strings some implementations send count as absent. */
export function toObservedAddress(address: Address): ObservedAddress {
  const tags: Record<string, string> = {};
  for (const tag of address.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  return {
    allocationId: address.AllocationId ?? '',
    publicIp: address.PublicIp ?? '',
    tags,
    ...(address.AssociationId ? { associationId: address.AssociationId } : {}),
    ...(address.NetworkInterfaceId ? { networkInterfaceId: address.NetworkInterfaceId } : {}),
    ...(address.InstanceId ? { instanceId: address.InstanceId } : {}),
    ...(address.NetworkBorderGroup ? { networkBorderGroup: address.NetworkBorderGroup } : {}),
  };
}

function toObservedEni(eni: NetworkInterface): ObservedEni {
  const association: EniAssociation | undefined = eni.Association?.PublicIp
    ? {
        publicIp: eni.Association.PublicIp,
        ...(eni.Association.AllocationId ? { allocationId: eni.Association.AllocationId } : {}),
        ...(eni.Association.AssociationId ? { associationId: eni.Association.AssociationId } : {}),
      }
    : undefined;
  return {
    id: eni.NetworkInterfaceId ?? '',
    subnetId: eni.SubnetId ?? '',
    vpcId: eni.VpcId ?? '',
    availabilityZone: eni.AvailabilityZone ?? '',
    securityGroupIds: normaliseGroups((eni.Groups ?? []).map((group) => group.GroupId ?? '')),
    ...(association ? { association } : {}),
    description: eni.Description ?? '',
  };
}

/**
 * Public when the subnet's route table (its own, else the VPC's main one) sends 0.0.0.0/0 to an IGW; its
 * IPv6 blocks and where the table sends ::/0, for IPv6 egress.
 */
function toObservedSubnet(subnet: Subnet, routeTables: readonly RouteTable[]): ObservedSubnet {
  const id = subnet.SubnetId ?? '';
  const vpcId = subnet.VpcId ?? '';
  const inVpc = routeTables.filter((table) => table.VpcId === vpcId);
  const table =
    inVpc.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === id)) ??
    inVpc.find((t) => (t.Associations ?? []).some((a) => a.Main));
  const defaults = (table?.Routes ?? []).filter(
    (route) => route.DestinationCidrBlock === '0.0.0.0/0' && route.State !== 'blackhole',
  );
  const routesToInternetGateway = defaults.some((route) => (route.GatewayId ?? '').startsWith('igw-'));
  const natGatewayId = defaults.find((route) => route.NatGatewayId)?.NatGatewayId;
  const ipv6Route = (table?.Routes ?? []).find(
    (route) => route.DestinationIpv6CidrBlock === '::/0' && route.State !== 'blackhole',
  );
  const ipv6DefaultRoute = ipv6Route ? toIpv6DefaultRoute(ipv6Route) : undefined;
  return {
    id,
    vpcId,
    availabilityZone: subnet.AvailabilityZone ?? '',
    routesToInternetGateway,
    ...(natGatewayId ? { natGatewayId } : {}),
    ipv6CidrBlocks: subnetIpv6CidrBlocks(subnet),
    ...(ipv6DefaultRoute ? { ipv6DefaultRoute } : {}),
  };
}

/** The subnet's associated IPv6 blocks: one being disassociated no longer serves the subnet. */
export function subnetIpv6CidrBlocks(subnet: Subnet): string[] {
  return (subnet.Ipv6CidrBlockAssociationSet ?? [])
    .filter((association) => association.Ipv6CidrBlockState?.State === 'associated')
    .map((association) => association.Ipv6CidrBlock ?? '')
    .filter(Boolean);
}

function toIpv6DefaultRoute(route: Route): Ipv6DefaultRoute {
  if (route.EgressOnlyInternetGatewayId) {
    return { target: 'egress-only-internet-gateway', id: route.EgressOnlyInternetGatewayId };
  }
  const gateway = route.GatewayId ?? '';
  if (gateway.startsWith('igw-')) return { target: 'internet-gateway', id: gateway };
  const other =
    gateway ||
    route.NatGatewayId ||
    route.TransitGatewayId ||
    route.NetworkInterfaceId ||
    route.VpcPeeringConnectionId ||
    route.InstanceId ||
    'unknown';
  return { target: 'other', id: other };
}
