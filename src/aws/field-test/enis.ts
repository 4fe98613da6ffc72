import { DescribeNetworkInterfacesCommand, type EC2Client } from '@aws-sdk/client-ec2';

/** A Hyperplane ENI in the run's VPC. */
export interface FieldTestEni {
  readonly id: string;
  readonly subnetId: string;
  readonly securityGroupIds: readonly string[];
  readonly publicIp?: string;
  readonly associationId?: string;
}

/**
 * The Lambda (Hyperplane) ENIs in a VPC, every page. Filtered by VPC on the server and by
 * `InterfaceType` here: Lambda's ENIs report `lambda` (EC2 API reference, NetworkInterface.InterfaceType).
 */
export async function describeLambdaEnis(ec2: EC2Client, vpcId: string): Promise<FieldTestEni[]> {
  const enis: FieldTestEni[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'vpc-id', Values: [vpcId] }],
        MaxResults: 1000,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const eni of page.NetworkInterfaces ?? []) {
      if (eni.InterfaceType !== 'lambda' || !eni.NetworkInterfaceId || !eni.SubnetId) continue;
      enis.push({
        id: eni.NetworkInterfaceId,
        subnetId: eni.SubnetId,
        securityGroupIds: (eni.Groups ?? []).flatMap((group) => (group.GroupId ? [group.GroupId] : [])),
        ...(eni.Association?.PublicIp ? { publicIp: eni.Association.PublicIp } : {}),
        ...(eni.Association?.AssociationId ? { associationId: eni.Association.AssociationId } : {}),
      });
    }
    token = page.NextToken;
  } while (token);
  return enis;
}
