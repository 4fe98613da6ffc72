import { DescribeAccountAttributesCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';

/**
 * The Region's Elastic IP limit (`vpc-max-elastic-ips`, which follows the applied quota), or undefined
 * when it cannot be read (no permission, or EC2 not answering): the audit then says so instead of
 * failing. One call. Service Quotas (L-0263D0A3) is not asked: it would add a client and a permission
 * for the same number.
 */
export async function elasticIpLimit(clients: AwsClients): Promise<number | undefined> {
  try {
    // All attributes: the API model lists only supported-platforms and default-vpc as names to ask for.
    const response = await clients.ec2.send(new DescribeAccountAttributesCommand({}));
    const attribute = (response.AccountAttributes ?? []).find(
      (candidate) => candidate.AttributeName === 'vpc-max-elastic-ips',
    );
    const value = Number(attribute?.AttributeValues?.[0]?.AttributeValue);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
