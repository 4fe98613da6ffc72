/**
 * The Serverless Framework plugin `lambda-static-ip/serverless` (v3 plugin API, which v4 and osls keep):
 * `plugins: [lambda-static-ip/serverless]` and `custom.lambdaStaticIp` add a pool, the controller and its
 * alarms to the service's stack. See docs/toolchains.md.
 */
import { LambdaStaticIpPlugin } from './plugin.js';

export default LambdaStaticIpPlugin;
export type { PluginConfig } from './plugin-config.js';
export { LambdaStaticIpPlugin };
