import { AllocateAddressCommand, type EC2Client } from '@aws-sdk/client-ec2';

/** Allocates an Elastic IP on the local AWS with the given tags (none: an address outside any pool). */
export async function allocateAddress(
  ec2: EC2Client,
  tags: Readonly<Record<string, string>> = {},
): Promise<{ id: string; ip: string }> {
  const entries = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  const address = await ec2.send(
    new AllocateAddressCommand({
      Domain: 'vpc',
      ...(entries.length > 0 ? { TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: entries }] } : {}),
    }),
  );
  return { id: address.AllocationId as string, ip: address.PublicIp as string };
}
