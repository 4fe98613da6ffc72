import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
} from '@aws-sdk/client-ec2';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import type { AwsClients } from '../src/aws/clients.js';
import { combinationKey } from '../src/core/combination.js';
import { POOL_TAG_KEY } from '../src/core/pool.js';

/**
 * The per-function method of the public sample this project is measured against: for each function,
 * read its configuration; for each of its subnets, describe the ENIs with subnet and group filters and
 * bind any without an IP. Written here only to be measured; it is generous to the baseline (one
 * DescribeAddresses up front instead of one per binding).
 */
export async function baselineReconcile(
  clients: AwsClients,
  functionNames: readonly string[],
  pool: string,
): Promise<void> {
  const addresses = await clients.ec2.send(
    new DescribeAddressesCommand({ Filters: [{ Name: `tag:${POOL_TAG_KEY}`, Values: [pool] }] }),
  );
  const free = (addresses.Addresses ?? [])
    .filter((address) => !address.AssociationId)
    .map((a) => a.AllocationId as string);
  const bound = new Set<string>();
  for (const name of functionNames) {
    const config = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    const groups = config.VpcConfig?.SecurityGroupIds ?? [];
    for (const subnetId of config.VpcConfig?.SubnetIds ?? []) {
      const described = await clients.ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [
            { Name: 'subnet-id', Values: [subnetId] },
            { Name: 'group-id', Values: [...groups] },
          ],
        }),
      );
      const key = combinationKey(subnetId, groups);
      for (const eni of described.NetworkInterfaces ?? []) {
        const eniKey = combinationKey(
          eni.SubnetId ?? '',
          (eni.Groups ?? []).map((g) => g.GroupId ?? ''),
        );
        if (eniKey !== key || eni.Association?.PublicIp || bound.has(eni.NetworkInterfaceId ?? '')) continue;
        let allocationId = free.shift();
        if (!allocationId) {
          const allocated = await clients.ec2.send(
            new AllocateAddressCommand({
              Domain: 'vpc',
              TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: POOL_TAG_KEY, Value: pool }] }],
            }),
          );
          allocationId = allocated.AllocationId as string;
        }
        await clients.ec2.send(
          new AssociateAddressCommand({
            AllocationId: allocationId,
            NetworkInterfaceId: eni.NetworkInterfaceId,
            AllowReassociation: false,
          }),
        );
        bound.add(eni.NetworkInterfaceId ?? '');
      }
    }
  }
}
