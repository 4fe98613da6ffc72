import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli-in-process.js';

// No AWS is reached: every refusal comes before the first call (the endpoint would refuse anything).
const clientOptions = {
  region: 'us-east-1',
  endpointUrl: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

describe('field-test input', () => {
  it('refuses to create anything without --yes when there is no terminal, after showing what and the cost (exit 2)', async () => {
    const run = await runCliInProcess(['field-test', '--json'], { clientOptions });
    expect(run.code).toBe(2);
    expect(run.json<{ error: { code: string } }>().error.code).toBe('ConfirmationRequired');
    expect(run.stderr).toMatch(/estimated cost, at most: \$\d+\.\d\d/);
    expect(run.stderr).toContain('4 new Elastic IPs');
    // The keeper scenario's keepers, and the pool IPs their ENIs take, are in the plan.
    expect(run.stderr).toContain(
      "sg-change-keeper: 2 keepers as `prepare` makes them (128 MB, a daily EventBridge schedule each, their role under /lambda-static-ip/keeper/), whose 2 ENIs take 2 of the 4 IPs beside the function's own",
    );
  });

  it('names the scenarios it knows, and says why idle reclaim cannot be forced (exit 2)', async () => {
    const unknown = await runCliInProcess(['field-test', '--scenarios', 'first-bind,nope', '--yes'], {
      clientOptions,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown scenario "nope"');
    expect(unknown.stderr).toContain('sg-change-spares');
    const idle = await runCliInProcess(['field-test', '--scenarios', 'idle-reclaim', '--yes'], {
      clientOptions,
    });
    expect(idle.code).toBe(2);
    expect(idle.stderr).toContain('no API starts it');
  });

  it('takes --run-id only with --cleanup, and checks its form (exit 2)', async () => {
    const withoutCleanup = await runCliInProcess(['field-test', '--run-id', 'abcd1234', '--yes'], {
      clientOptions,
    });
    expect(withoutCleanup.code).toBe(2);
    const malformed = await runCliInProcess(['field-test', '--cleanup', '--run-id', 'ABC;rm'], {
      clientOptions,
    });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('"ABC;rm" is not a field-test run id');
  });
});
