import { InputError } from './errors.js';

/** An Elastic IP's allocation id, as a human reads the rule. */
export const ALLOCATION_ID_RULE =
  'eipalloc- followed by 8-17 hex digits (aws ec2 describe-addresses shows them)';

const ALLOCATION_ID = /^eipalloc-[0-9a-f]{8,17}$/;

/** True for a well-formed allocation id (`eipalloc-0abc…`). */
export function isAllocationId(value: string): boolean {
  return ALLOCATION_ID.test(value);
}

/** Throws an InputError `InvalidAllocationId` naming the value and the rule unless it is an allocation id. */
export function validateAllocationId(value: string): string {
  if (!isAllocationId(value)) {
    throw new InputError(
      'InvalidAllocationId',
      `allocation id ${JSON.stringify(value)} is invalid: expected ${ALLOCATION_ID_RULE}`,
    );
  }
  return value;
}
