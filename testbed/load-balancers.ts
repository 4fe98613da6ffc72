import type { LocalAws } from './local-aws.js';

/** One subnet of a Network Load Balancer and the Elastic IP its node there takes. */
export interface NlbSubnetMapping {
  readonly subnetId: string;
  readonly allocationId: string;
}

/** An AWS API error from the ELBv2 Query API: `name` is its code (`ResourceInUse`, …). */
export class ElbApiError extends Error {}

/**
 * Creates an internet-facing Network Load Balancer with one Elastic IP per subnet, as
 * `NetworkLoadBalancerIngress` has CloudFormation do, through the ELBv2 Query API of the local AWS. The
 * project has no ELBv2 SDK client (production code never calls ELBv2), so this speaks the wire format
 * itself; the local AWS reads the service from the credential scope and checks no signature.
 */
export async function createNetworkLoadBalancer(
  localAws: LocalAws,
  input: { readonly name: string; readonly subnetMappings: readonly NlbSubnetMapping[] },
): Promise<{ readonly arn: string }> {
  const parameters: Record<string, string> = {
    Action: 'CreateLoadBalancer',
    Name: input.name,
    Type: 'network',
    Scheme: 'internet-facing',
  };
  input.subnetMappings.forEach((mapping, index) => {
    parameters[`SubnetMappings.member.${index + 1}.SubnetId`] = mapping.subnetId;
    parameters[`SubnetMappings.member.${index + 1}.AllocationId`] = mapping.allocationId;
  });
  const body = await elbv2(localAws, parameters);
  const arn = /<LoadBalancerArn>([^<]+)<\/LoadBalancerArn>/.exec(body)?.[1];
  if (!arn) throw new Error(`CreateLoadBalancer returned no LoadBalancerArn: ${body.slice(0, 200)}`);
  return { arn };
}

/** Deletes a load balancer; its ENIs go with it, and so do their Elastic IPs' associations. */
export async function deleteLoadBalancer(localAws: LocalAws, arn: string): Promise<void> {
  await elbv2(localAws, { Action: 'DeleteLoadBalancer', LoadBalancerArn: arn });
}

async function elbv2(localAws: LocalAws, parameters: Record<string, string>): Promise<string> {
  const response = await fetch(`${localAws.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=test/20240101/${localAws.region}/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2015-12-01', ...parameters }).toString(),
  });
  const body = await response.text();
  if (!response.ok) {
    const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? `HTTP${response.status}`;
    const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? body.slice(0, 200);
    throw Object.assign(new ElbApiError(message), { name: code });
  }
  return body;
}
