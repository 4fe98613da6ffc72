import {
  type EC2Client,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSecurityGroups,
} from '@aws-sdk/client-ec2';
import {
  DeleteRuleCommand,
  type EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  type IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { combinationKey } from '../core/combination.js';
import { keeperExecutionStatements } from '../core/iam-policy.js';
import {
  DEFAULT_KEEPER_INTERVAL_MINUTES,
  KEEPER_HANDLER_SOURCE,
  KEEPER_ROLE_PATH,
  KEEPER_TAG_KEY,
  keeperFunctionName,
  keeperRoleName,
  keeperTagValue,
} from '../core/keeper.js';
import type { ObservedAddress } from '../core/model.js';
import { POOL_TAG_KEY } from '../core/pool.js';
import { zipArchive } from '../core/zip-archive.js';
import { createFunctionOnceRoleAssumable } from './create-function.js';
import { awsErrorCode } from './errors.js';
import { readByFilter } from './filter-chunks.js';

const ROLE_POLICY_NAME = 'keeper';
const SCHEDULE_STATEMENT_ID = 'lambda-static-ip-keeper-schedule';

export interface KeeperClients {
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
  readonly events: EventBridgeClient;
}

export interface KeeperInput {
  readonly pool: string;
  readonly name: string;
  readonly subnetId: string;
  readonly securityGroupIds: readonly string[];
  readonly roleArn: string;
  readonly region: string;
  /** @default DEFAULT_KEEPER_INTERVAL_MINUTES (daily) */
  readonly intervalMinutes?: number;
  /** Waits between CreateFunction attempts while a new role propagates. @default real time */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * More tags on the function and its rule, besides the pool and keeper tags (the field test adds its
   * run tag, by which its cleanup finds them). @default none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The pool's keeper role, created with exactly `keeperExecutionStatements` when it does not exist yet
 * (the same one for every keeper of the pool). Returns its ARN and whether it was created now.
 */
export async function ensureKeeperRole(
  iam: IAMClient,
  input: {
    readonly pool: string;
    readonly region: string;
    readonly partition: string;
    /** More tags on a role created now, besides the pool tag. @default none */
    readonly tags?: Readonly<Record<string, string>>;
  },
): Promise<{ arn: string; created: boolean }> {
  const roleName = keeperRoleName(input.pool);
  try {
    const existing = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    return { arn: existing.Role?.Arn ?? '', created: false };
  } catch (error) {
    if (awsErrorCode(error) !== 'NoSuchEntity' && awsErrorCode(error) !== 'NoSuchEntityException')
      throw error;
  }
  const created = await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      Path: KEEPER_ROLE_PATH,
      Description: `lambda-static-ip keepers of pool ${input.pool}: their ENIs and their logs, nothing else`,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
      Tags: tagList({ ...input.tags, [POOL_TAG_KEY]: input.pool }),
    }),
  );
  const logGroups = `arn:${input.partition}:logs:${input.region}:*:log-group:/aws/lambda/lsi-keeper-*`;
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: ROLE_POLICY_NAME,
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: keeperExecutionStatements({ partition: input.partition, region: input.region }, logGroups),
      }),
    }),
  );
  return { arn: created.Role?.Arn ?? '', created: true };
}

/**
 * The keeper of one combination: the function (nodejs22.x, the keeper handler, tagged for the pool and as
 * a keeper), then an EventBridge rule `rate(N minutes)` targeting it and the permission for EventBridge to
 * invoke it. An existing function of that name is reused as it is; the rule and permission are put again
 * (PutRule and PutTargets are idempotent by name and target id; an existing permission is left).
 *
 * Lambda's CreateFunction with a VpcConfig returns at once with `State: Pending` and creates the
 * Hyperplane ENIs asynchronously (Lambda developer guide, "Lambda function states"); the caller waits.
 * @returns true when the function was created now
 */
