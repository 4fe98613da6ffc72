import { DescribeNetworkInterfacesCommand, paginateDescribeNetworkInterfaces } from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';
import { awsErrorCode } from './errors.js';
import { readByFilter } from './filter-chunks.js';

/** What an ENI holds right now, asked by id just before a binding. */
export type EniAddressState =
  | { readonly state: 'free' }
  | { readonly state: 'bound'; readonly publicIp: string; readonly allocationId?: string }
  /** EC2 does not know the id (yet, or any more): the binding itself will say which. */
  | { readonly state: 'unknown' };

/**
 * The public IP an ENI holds now. EC2 has no compare-and-swap on the ENI side of an association (a
 * second address simply displaces the first), so binders check right before they bind: it narrows
 * the window in which two concurrent runs could both bind the same ENI to a single round trip.
 */
export async function eniAddressState(
  clients: AwsClients,
  networkInterfaceId: string,
): Promise<EniAddressState> {
  try {
    const response = await clients.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] }),
    );
    const association = response.NetworkInterfaces?.[0]?.Association;
    if (!association?.PublicIp) return { state: 'free' };
    return {
      state: 'bound',
      publicIp: association.PublicIp,
      ...(association.AllocationId ? { allocationId: association.AllocationId } : {}),
    };
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidNetworkInterfaceID.NotFound') return { state: 'unknown' };
    throw error;
  }
}

/**
 * Which of these ENIs hold a public IP right now, in one call per 200 ENIs (a filter, so that an ENI
 * that is gone is simply absent rather than an error). Binders ask just before a batch of bindings:
 * the window in which a concurrent run could bind the same ENI shrinks to the batch, and the number of
 * reads stays constant instead of one per ENI.
 */
export async function enisHoldingAddresses(
  clients: AwsClients,
  networkInterfaceIds: readonly string[],
): Promise<Set<string>> {
  const enis = await readByFilter(
    'ec2:DescribeNetworkInterfaces (ENIs about to be bound)',
    [...new Set(networkInterfaceIds)],
    (chunk) =>
      paginateDescribeNetworkInterfaces(
        { client: clients.ec2, pageSize: 1000 },
        { Filters: [{ Name: 'network-interface-id', Values: chunk }] },
      ),
    (page) => page.NetworkInterfaces,
  );
  return new Set(
    enis.flatMap((eni) =>
      eni.NetworkInterfaceId && eni.Association?.PublicIp ? [eni.NetworkInterfaceId] : [],
    ),
  );
}
