import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fixture apps' own tests run inside those apps (test/package/), not here.
    exclude: [...configDefaults.exclude, 'test/fixtures/**'],
    pool: 'forks',
    maxWorkers: 2,
    // Each test file that needs AWS starts its own local AWS (about 2 s), so files stay independent.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['./test/support/temporary-root.ts', './test/support/build-once.ts'],
    setupFiles: ['./test/support/remove-temporary.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    env: { AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
