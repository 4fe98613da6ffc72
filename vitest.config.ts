import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Each test file that needs AWS starts its own local AWS (about 2 s), so files stay independent.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['./test/support/build-once.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    env: { AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
