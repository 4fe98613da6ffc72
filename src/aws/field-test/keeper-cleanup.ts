import { ListRoleTagsCommand, paginateListRoles } from '@aws-sdk/client-iam';
import { ListTagsCommand, paginateListFunctions } from '@aws-sdk/client-lambda';
import { fieldTestNames, taggedForRun } from '../../core/field-test/run-id.js';
import { KEEPER_ROLE_PATH, keeperNamePrefix } from '../../core/keeper.js';
import { POOL_TAG_KEY } from '../../core/pool.js';
import { deleteKeeper, deleteKeeperRole, type KeeperClients } from '../keepers.js';
import { fieldTestRuleNames, tagMap } from './tagged-rules.js';

/** What field-test runs left of their keepers: found by the run tag, never by name alone. */
export interface FieldTestKeepers {
  /** Keeper functions and schedule rules (a rule has its keeper's name), sorted, without duplicates. */
  readonly keepers: readonly string[];
  /** The keeper roles (under the keeper path) and the pool each was made for. */
  readonly roles: ReadonlyArray<{ readonly name: string; readonly pool: string }>;
}

/**
 * The keepers, schedule rules and keeper roles tagged `lambda-static-ip:field-test=<run-id>` (any run's
 * without a run id): functions and rules named like a run's keepers (`lsi-keeper-lsi-ft-…`), roles under
 * the keeper path, each kept only when its own tags carry the run tag. A keeper `prepare` made for a
 * user's pool has no such tag.
 */
export async function findFieldTestKeepers(
  clients: KeeperClients,
  runId: string | undefined,
): Promise<FieldTestKeepers> {
  const prefix =
    runId === undefined
      ? `lsi-keeper-${fieldTestNames.prefix}`
      : keeperNamePrefix(fieldTestNames.pool(runId));
  const names = new Set<string>();
  for await (const page of paginateListFunctions({ client: clients.lambda }, {})) {
    for (const fn of page.Functions ?? []) {
      if (!fn.FunctionName?.startsWith(prefix) || !fn.FunctionArn) continue;
      const { Tags } = await clients.lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn }));
      if (taggedForRun(Tags ?? {}, runId)) names.add(fn.FunctionName);
    }
  }
  for (const name of await fieldTestRuleNames(clients.events, prefix, runId)) names.add(name);
  const roles: Array<{ name: string; pool: string }> = [];
  for await (const page of paginateListRoles({ client: clients.iam }, { PathPrefix: KEEPER_ROLE_PATH })) {
    for (const role of page.Roles ?? []) {
      if (!role.RoleName) continue;
      const tags = tagMap(
        (await clients.iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName }))).Tags,
      );
      const pool = tags[POOL_TAG_KEY];
      if (taggedForRun(tags, runId) && pool !== undefined) roles.push({ name: role.RoleName, pool });
    }
  }
  return { keepers: [...names].sort(), roles };
}

/**
 * Deletes what `findFieldTestKeepers` found as `prune` deletes keepers (schedule, rule, function; each
 * part already gone is fine), then their roles. `attempt` records each removal or why it failed.
 */
export async function deleteFieldTestKeepers(
  clients: KeeperClients,
  found: FieldTestKeepers,
  attempt: (what: string, action: () => Promise<unknown>) => Promise<boolean>,
): Promise<void> {
  for (const name of found.keepers) {
    await attempt(`keeper ${name}`, () => deleteKeeper(clients, name));
  }
  for (const role of found.roles) {
    await attempt(`keeper role ${role.name}`, () => deleteKeeperRole(clients.iam, role.pool));
  }
}
