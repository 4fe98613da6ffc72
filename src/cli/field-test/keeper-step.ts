import { describeLambdaEnis } from '../../aws/field-test/enis.js';
import { createKeepers, deleteKeeper, ensureKeeperRole } from '../../aws/keepers.js';
import { combinationKey } from '../../core/combination.js';
import type { FieldTestKeeperReport } from '../../core/field-test/report.js';
import { FIELD_TEST_TAG_KEY } from '../../core/field-test/run-id.js';
import { partitionOf } from '../../core/partition.js';
import { waitForKeepers } from '../../reconcile/keeper-wait.js';
import type { FieldTestTarget } from './target.js';

/** The keepers of a placement, made and bound before the change. */
export type PreparedFieldTestKeepers = Pick<FieldTestKeeperReport, 'functions' | 'role' | 'readyMs' | 'enis'>;

/**
 * `prepare --wait` for the keeper scenario, with prepare's own code: the pool's keeper role and one keeper
 * per subnet of the new placement (tagged for the pool and with the run tag), then the wait until each
 * keeper is Active and its ENI holds a pool IP, bound by the same reconcile. Locally the simulator is told
 * to play the keepers, which were created through the Lambda API, as Lambda does on its own.
 */
export async function prepareFieldTestKeepers(
  target: FieldTestTarget,
  input: {
    readonly runId: string;
    readonly pool: string;
    readonly vpcId: string;
    readonly subnetIds: readonly string[];
    readonly securityGroupIds: readonly string[];
    readonly reserved: readonly string[];
    readonly pollMs: number;
    readonly timeoutMs: number;
    /** Each keeper made is named here, so that the scenario deletes it whatever happens next. */
    readonly onKeeper: (name: string) => void;
    /**
     * How the wait passes time between two looks: the run reads its event queue meanwhile, and throws
     * on Ctrl-C. @default the target's clock
     */
    readonly idle?: (ms: number) => Promise<void>;
  },
): Promise<PreparedFieldTestKeepers> {
  const { clock } = target;
  const tags = { [FIELD_TEST_TAG_KEY]: input.runId };
  const startedAt = clock.now();
  const role = await ensureKeeperRole(target.keeperClients.iam, {
    pool: input.pool,
    region: target.region,
    partition: partitionOf(target.region),
    tags,
  });
  const made = await createKeepers(target.keeperClients, {
    pool: input.pool,
    subnetIds: input.subnetIds,
    securityGroupIds: input.securityGroupIds,
    roleArn: role.arn,
    region: target.region,
    tags,
    sleep: (ms) => clock.sleep(ms),
    onKeeper: (keeper) => input.onKeeper(keeper.name),
  });
  await target.noticeLambdaApiChanges?.();
  await waitForKeepers(target.clients, {
    pool: input.pool,
    names: made.map((keeper) => keeper.name),
    subnetIds: input.subnetIds,
    securityGroupIds: input.securityGroupIds,
    allocate: false,
    reserved: input.reserved,
    timeoutMs: input.timeoutMs,
    pollMs: input.pollMs,
    now: () => clock.now(),
    sleep: input.idle ?? ((ms) => clock.sleep(ms)),
    ...(target.afterBind ? { afterBind: () => target.afterBind?.() ?? Promise.resolve() } : {}),
  });
  const readyMs = clock.now() - startedAt;
  const enis = (await placementEnis(target, input.vpcId, input.subnetIds, input.securityGroupIds)).map(
    (eni) => ({
      networkInterfaceId: eni.id,
      subnetId: eni.subnetId,
      ...(eni.publicIp ? { publicIp: eni.publicIp } : {}),
    }),
  );
  return { functions: made.map((keeper) => keeper.name), role: role.arn, readyMs, enis };
}

/** The Lambda ENIs of a placement's combinations (each subnet with exactly these security groups), by subnet. */
export async function placementEnis(
  target: FieldTestTarget,
  vpcId: string,
  subnetIds: readonly string[],
  securityGroupIds: readonly string[],
) {
  const keys = new Set(subnetIds.map((subnetId) => combinationKey(subnetId, securityGroupIds)));
  return (await describeLambdaEnis(target.clients.ec2, vpcId))
    .filter((eni) => keys.has(combinationKey(eni.subnetId, eni.securityGroupIds)))
    .sort((a, b) => a.subnetId.localeCompare(b.subnetId) || a.id.localeCompare(b.id));
}

/** Deletes a scenario's keepers as `prune` does; locally the simulator then retires their ENIs. */
export async function deleteFieldTestScenarioKeepers(
  target: FieldTestTarget,
  names: readonly string[],
): Promise<void> {
  if (names.length === 0) return;
  for (const name of names) await deleteKeeper(target.keeperClients, name);
  await target.noticeLambdaApiChanges?.();
}