export async function createKeeper(clients: KeeperClients, input: KeeperInput): Promise<boolean> {
  let created = false;
  let arn: string;
  try {
    const existing = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: input.name }),
    );
    arn = existing.FunctionArn ?? '';
  } catch (error) {
    if (awsErrorCode(error) !== 'ResourceNotFoundException') throw error;
    arn = await createKeeperFunction(clients.lambda, input);
    created = true;
  }
  const minutes = input.intervalMinutes ?? DEFAULT_KEEPER_INTERVAL_MINUTES;
  // EventBridge: "rate(1 day)" / "rate(N minutes)", singular unit for 1 (EventBridge user guide, schedule expressions).
  const rate =
    minutes % (24 * 60) === 0
      ? days(minutes / (24 * 60))
      : `rate(${minutes} minute${minutes === 1 ? '' : 's'})`;
  const rule = await clients.events.send(
    new PutRuleCommand({
      Name: input.name,
      ScheduleExpression: rate,
      State: 'ENABLED',
      Description: `invokes lambda-static-ip keeper ${input.name} so Lambda keeps its ENI`,
      Tags: tagList({ ...input.tags, [POOL_TAG_KEY]: input.pool }),
    }),
  );
  await clients.events.send(
    new PutTargetsCommand({ Rule: input.name, Targets: [{ Id: 'keeper', Arn: arn }] }),
  );
  try {
    await clients.lambda.send(
      new AddPermissionCommand({
        FunctionName: input.name,
        StatementId: SCHEDULE_STATEMENT_ID,
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: rule.RuleArn ?? '',
      }),
    );
  } catch (error) {
    if (awsErrorCode(error) !== 'ResourceConflictException') throw error;
  }
  return created;
}

/** A keeper made (or found) for one subnet of a placement. */
export interface PreparedKeeper {
  readonly name: string;
  readonly subnetId: string;
  readonly created: boolean;
}

/**
 * The keepers of a placement, as `prepare` makes them: one per subnet, named `keeperFunctionName(pool,
 * subnet, groups)`, each with exactly the placement's security groups, created (or reused) by
 * `createKeeper`. `onKeeper` hears of each as it is done.
 */
export async function createKeepers(
  clients: KeeperClients,
  input: Omit<KeeperInput, 'name' | 'subnetId'> & {
    readonly subnetIds: readonly string[];
    readonly onKeeper?: (keeper: PreparedKeeper) => void;
  },
): Promise<PreparedKeeper[]> {
  const { subnetIds, onKeeper, ...common } = input;
  const made: PreparedKeeper[] = [];
  for (const subnetId of subnetIds) {
    const name = keeperFunctionName(input.pool, subnetId, input.securityGroupIds);
    const created = await createKeeper(clients, { ...common, name, subnetId });
    const keeper = { name, subnetId, created };
    onKeeper?.(keeper);
    made.push(keeper);
  }
  return made;
}

