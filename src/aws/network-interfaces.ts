import {
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  paginateDescribeNetworkInterfaces,
} from '@aws-sdk/client-ec2';
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
 * second address simply displaces the first), so binders check right before they bind. The ENI and the
 * addresses are read separately, and either read may be behind (EC2 is eventually consistent): the ENI
 * counts as bound if either shows it bound.
 */
export async function eniAddressState(
  clients: AwsClients,
  networkInterfaceId: string,
): Promise<EniAddressState> {
  const [eni, naming] = await Promise.all([
    clients.ec2
      .send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] }))
      .then(
        (response) => ({ found: true as const, association: response.NetworkInterfaces?.[0]?.Association }),
        (error: unknown) => {
          if (awsErrorCode(error) === 'InvalidNetworkInterfaceID.NotFound') return { found: false as const };
          throw error;
        },
      ),
    addressesNaming(clients, [networkInterfaceId]),
  ]);
  const byAddress = naming[0];
  if (eni.found && eni.association?.PublicIp) {
    return {
      state: 'bound',
      publicIp: eni.association.PublicIp,
      ...(eni.association.AllocationId ? { allocationId: eni.association.AllocationId } : {}),
    };
  }
  if (byAddress?.PublicIp) {
    return {
      state: 'bound',
      publicIp: byAddress.PublicIp,
      ...(byAddress.AllocationId ? { allocationId: byAddress.AllocationId } : {}),
    };
  }
  return eni.found ? { state: 'free' } : { state: 'unknown' };
}

/**
 * Which of these ENIs hold a public IP right now, in one call per 200 ENIs to each side: the ENIs
 * (a filter, so that an ENI that is gone is simply absent rather than an error) and the addresses naming
 * them. An ENI counts as bound if either read shows it bound: both are eventually consistent, and a
 * binding one of them does not show yet must still stop a second one. Binders ask just before a batch
 * of bindings: the window in which a concurrent run could bind the same ENI shrinks to the batch, and
 * the number of reads stays constant instead of one per ENI.
 */
export async function enisHoldingAddresses(
  clients: AwsClients,
  networkInterfaceIds: readonly string[],
): Promise<Set<string>> {
  const ids = [...new Set(networkInterfaceIds)];
  const [enis, addresses] = await Promise.all([
    readByFilter(
      'ec2:DescribeNetworkInterfaces (ENIs about to be bound)',
      ids,
      (chunk) =>
        paginateDescribeNetworkInterfaces(
          { client: clients.ec2, pageSize: 1000 },
          { Filters: [{ Name: 'network-interface-id', Values: chunk }] },
        ),
      (page) => page.NetworkInterfaces,
    ),
    addressesNaming(clients, ids),
  ]);
  return new Set([
    ...enis.flatMap((eni) =>
      eni.NetworkInterfaceId && eni.Association?.PublicIp ? [eni.NetworkInterfaceId] : [],
    ),
    ...addresses.flatMap((address) => (address.NetworkInterfaceId ? [address.NetworkInterfaceId] : [])),
  ]);
}

/** The Elastic IPs whose association names one of these ENIs (DescribeAddresses has no paging). */
function addressesNaming(clients: AwsClients, networkInterfaceIds: readonly string[]) {
  return readByFilter(
    'ec2:DescribeAddresses (addresses on the ENIs about to be bound)',
    networkInterfaceIds,
    async function* (chunk) {
      yield await clients.ec2.send(
        new DescribeAddressesCommand({ Filters: [{ Name: 'network-interface-id', Values: chunk }] }),
      );
    },
    (page) => page.Addresses,
  );
}
