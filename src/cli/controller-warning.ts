import type { AwsClients } from '../aws/clients.js';
import { describeError } from './describe-error.js';
import type { Output } from './output.js';

/**
 * Looks for an in-account controller of the pool and warns that it binds free pool IPs to the pool's
 * Lambda ENIs again (within a minute: its schedule) unless it is removed first. Best effort: a failed
 * lookup is a warning too, never the command's failure. Returns the controllers found (undefined: unknown).
 */
export async function warnAboutController(
  clients: AwsClients,
  pool: string,
  output: Output,
  what: string,
): Promise<string[] | undefined> {
  const remedy =
    'remove the HyperplaneEgress construct from its stack and deploy (its custom resource\'s Delete unbinds the pool the same way; the construct has no "paused" setting)';
  try {
    const { findPoolControllers } = await import('../aws/controller-functions.js');
    const controllers = await findPoolControllers(clients.lambda, pool);
    if (controllers.length > 0) {
      output.warn(
        `the in-account controller of pool "${pool}" is deployed (${controllers.join(', ')}): it binds ${what} to the pool's Lambda ENIs again within a minute; ${remedy}`,
      );
    } else {
      output.warn(
        `no in-account controller of pool "${pool}" was found; anything else that runs \`lambda-static-ip apply --pool ${pool}\` (CI, cron) binds ${what} again: stop it first`,
      );
    }
    return controllers;
  } catch (error) {
    output.warn(
      `could not check for an in-account controller (${describeError(error)}); if one is deployed for pool "${pool}", it binds ${what} again within a minute: ${remedy}`,
    );
    return undefined;
  }
}
