import { type EC2Client, paginateDescribeNetworkInterfaces } from '@aws-sdk/client-ec2';
import type { ObservedInterface } from '../core/model.js';
import { readByFilter } from './filter-chunks.js';

/**
 * Describes the ENIs that hold some addresses, by id, to learn what each is (`InterfaceType`,
 * `Description`, the instance it is attached to and its source/destination check): one paged call per 200 ids, never one per address. The ids go in a
 * `network-interface-id` filter rather than `NetworkInterfaceIds`, so an ENI deleted since the addresses
 * were read is simply missing from the answer instead of failing the whole call.
 */
export async function describeInterfaces(
  ec2: EC2Client,
  networkInterfaceIds: readonly string[],
): Promise<ObservedInterface[]> {
  const enis = await readByFilter(
    'ec2:DescribeNetworkInterfaces (what holds the pool addresses)',
    [...new Set(networkInterfaceIds)].sort(),
    (chunk) =>
      paginateDescribeNetworkInterfaces(
        { client: ec2, pageSize: 1000 },
        { Filters: [{ Name: 'network-interface-id', Values: chunk }] },
      ),
    (page) => page.NetworkInterfaces,
  );
  return enis.map((eni) => ({
    id: eni.NetworkInterfaceId ?? '',
    interfaceType: eni.InterfaceType ?? 'interface',
    description: eni.Description ?? '',
    ...(eni.Attachment?.InstanceId ? { instanceId: eni.Attachment.InstanceId } : {}),
    ...(eni.SourceDestCheck === undefined ? {} : { sourceDestCheck: eni.SourceDestCheck }),
  }));
}
