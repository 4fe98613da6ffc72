import type { AwsClients } from '../../aws/clients.js';
import { createIamClient } from '../../aws/clients.js';
import {
  deleteEchoFunction,
  deleteFieldTestRoles,
  EchoFunctions,
  invokeEchoFunction,
} from '../../aws/field-test/lambda-functions.js';
import type { GlobalOptions } from '../command.js';
import type { FieldTestTarget } from './target.js';

/**
 * A field-test target in a real account: Lambda runs the echo handler, the clock is the wall clock.
 * CloudTrail event delivery is not measured: that needs an EventBridge rule and a queue the run would
 * have to create and remove, which this version does not do.
 */
export async function openAwsFieldTestTarget(
  clients: AwsClients,
  globals: GlobalOptions,
  runId: string,
): Promise<FieldTestTarget> {
  const region = await clients.ec2.config.region();
  const iam = createIamClient({
    region,
    ...(globals.profile ? { profile: globals.profile } : {}),
    ...(globals.endpointUrl ? { endpointUrl: globals.endpointUrl } : {}),
  });
  const functions = new EchoFunctions(clients.lambda, iam, region, runId);
  return {
    mode: 'aws',
    region,
    clients,
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    invoker: { invoke: (name) => invokeEchoFunction(clients.lambda, name) },
    lambda: {
      createFunction: (input) => functions.create(input),
      updateVpcConfig: (name, placement) => functions.updateVpcConfig(name, placement),
      deleteFunction: (name) => functions.delete(name),
      teardown: () => functions.teardown(),
    },
    events: {
      available: false,
      reason:
        "not measured by this version: it would need an EventBridge rule for CloudTrail's CreateNetworkInterface events and a queue to receive them",
    },
  };
}

/** What `--cleanup` needs besides EC2: deleting functions and the runs' execution roles. */
export async function fieldTestRole(clients: AwsClients, globals: GlobalOptions) {
  const region = await clients.ec2.config.region();
  const iam = createIamClient({
    region,
    ...(globals.profile ? { profile: globals.profile } : {}),
    ...(globals.endpointUrl ? { endpointUrl: globals.endpointUrl } : {}),
  });
  return {
    deleteFunction: (name: string) => deleteEchoFunction(clients.lambda, name),
    deleteRoles: async (runId?: string) =>
      (await deleteFieldTestRoles(iam, region, runId)).join(', ') || undefined,
  };
}
