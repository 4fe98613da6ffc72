import { InvalidArgumentError } from 'commander';

/** Parses a whole number within bounds, for option values; names the option and the rule on failure. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`expected a whole number, got "${value}".`);
    const parsed = Number(value);
    if (parsed < min || parsed > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `must be ${min} or more, got ${parsed}.`
          : `must be ${min}-${max}, got ${parsed}.`,
      );
    }
    return parsed;
  };
}

/** Parses a decimal number within bounds (`100`, `2.5`), for amounts like GB; names the rule on failure. */
export function decimalNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(value.trim()))
      throw new InvalidArgumentError(`expected a number, got "${value}".`);
    const parsed = Number(value);
    if (parsed < min || parsed > max) throw new InvalidArgumentError(`must be ${min}-${max}, got ${parsed}.`);
    return parsed;
  };
}

/** Collects a repeatable option (`--function a --function b`) into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
