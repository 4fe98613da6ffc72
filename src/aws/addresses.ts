import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateTagsCommand,
  DescribeAddressesCommand,
  DisassociateAddressCommand,
  type EC2Client,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import { compareIps } from '../core/ip-order.js';
import type { ObservedAddress } from '../core/model.js';
import { allocatedForTag, LAST_SUBNET_TAG_KEY, POOL_TAG_KEY } from '../core/pool.js';
import { awsErrorCode, readFailed } from './errors.js';
import { toObservedAddress } from './observe.js';

/**
 * Every write lambda-static-ip makes to Elastic IPs. Callers decide *whether* to call; these only make
 * the call right: AllowReassociation always explicit, tags at allocation, association ids as guards.
 */

/** The addresses carrying this pool's tag, sorted by public IP. */
export async function describePoolAddresses(ec2: EC2Client, pool: string): Promise<ObservedAddress[]> {
  try {
    const response = await ec2.send(
      new DescribeAddressesCommand({ Filters: [{ Name: `tag:${POOL_TAG_KEY}`, Values: [pool] }] }),
    );
    return (response.Addresses ?? [])
      .map(toObservedAddress)
      .filter((address) => address.tags[POOL_TAG_KEY] === pool)
      .sort((a, b) => compareIps(a.publicIp, b.publicIp));
  } catch (error) {
    throw readFailed('ec2:DescribeAddresses', error);
  }
}

/** Binds a free address to an ENI. AllowReassociation=false: fails if anyone bound it meanwhile. */
export async function associateFreeAddress(
  ec2: EC2Client,
  allocationId: string,
  networkInterfaceId: string,
): Promise<string> {
  const response = await ec2.send(
    new AssociateAddressCommand({
      AllocationId: allocationId,
      NetworkInterfaceId: networkInterfaceId,
      AllowReassociation: false,
    }),
  );
  return response.AssociationId ?? '';
}

/**
 * Removes one specific association. Naming the association id (not the address) makes it a
 * compare-and-swap: if the address has moved since it was observed, nothing happens and the call fails
 * with InvalidAssociationID.NotFound.
 */
export async function disassociate(ec2: EC2Client, associationId: string): Promise<void> {
  await ec2.send(new DisassociateAddressCommand({ AssociationId: associationId }));
}

/**
 * Allocates a VPC address carrying the pool tag (and the ENI it is for) from its first moment.
 *
 * AllocateAddress is not idempotent (it has no client token): when its response is lost, sending it
 * again would allocate a second address. So it is sent again only after a refusal that proves nothing
 * happened (throttling, or any 4xx); after a 5xx or a dropped connection it fails with
 * `AllocationOutcomeUnknown`, and the caller's next observation finds the address if it exists (it
 * carries the pool tag from its first moment).
 */
export async function allocatePoolAddress(
  ec2: EC2Client,
  pool: string,
  networkInterfaceId?: string,
  /** More tags from the first moment, e.g. the field test's run id. @default none */
  extraTags: Readonly<Record<string, string>> = {},
): Promise<{ allocationId: string; publicIp: string }> {
  const tags = [{ Key: POOL_TAG_KEY, Value: pool }];
  // Marked for its ENI, not yet with a last subnet (see allocatedForTag); binding sets that.
  if (networkInterfaceId) tags.push({ Key: LAST_SUBNET_TAG_KEY, Value: allocatedForTag(networkInterfaceId) });
  for (const [Key, Value] of Object.entries(extraTags)) tags.push({ Key, Value });
  const command = new AllocateAddressCommand({
    Domain: 'vpc',
    TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: tags }],
  });
  // Inside the SDK's retry loop (same step, lower priority), so it sees every attempt's error.
  command.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (refusedBeforeActing(error)) throw error;
        throw outcomeUnknown(error);
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'lambdaStaticIpAllocateAtMostOnce' },
  );
  const response = await ec2.send(command);
  if (!response.AllocationId || !response.PublicIp)
    throw new Error('AllocateAddress returned no allocation id');
  return { allocationId: response.AllocationId, publicIp: response.PublicIp };
}

/** A refusal that proves the request did nothing: throttling, or any 4xx answer. */
function refusedBeforeActing(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = awsErrorCode(error) ?? '';
  return (status !== undefined && status >= 400 && status < 500) || THROTTLING.has(code);
}

const THROTTLING = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottled']);

function outcomeUnknown(error: unknown): Error {
  const detail = `${awsErrorCode(error) ?? 'Error'}: ${error instanceof Error ? error.message : String(error)}`;
  // Deliberately no `cause`: the SDK would find the transient error in it and send the call again.
  return Object.assign(
    new Error(
      `the response to AllocateAddress was lost (${detail}); it is not sent again, so as never to allocate twice`,
    ),
    { name: 'AllocationOutcomeUnknown', lostResponse: error },
  );
}

/** Records, on addresses of the pool, the subnet they now serve. */
export async function rememberSubnet(
  ec2: EC2Client,
  allocationIds: readonly string[],
  subnetId: string,
): Promise<void> {
  await ec2.send(
    new CreateTagsCommand({
      Resources: [...allocationIds],
      Tags: [{ Key: LAST_SUBNET_TAG_KEY, Value: subnetId }],
    }),
  );
}

/** Gives an address back to AWS. Only `release --yes` calls this. */
export async function releaseAddress(ec2: EC2Client, allocationId: string): Promise<void> {
  await ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId }));
}

/**
 * Retries a call on an address or ENI created moments ago: EC2 is eventually consistent, and a new id
 * may be unknown to the next call for a short while.
 */
export async function retryWhileNew<T>(
  call: () => Promise<T>,
  options: { attempts?: number; delayMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = awsErrorCode(error);
      const notYetVisible =
        code === 'InvalidAllocationID.NotFound' || code === 'InvalidNetworkInterfaceID.NotFound';
      if (!notYetVisible || attempt >= attempts) throw error;
      await sleep((options.delayMs ?? 250) * 2 ** (attempt - 1));
    }
  }
}

/**
 * Removes associations by their ids, one call each. An id that is already gone
 * (`InvalidAssociationID.NotFound`: Lambda deleted the ENI, or someone unbound it) counts as done, so
 * running this twice is harmless. Never releases an address.
 */
export async function disassociateAll(
  ec2: EC2Client,
  associationIds: readonly string[],
): Promise<{ disassociated: string[]; alreadyGone: string[] }> {
  const disassociated: string[] = [];
  const alreadyGone: string[] = [];
  for (const associationId of associationIds) {
    try {
      await disassociate(ec2, associationId);
      disassociated.push(associationId);
    } catch (error) {
      if (awsErrorCode(error) !== 'InvalidAssociationID.NotFound') throw error;
      alreadyGone.push(associationId);
    }
  }
  return { disassociated, alreadyGone };
}
