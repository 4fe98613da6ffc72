import { afterAll, beforeAll } from 'vitest';
import { type LocalAws, type LocalAwsOptions, startLocalAws } from '../../testbed/index.js';

/**
 * Starts a local AWS for the test file (before its first test) and stops it after the last.
 * Returns a getter, because the server exists only once beforeAll has run.
 */
export function useLocalAws(options: LocalAwsOptions = {}): () => LocalAws {
  let localAws: LocalAws | undefined;
  beforeAll(async () => {
    localAws = await startLocalAws(options);
  });
  afterAll(async () => {
    await localAws?.stop();
  });
  return () => {
    if (!localAws) throw new Error('the local AWS is not running yet: call it inside a test or hook');
    return localAws;
  };
}
