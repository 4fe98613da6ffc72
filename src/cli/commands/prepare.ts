import { Command } from 'commander';
import type { AwsClients } from '../../aws/clients.js';
import type { KeeperClients } from '../../aws/keepers.js';
import { partitionOf } from '../../core/partition.js';
import type { CommandContext, GlobalOptions, RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { collect, wholeNumber } from '../options.js';
import type { Output } from '../output.js';
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
  const poolAddresses = await addresses.describePoolAddresses(clients.ec2, options.pool);
  const free = poolAddresses.filter((address) => plan.isFreeToBind(address, region, new Set())).length;
  const before = await keepers.combinationBindings(clients.ec2, {
    poolAddresses,
    subnetIds,
    securityGroupIds: groupIds,
  });
  const needed = before.reduce((sum, binding) => sum + binding.needed, 0);
  checkPoolCanBind({ pool: options.pool, needed, free, allocate: options.allocate });
  output.stopProgress();

  const keeperClients = await openKeeperClients(clients, globals, region, output);
  const partition = partitionOf(region);
  const role = options.role
    ? { arn: options.role, created: false }
    : await keepers.ensureKeeperRole(keeperClients.iam, { pool: options.pool, region, partition });
  if (role.created) output.progress(`created role ${role.arn}`);
  const made = await keepers.createKeepers(keeperClients, {
    pool: options.pool,
    subnetIds,
    securityGroupIds: groupIds,
    roleArn: role.arn,
    region,
    onKeeper: (made) =>
      output.progress(`${made.created ? 'created' : 'reusing'} keeper ${made.name} (${made.subnetId})`),
  });

  let bound: boolean | undefined;
  if (options.wait) {
    await waitUntilBound(options, context, clients, {
      names: made.map((entry) => entry.name),
      subnetIds,
      securityGroupIds: groupIds,
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

/** `--wait`: the shared keeper wait on the wall clock, with progress on stderr. */
async function waitUntilBound(
  options: PrepareOptions,
  { output }: CommandContext,
  clients: AwsClients,
  input: { names: readonly string[]; subnetIds: readonly string[]; securityGroupIds: readonly string[] },
): Promise<void> {
  const { waitForKeepers } = await import('../../reconcile/keeper-wait.js');
  const progress = output.startProgress(`waiting for the ENIs of ${input.names.length} keeper(s)`);
  try {
    await waitForKeepers(clients, {
      pool: options.pool,
      ...input,
      allocate: options.allocate,
      timeoutMs: options.timeout * 1000,
      pollMs: POLL_MS,
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      progress: (state) =>
        'pending' in state
          ? progress.update({ label: `waiting for ${state.pending} keeper(s) to become Active` })
          : progress.update({ done: state.bound, total: state.total }),
      onTimeout:
        'nothing was rolled back: run `lambda-static-ip prepare` again with the same options and --wait (it reuses the keepers), or --timeout longer',
    });
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

/** The Lambda client the command has, with IAM and EventBridge clients of the same settings (traced with --debug). */
export async function openKeeperClients(
  clients: AwsClients,
  globals: GlobalOptions,
  region: string,
  output: Output,
): Promise<KeeperClients> {
  const { createEventBridgeClient, createIamClient } = await import('../../aws/clients.js');
  const { clientOptionsFor, traceForDebug } = await import('../aws-clients.js');
  const options = clientOptionsFor(globals, region);
  const others = await traceForDebug(
    { iam: createIamClient(options), events: createEventBridgeClient(options) },
    output,
  );
  return { lambda: clients.lambda, ...others };
}
