import { InputError } from './errors.js';

/** A VPC id, as a human reads the rule. */
export const VPC_ID_RULE = 'vpc- followed by 8 or 17 hex digits (aws ec2 describe-vpcs shows them)';

const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Throws an InputError `InvalidVpcId` naming the value and the rule unless it is a VPC id. */
export function validateVpcId(value: string): string {
  if (!VPC_ID.test(value)) {
    throw new InputError(
      'InvalidVpcId',
      `VPC id ${JSON.stringify(value)} is invalid: expected ${VPC_ID_RULE}`,
    );
  }
  return value;
}
