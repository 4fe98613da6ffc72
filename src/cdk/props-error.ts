import type { IConstruct } from 'constructs';
import { InputError } from '../core/errors.js';

/**
 * A synth-time error for bad construct props: the project's coded `InputError`, with the construct path
 * first so that the user sees which construct in a large app is wrong.
 */
export function propsError(scope: IConstruct, code: string, message: string, cause?: unknown): InputError {
  return new InputError(code, `${scope.node.path}: ${message}`, cause === undefined ? undefined : { cause });
}