function tagList(tags: Readonly<Record<string, string>>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function days(count: number): string {
  return `rate(${count} day${count === 1 ? '' : 's'})`;
}

async function createKeeperFunction(lambda: LambdaClient, input: KeeperInput): Promise<string> {
  const command = new CreateFunctionCommand({
    FunctionName: input.name,
    Runtime: 'nodejs22.x',
    Handler: 'index.handler',
    Role: input.roleArn,
    Code: { ZipFile: zipArchive([{ name: 'index.js', data: Buffer.from(KEEPER_HANDLER_SOURCE) }]) },
    MemorySize: 128,
    Timeout: 3,
    Description: `lambda-static-ip keeper of ${keeperTagValue(input.subnetId, input.securityGroupIds)}`,
    VpcConfig: { SubnetIds: [input.subnetId], SecurityGroupIds: [...input.securityGroupIds] },
    Tags: {
      ...input.tags,
      [POOL_TAG_KEY]: input.pool,
      [KEEPER_TAG_KEY]: keeperTagValue(input.subnetId, input.securityGroupIds),
    },
  });
  return (await createFunctionOnceRoleAssumable(lambda, command, input.sleep)).FunctionArn ?? '';
}

/** Deletes a keeper and its schedule; each part already gone is fine. */
export async function deleteKeeper(clients: KeeperClients, name: string): Promise<void> {
  await ignoreNotFound(() => clients.events.send(new RemoveTargetsCommand({ Rule: name, Ids: ['keeper'] })));
  await ignoreNotFound(() => clients.events.send(new DeleteRuleCommand({ Name: name })));
  await ignoreNotFound(() => clients.lambda.send(new DeleteFunctionCommand({ FunctionName: name })));
}

/** Deletes the pool's keeper role if the CLI created it (its path says so); false when there was none. */
export async function deleteKeeperRole(iam: IAMClient, pool: string): Promise<boolean> {
  const roleName = keeperRoleName(pool);
  try {
    const role = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    if (role.Role?.Path !== KEEPER_ROLE_PATH) return false;
  } catch (error) {
    if (awsErrorCode(error) === 'NoSuchEntity' || awsErrorCode(error) === 'NoSuchEntityException')
      return false;
    throw error;
  }
  await ignoreNotFound(() =>
    iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: ROLE_POLICY_NAME })),
  );
  await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
  return true;
}

async function ignoreNotFound(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    const code = awsErrorCode(error) ?? '';
    if (!/NotFound|NoSuchEntity/.test(code)) throw error;
  }
}

/** The ENIs of one combination, and how many of them still lack a pool IP. */
export interface CombinationBinding {
  readonly subnetId: string;
  readonly enis: number;
  /** ENIs without a pool IP, or 1 when the combination has no ENI yet (its first will need one). */
  readonly needed: number;
}

/**
 * Where the combinations' Lambda ENIs stand: one DescribeNetworkInterfaces (by subnet, interface type
 * `lambda`) compared with the pool's addresses.
 */
export async function combinationBindings(
  ec2: EC2Client,
  input: {
    readonly poolAddresses: readonly ObservedAddress[];
    readonly subnetIds: readonly string[];
    readonly securityGroupIds: readonly string[];
  },
): Promise<CombinationBinding[]> {
  const enis = await readByFilter(
    'ec2:DescribeNetworkInterfaces',
    input.subnetIds,
    (chunk) =>
      paginateDescribeNetworkInterfaces(
        { client: ec2 },
        {
          Filters: [
            { Name: 'subnet-id', Values: chunk },
            { Name: 'interface-type', Values: ['lambda'] },
          ],
        },
      ),
    (page) => page.NetworkInterfaces,
  );
  const poolEnis = new Set(input.poolAddresses.map((address) => address.networkInterfaceId).filter(Boolean));
  return input.subnetIds.map((subnetId) => {
    const key = combinationKey(subnetId, input.securityGroupIds);
    const mine = enis.filter(
      (eni) =>
        combinationKey(
          eni.SubnetId ?? '',
          (eni.Groups ?? []).map((group) => group.GroupId ?? ''),
        ) === key,
    );
    const unbound = mine.filter((eni) => !poolEnis.has(eni.NetworkInterfaceId)).length;
    return { subnetId, enis: mine.length, needed: mine.length === 0 ? 1 : unbound };
  });
}

/** The VPC of each security group EC2 knows (an unknown id is absent). */
export async function describeGroupVpcs(
  ec2: EC2Client,
  groupIds: readonly string[],
): Promise<Array<{ id: string; vpcId: string }>> {
  const groups = await readByFilter(
    'ec2:DescribeSecurityGroups',
    [...new Set(groupIds)].sort(),
    (chunk) =>
      paginateDescribeSecurityGroups({ client: ec2 }, { Filters: [{ Name: 'group-id', Values: chunk }] }),
    (page) => page.SecurityGroups,
  );
  return groups.map((group) => ({ id: group.GroupId ?? '', vpcId: group.VpcId ?? '' }));
}
