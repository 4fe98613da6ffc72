#!/usr/bin/env node
// The SDK releases we pin support Node 20; its advice to upgrade is not actionable for CLI users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { runCli } = await import('./program.js');
process.exitCode = await runCli(process.argv.slice(2));
