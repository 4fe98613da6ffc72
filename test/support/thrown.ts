import { StaticIpError } from '../../src/core/errors.js';

/** Runs `action`, which must throw a StaticIpError, and returns that error for assertions on code and text. */
export function thrownBy(action: () => unknown): StaticIpError {
  try {
    action();
  } catch (error) {
    if (error instanceof StaticIpError) return error;
    throw new Error(`expected a StaticIpError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a StaticIpError, but nothing was thrown');
}
