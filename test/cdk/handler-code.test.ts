import { Stack } from 'aws-cdk-lib';
import { describe, expect, it, vi } from 'vitest';
import { handlerCode } from '../../src/cdk/handler-code.js';
import { thrownBy } from '../support/thrown.js';

// As in a checkout where `npm run build` never ran: no bundle anywhere.
vi.mock('node:fs', async (original) => ({
  ...(await original<typeof import('node:fs')>()),
  existsSync: () => false,
}));

describe('handlerCode', () => {
  it('fails at synth, naming the construct, the bundle and the fix, when the bundle was not built', () => {
    const stack = new Stack(undefined, 'NoBuild');
    const error = thrownBy(() => handlerCode(stack, 'controller'));
    expect(error.code).toBe('HandlerBundleMissing');
    expect(error.message).toMatch(/^NoBuild: the controller handler bundle \(index\.mjs\) is missing from /);
    expect(error.message).toMatch(/dist\/handlers\/controller/);
    expect(error.message).toMatch(/run npm run build/);
  });
});
