import { Command } from 'commander';
import type { AwsClients } from '../../aws/clients.js';
import type { KeeperClients } from '../../aws/keepers.js';
import { StaticIpError } from '../../core/errors.js';
import { partitionOf } from '../../core/partition.js';
import type { CommandContext, GlobalOptions, RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { collect, wholeNumber } from '../options.js';
import { poolName } from '../pool-options.js';

interface PrepareOptions {
  readonly pool: string;
  readonly subnet: string[];
  readonly securityGroup: string[];
  readonly role?: string;
  readonly wait: boolean;
  readonly allocate: boolean;
  readonly timeout: number;
}

/** Between two looks at the keepers while waiting: ENIs take tens of seconds to minutes. */
const POLL_MS = 5_000;

export const registerPrepare: RegisterCommand = (program, run) => {
  const command = new Command('prepare')
    .description(
      'create (or reuse) the keeper of each (subnet, security-group set) a function is about to use, so its ENIs exist and hold pool IPs before the function moves: zero downtime without CDK',
    )
    .requiredOption('--pool <name>', 'the pool: Elastic IPs tagged lambda-static-ip:pool=<name>', poolName)
    .requiredOption('--subnet <id>', 'a subnet the function will use (repeatable, at most 16)', collect)
    .requiredOption(
      '--security-group <id>',
      'a security group of the function (repeatable, at most 5): exactly its set',
      collect,
    )
    .option(
      '--role <arn>',
      "the keepers' execution role; default: lsi-keeper-<pool>, created with ENI and log permissions only",
    )
    .option('--wait', "wait until every keeper's ENIs hold pool IPs, binding them itself", false)
    .option('--allocate', 'allocate new tagged Elastic IPs when the pool has too few free', false)
    .option('--timeout <seconds>', 'give up waiting after this long (exit 1)', wholeNumber(10, 3600), 900)
    .action(async (options: PrepareOptions, self: Command) =>
      run(self, (context) => prepare(options, context)),
    );
  program.addCommand(command);
};

async function prepare(options: PrepareOptions, context: CommandContext): Promise<number> {
  const { output, globals } = context;
  const clients = await context.clients();
  const region = await clients.ec2.config.region();
  const [{ observeSubnets }, keepers, { checkPrepareRequest, checkPoolCanBind }, keeper, addresses, plan] =
    await Promise.all([
      import('../../aws/observe.js'),
      import('../../aws/keepers.js'),
      import('../../core/keeper-checks.js'),
      import('../../core/keeper.js'),
      import('../../aws/addresses.js'),
      import('../../core/plan.js'),
    ]);
  const subnetIds = [...new Set(options.subnet)];
  const groupIds = [...new Set(options.securityGroup)].sort();

  // Everything is checked before anything is created.
  output.startProgress(`checking ${subnetIds.length} subnet(s) and ${groupIds.length} security group(s)`);
  const [subnets, groups] = await Promise.all([
    // Over Lambda's limits, the count alone is the error: no need to describe them.
    observeSubnets(clients, subnetIds.length > keeper.MAX_FUNCTION_SUBNETS ? [] : subnetIds),
    keepers.describeGroupVpcs(
      clients.ec2,
      groupIds.length > keeper.MAX_FUNCTION_SECURITY_GROUPS ? [] : groupIds,
    ),
  ]);
  checkPrepareRequest({ subnetIds, securityGroupIds: groupIds, subnets, groups });
  const bindings = (poolAddresses: Parameters<typeof keepers.combinationBindings>[1]['poolAddresses']) =>
    keepers.combinationBindings(clients.ec2, { poolAddresses, subnetIds, securityGroupIds: groupIds });
  const poolAddresses = await addresses.describePoolAddresses(clients.ec2, options.pool);
  const free = poolAddresses.filter((address) => plan.isFreeToBind(address, region, new Set())).length;
  const before = await bindings(poolAddresses);
  const needed = before.reduce((sum, binding) => sum + binding.needed, 0);
  checkPoolCanBind({ pool: options.pool, needed, free, allocate: options.allocate });
  output.stopProgress();

  const keeperClients = await openKeeperClients(clients, globals, region);
  const partition = partitionOf(region);
  const role = options.role
    ? { arn: options.role, created: false }
    : await keepers.ensureKeeperRole(keeperClients.iam, { pool: options.pool, region, partition });
  if (role.created) output.progress(`created role ${role.arn}`);
  const made: Array<{ name: string; subnetId: string; created: boolean }> = [];
  for (const subnetId of subnetIds) {
    const name = keeper.keeperFunctionName(options.pool, subnetId, groupIds);
    const created = await keepers.createKeeper(keeperClients, {
      pool: options.pool,
      name,
      subnetId,
      securityGroupIds: groupIds,
      roleArn: role.arn,
      region,
    });
    output.progress(`${created ? 'created' : 'reusing'} keeper ${name} (${subnetId})`);
    made.push({ name, subnetId, created });
  }

  let bound: boolean | undefined;
  if (options.wait) {
    await waitUntilBound(options, context, clients, {
      names: made.map((entry) => entry.name),
      bindings: async () => bindings(await addresses.describePoolAddresses(clients.ec2, options.pool)),
    });
    bound = true;
  }
  const next = nextStep(options, subnetIds, groupIds, bound === true);
  output.result(
    {
      pool: options.pool,
      region,
      subnetIds,
      securityGroupIds: groupIds,
      role: role.arn,
      roleCreated: role.created,
      keepers: made,
      bound: bound ?? null,
      next,
    },
    () =>
      [
        `Pool "${options.pool}" in ${region}: ${made.length} keeper(s) (${made.filter((entry) => entry.created).length} created)${bound ? ', every ENI holds a pool IP' : ''}.`,
        `Next: ${next}`,
      ].join('\n'),
  );
  return ExitCode.Ok;
}

/**
 * Waits until every keeper is Active and every ENI of its combination holds a pool IP, binding them
 * through the same reconcile as `apply` (allocating only with --allocate), with progress on stderr.
 */
async function waitUntilBound(
  options: PrepareOptions,
  { output }: CommandContext,
  clients: AwsClients,
  input: {
    names: readonly string[];
    bindings: () => Promise<Array<{ subnetId: string; needed: number; enis: number }>>;
  },
): Promise<void> {
  const [{ getFunctionState }, { reconcile }] = await Promise.all([
    import('../../aws/function-state.js'),
    import('../../reconcile/reconcile.js'),
  ]);
  const deadline = Date.now() + options.timeout * 1000;
  const progress = output.startProgress(`waiting for the ENIs of ${input.names.length} keeper(s)`);
  try {
    for (;;) {
      const states = await Promise.all(input.names.map((name) => getFunctionState(clients.lambda, name)));
      const failed = states.find((state) => state.state === 'Failed');
      if (failed) {
        throw new StaticIpError(
          'KeeperFailed',
          `keeper ${failed.name} is Failed (Lambda could not create its ENIs); see \`aws lambda get-function-configuration --function-name ${failed.name}\` (StateReason), fix it, delete the keeper and run prepare again`,
        );
      }
      const active = states.filter((state) => state.state === 'Active').length;
      if (active === states.length) {
        const result = await reconcile(clients, {
          pool: options.pool,
          functions: [],
          keepers: input.names,
          allocate: options.allocate,
        });
        // Free IPs taken meanwhile (or none to allocate): waiting longer would not help.
        const exhausted = result.finalPlan.problems.find(
          (problem) => problem.severity === 'error' && problem.code === 'PoolExhausted',
        );
        if (exhausted) throw new StaticIpError('PoolExhausted', exhausted.message);
        const bindings = await input.bindings();
        const unbound = bindings.filter((binding) => binding.enis === 0 || binding.needed > 0);
        progress.update({ done: bindings.length - unbound.length, total: bindings.length });
        if (unbound.length === 0) return;
      } else {
        progress.update({ label: `waiting for ${states.length - active} keeper(s) to become Active` });
      }
      if (Date.now() + POLL_MS > deadline) {
        throw new StaticIpError(
          'KeeperWaitTimeout',
          `the keepers' ENIs did not all hold pool IPs within ${options.timeout} s (${active}/${states.length} keepers Active); nothing was rolled back: run \`lambda-static-ip prepare\` again with the same options and --wait (it reuses the keepers), or --timeout longer`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    progress.stop();
  }
}

function nextStep(
  options: PrepareOptions,
  subnetIds: readonly string[],
  groupIds: readonly string[],
  bound: boolean,
): string {
  const move = `aws lambda update-function-configuration --function-name <fn> --vpc-config SubnetIds=${subnetIds.join(',')},SecurityGroupIds=${groupIds.join(',')}`;
  if (bound) {
    return `move your function onto this placement (\`${move}\`), tagged lambda-static-ip:pool=${options.pool}; its ENIs already hold pool IPs. Later, \`lambda-static-ip prune --pool ${options.pool}\` removes keepers nothing uses.`;
  }
  return `wait until the keepers' ENIs hold pool IPs (\`lambda-static-ip prepare\` again with --wait, or the controller binds them), then move your function (\`${move}\`).`;
}

async function openKeeperClients(
  clients: AwsClients,
  globals: GlobalOptions,
  region: string,
): Promise<KeeperClients> {
  const { createEventBridgeClient, createIamClient } = await import('../../aws/clients.js');
  const options = {
    region,
    ...(globals.profile ? { profile: globals.profile } : {}),
    ...(globals.endpointUrl ? { endpointUrl: globals.endpointUrl } : {}),
  };
  return { lambda: clients.lambda, iam: createIamClient(options), events: createEventBridgeClient(options) };
}

export { openKeeperClients };
