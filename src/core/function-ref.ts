import { InputError } from './errors.js';

/** A function named on the command line: its name, and the Region its ARN names (if an ARN was given). */
export interface FunctionRef {
  readonly input: string;
  readonly name: string;
  readonly region?: string;
  readonly accountId?: string;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ARN = /^arn:(aws[a-z-]*):lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([A-Za-z0-9_-]{1,64})$/;

/**
 * Parses a function name or unqualified function ARN. Versions and aliases are not accepted: a pool
 * covers a function with all its published versions.
 */
export function parseFunctionRef(input: string): FunctionRef {
  const value = input.trim();
  if (NAME.test(value)) return { input, name: value };
  const arn = ARN.exec(value);
  if (arn) return { input, name: arn[4] as string, region: arn[2] as string, accountId: arn[3] as string };
  if (value.startsWith('arn:')) {
    const qualified = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:[A-Za-z0-9_-]{1,64}:[^:]+$/.test(value);
    throw new InputError(
      'MalformedFunctionArn',
      qualified
        ? `function ARN ${JSON.stringify(input)} names a version or alias; pass the unqualified ARN or the name (a pool covers every version)`
        : `function ARN ${JSON.stringify(input)} is malformed; expected arn:aws:lambda:<region>:<account>:function:<name>`,
    );
  }
  throw new InputError(
    'InvalidFunctionName',
    `function name ${JSON.stringify(input)} is invalid; use the name (1-64 letters, digits, '-' or '_') or the function's ARN`,
  );
}

/** Rejects references to functions in another Region than the pool's. */
export function checkFunctionRegion(ref: FunctionRef, region: string): void {
  if (ref.region && ref.region !== region) {
    throw new InputError(
      'FunctionInOtherRegion',
      `function ${ref.input} is in ${ref.region} but this pool is in ${region}; pass --region ${ref.region} (a pool lives in one Region)`,
    );
  }
}
