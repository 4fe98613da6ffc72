import { PUBLIC_IPV4_PRICE } from '../public-ip-price.js';

/** Lambda's on-demand prices (us-east-1, x86), https://aws.amazon.com/lambda/pricing/. */
const LAMBDA_USD_PER_REQUEST = 0.2 / 1_000_000;
const LAMBDA_USD_PER_GB_SECOND = 0.0000166667;

export interface FieldTestCostInput {
  /** Elastic IPs the run allocates. */
  readonly ips: number;
  /** The most the run may last, cleanup's wait for Lambda's ENI deletion included. */
  readonly budgetMinutes: number;
  /** Invocations at most, over the whole run. */
  readonly invocations: number;
  /** The test functions' memory. */
  readonly memoryMb: number;
  /** Billed duration of one invocation (an HTTPS request to the echo endpoint, or its timeout). */
  readonly invocationMs: number;
}

export interface FieldTestCostEstimate {
  readonly ipsUsd: number;
  readonly lambdaUsd: number;
  readonly totalUsd: number;
  /** One line per item, for the prompt and the docs. */
  readonly lines: readonly string[];
}

/**
 * An upper estimate of what a field test costs: the public IPv4 charge of its Elastic IPs for the whole
 * budget (an hour started is charged as a whole one, rounded up here), and its invocations at Lambda's
 * on-demand price. The VPC, subnets, internet gateway, security groups, roles and the keeper scenario's
 * keepers (invoked once a day) cost nothing; the echo
 * requests' data transfer is a few bytes each.
 */
export function estimateFieldTestCost(input: FieldTestCostInput): FieldTestCostEstimate {
  const hours = Math.ceil(input.budgetMinutes / 60);
  const ipsUsd = input.ips * hours * PUBLIC_IPV4_PRICE.usdPerHour;
  const gbSeconds = input.invocations * (input.memoryMb / 1024) * (input.invocationMs / 1000);
  const lambdaUsd = input.invocations * LAMBDA_USD_PER_REQUEST + gbSeconds * LAMBDA_USD_PER_GB_SECOND;
  const round = (usd: number) => Math.ceil(usd * 100) / 100;
  return {
    ipsUsd: round(ipsUsd),
    lambdaUsd: round(lambdaUsd),
    totalUsd: round(ipsUsd + lambdaUsd),
    lines: [
      `${input.ips} Elastic IPs for up to ${hours} h at $${PUBLIC_IPV4_PRICE.usdPerHour}/h each: $${round(ipsUsd).toFixed(2)}`,
      `up to ${input.invocations} invocations of ${input.memoryMb} MB for ${input.invocationMs} ms or less: $${round(lambdaUsd).toFixed(2)}`,
      'VPC, subnets, internet gateway, security groups, IAM roles, keepers (a daily schedule: an invocation at most): $0',
    ],
  };
}
