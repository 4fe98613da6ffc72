import { type EC2Client, paginateDescribeNetworkInterfaces } from '@aws-sdk/client-ec2';
import type { ObservedInterface } from '../core/model.js';
import { readFailed } from './errors.js';
import { chunks, FILTER_VALUES_PER_CALL } from './filter-chunks.js';

/**
 * Describes the ENIs that hold some addresses, by id, to learn what each is (`InterfaceType`,
 * `Description`): one paged call per 200 ids, never one per address. The ids go in a
 * `network-interface-id` filter rather than `NetworkInterfaceIds`, so an ENI deleted since the addresses
 * were read is simply missing from the answer instead of failing the whole call.
 */
export async function describeInterfaces(
  ec2: EC2Client,
  networkInterfaceIds: readonly string[],
): Promise<ObservedInterface[]> {
  const ids = [...new Set(networkInterfaceIds)].sort();
  const found: ObservedInterface[] = [];
  try {
    for (const chunk of chunks(ids, FILTER_VALUES_PER_CALL)) {
      const pages = paginateDescribeNetworkInterfaces(
        { client: ec2, pageSize: 1000 },
        { Filters: [{ Name: 'network-interface-id', Values: chunk }] },
      );
      for await (const page of pages) {
        for (const eni of page.NetworkInterfaces ?? []) {
          found.push({
            id: eni.NetworkInterfaceId ?? '',
            interfaceType: eni.InterfaceType ?? 'interface',
            description: eni.Description ?? '',
          });
        }
      }
    }
  } catch (error) {
    throw readFailed('ec2:DescribeNetworkInterfaces (what holds the pool addresses)', error);
  }
  return found;
}
