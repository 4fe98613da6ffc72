import type { AwsClients } from '../../aws/clients.js';
import { createIamClient } from '../../aws/clients.js';
import { createFieldTestEventClients } from '../../aws/field-test/event-watch.js';
import {
  deleteEchoFunction,
  deleteFieldTestRoles,
  EchoFunctions,
  invokeEchoFunction,
} from '../../aws/field-test/lambda-functions.js';
import { clientOptionsFor } from '../aws-clients.js';
import type { GlobalOptions } from '../command.js';
import type { FieldTestTarget } from './target.js';

/** A field-test target in a real account: Lambda runs the echo handler, the clock is the wall clock. */
export async function openAwsFieldTestTarget(
  clients: AwsClients,
  globals: GlobalOptions,
  runId: string,
): Promise<FieldTestTarget> {
  const region = await clients.ec2.config.region();
  const settings = clientOptionsFor(globals, region);
  const iam = createIamClient(settings);
  const functions = new EchoFunctions(clients.lambda, iam, region, runId);
  const eventClients = createFieldTestEventClients(settings);
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
    eventClients,
    keeperClients: { lambda: clients.lambda, iam, events: eventClients.eventbridge },
  };
}

/** What `--cleanup` needs besides EC2: deleting functions, keepers, the runs' execution roles, rules and queues. */
export async function fieldTestRole(clients: AwsClients, globals: GlobalOptions) {
  const region = await clients.ec2.config.region();
  const settings = clientOptionsFor(globals, region);
  const iam = createIamClient(settings);
  const eventClients = createFieldTestEventClients(settings);
  return {
    eventClients,
    keeperClients: { lambda: clients.lambda, iam, events: eventClients.eventbridge },
    deleteFunction: (name: string) => deleteEchoFunction(clients.lambda, name),
    deleteRoles: async (runId?: string) =>
      (await deleteFieldTestRoles(iam, region, runId)).join(', ') || undefined,
  };
}
