import { ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { createEventBridgeClient, createIamClient } from '../../src/aws/clients.js';
import { createFieldTestSecurityGroup, createFieldTestVpc } from '../../src/aws/field-test/vpc.js';
import { createKeepers, ensureKeeperRole } from '../../src/aws/keepers.js';
import type { FieldTestReport } from '../../src/core/field-test/report.js';
import { FIELD_TEST_TAG_KEY } from '../../src/core/field-test/run-id.js';
import { FIELD_TEST_SCENARIOS } from '../../src/core/field-test/scenarios.js';
import { KEEPER_ROLE_PATH } from '../../src/core/keeper.js';
import { LOCAL_EVENT_DELAY_RANGE_MS } from '../../testbed/field-test-target.js';
import { startLocalAws } from '../../testbed/index.js';
import { DEFAULT_TIMINGS } from '../../testbed/timings.js';
import { runBinary } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';

const clientOptions = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

describe('field-test --local', () => {
  it('runs every scenario end to end on the test bed: downtime as the timeline measured it, only pool addresses, the simulator’s timings', async () => {
    const run = await runCliInProcess(['field-test', '--local', '--json'], { clientOptions });
    expect(run.stderr).not.toContain('error:');
    // On failure, the document's error and scenarios say which one and why.
    expect(run.code, run.stdout.slice(0, 4000)).toBe(0);
    const report = run.json<FieldTestReport>();
    const { invokeIntervalMs, reconcileIntervalMs } = report.settings;
    expect(report.mode).toBe('local');
    expect(report.verdict.egressFromPoolIps).toBe('confirmed');

    // Every scenario ran, and passed.
    expect(report.scenarios.map((s) => s.id)).toEqual(FIELD_TEST_SCENARIOS.map((s) => s.id));
    expect(report.notForceable.map((s) => s.id)).toEqual(['idle-reclaim', 'scale-out']);
    for (const scenario of report.scenarios) expect(scenario.status, scenario.id).toBe('passed');

    // Downtime from invocations covers the timeline's exact figure, and exceeds it by at most one interval.
    for (const scenario of report.scenarios) {
      const truth = scenario.simulatorDowntimeMs as number;
      expect(scenario.downtimeMs, scenario.id).toBeGreaterThanOrEqual(truth);
      expect(scenario.downtimeMs - truth, scenario.id).toBeLessThanOrEqual(invokeIntervalMs);
    }
    const downtime = Object.fromEntries(report.scenarios.map((s) => [s.id, s.simulatorDowntimeMs]));
    // Spares (or nothing new to bind) mean no gap; without spares, the IPs move at the first bind after the switch.
    expect(downtime).toMatchObject({
      'first-bind': 0,
      'sg-change-spares': 0,
      'sg-change-keeper': 0,
      'subnet-added': 0,
      'function-deleted': 0,
    });
    expect(downtime['sg-change']).toBeLessThanOrEqual(reconcileIntervalMs);
    expect(report.scenarios.find((s) => s.id === 'sg-change')?.invocations).toBeGreaterThan(0);

    // The keeper scenario: prepare's keepers (one per subnet, tagged with the run) held the new placement's
    // ENIs with pool IPs before the change, and the function moved onto exactly those ENIs, with no gap.
    const keeperScenario = report.scenarios.find((s) => s.id === 'sg-change-keeper');
    const keeper = keeperScenario?.keeper;
    if (keeper === undefined) throw new Error('the keeper scenario reports no keepers');
    expect(keeperScenario?.gaps).toEqual([]);
    expect(keeperScenario?.downtimeMs).toBe(0);
    expect(keeper.functions).toHaveLength(2);
    for (const name of keeper.functions)
      expect(name).toMatch(new RegExp(`^lsi-keeper-lsi-ft-${report.runId}-`));
    expect(new Set(keeper.enis.map((eni) => eni.subnetId)).size).toBe(2);
    const keeperIps = keeper.enis.map((eni) => eni.publicIp as string);
    expect(new Set(keeperIps).size).toBe(2);
    for (const ip of keeperIps) expect(report.poolIps).toContain(ip);
    const keeperEniIds = keeper.enis.map((eni) => eni.networkInterfaceId).sort();
    // The simulator's own view (not the run's EC2 reads) says the function is served by the keepers' ENIs.
    expect(keeper.simulatorServingEnis).toEqual(keeperEniIds);
    expect(keeper.enisAfterChange).toEqual(keeperEniIds);
    // Served in turn by both ENIs: both keeper IPs seen after the switch, and nothing else.
    expect(new Set(keeper.addressesAfterChange)).toEqual(new Set(keeperIps));
    expect(keeper.landedOnKeeperEnis).toBe(true);
    expect(report.cleanup.removed).toContain(`keeper role lsi-keeper-lsi-ft-${report.runId}`);

    // Traffic left from the pool's addresses, every one of them, and from nothing else.
    expect(new Set(report.poolIps).size).toBe(4);
    const seen = new Set(report.scenarios.flatMap((s) => s.addressesSeen));
    expect(seen).toEqual(new Set(report.poolIps));
    for (const scenario of report.scenarios) expect(scenario.foreignAddresses).toEqual([]);

    // The timings are the simulator's configured ones, to the resolution the report states.
    const { eniSwitchMs, eniDeletionDelayMs, eventDelayMs } = report.timings;
    if (eniSwitchMs.status !== 'measured') throw new Error(`eniSwitchMs ${eniSwitchMs.status}`);
    expect(eniSwitchMs.samplesMs).toHaveLength(4);
    for (const sample of eniSwitchMs.samplesMs) {
      expect(sample).toBeGreaterThanOrEqual(DEFAULT_TIMINGS.eniSwitchMs);
      expect(sample).toBeLessThanOrEqual(DEFAULT_TIMINGS.eniSwitchMs + eniSwitchMs.resolutionMs);
    }
    if (eniDeletionDelayMs.status !== 'measured')
      throw new Error(`eniDeletionDelayMs ${eniDeletionDelayMs.status}`);
    for (const sample of eniDeletionDelayMs.samplesMs) {
      expect(sample).toBeGreaterThanOrEqual(DEFAULT_TIMINGS.eniDeletionDelayMs);
      expect(sample).toBeLessThanOrEqual(
        DEFAULT_TIMINGS.eniDeletionDelayMs + eniDeletionDelayMs.resolutionMs,
      );
    }
    // CloudTrail's events came through the run's rule and queue (moto's EventBridge and SQS), one per Lambda
    // ENI the simulator created, each within the drawn delays, late by at most CloudTrail's whole-second
    // eventTime and the time between two reads of the queue (the resolution).
    if (eventDelayMs.status !== 'measured') throw new Error(`eventDelayMs ${eventDelayMs.status}`);
    const [minDelay, maxDelay] = LOCAL_EVENT_DELAY_RANGE_MS;
    expect(eventDelayMs.withoutEvent).toEqual([]);
    expect(eventDelayMs.eniIds?.length).toBe(eventDelayMs.count);
    expect(report.simulatorEnis?.length).toBeGreaterThan(0);
    expect(new Set(eventDelayMs.eniIds)).toEqual(new Set(report.simulatorEnis));
    expect(eventDelayMs.count).toBe(eventDelayMs.samplesMs.length);
    expect(eventDelayMs.resolutionMs).toBeLessThanOrEqual(invokeIntervalMs + 1_000);
    for (const sample of eventDelayMs.samplesMs) {
      expect(sample).toBeGreaterThanOrEqual(minDelay);
      expect(sample).toBeLessThanOrEqual(maxDelay + eventDelayMs.resolutionMs);
    }
    // Drawn, not one constant: the samples spread over the range.
    expect(eventDelayMs.maxMs - eventDelayMs.minMs).toBeGreaterThan((maxDelay - minDelay) / 4);

    // Nothing is left behind, the run's event rule and queue included, and nothing was kept.
    expect(report.cleanup).toMatchObject({ complete: true, left: [], keptIps: [] });
    expect(report.cleanup.removed).toEqual(
      expect.arrayContaining([
        `event rule lsi-ft-${report.runId}-eni-events`,
        `queue lsi-ft-${report.runId}-eni-events`,
      ]),
    );
  }, 300_000);
});

describe('field-test --cleanup', () => {
  it("removes a killed run's keepers, their schedules and role, found by its run tag, and no one else's", async () => {
    const aws = await startLocalAws();
    try {
      const options = aws.clientOptions();
      const { ec2, lambda } = aws.clients();
      const keeperClients = {
        lambda,
        iam: createIamClient(options),
        events: createEventBridgeClient(options),
      };
      const vpc = await createFieldTestVpc(ec2, 'dead1', 2);
      const group = await createFieldTestSecurityGroup(ec2, 'dead1', vpc.vpcId, 'lsi-ft-dead1-0-b');
      const other = await createFieldTestSecurityGroup(ec2, 'dead1', vpc.vpcId, 'lsi-ft-dead1-0-c');
      // The killed run's keepers; keepers of a user's pool that happens to bear the run's pool name, without
      // the tag (same name prefix: only the tag tells them apart); another run's; and a user's.
      const made = new Map<string, string[]>();
      for (const [label, pool, runId, groupId] of [
        ['dead', 'lsi-ft-dead1', 'dead1', group],
        ['untagged', 'lsi-ft-dead1', undefined, other],
        ['live', 'lsi-ft-live2', 'live2', group],
        ['user', 'users-pool', undefined, group],
      ] as const) {
        const tags: Record<string, string> = runId === undefined ? {} : { [FIELD_TEST_TAG_KEY]: runId };
        const role = await ensureKeeperRole(keeperClients.iam, {
          pool,
          region: aws.region,
          partition: 'aws',
          tags,
        });
        const keepers = await createKeepers(keeperClients, {
          pool,
          subnetIds: vpc.subnetIds,
          securityGroupIds: [groupId],
          roleArn: role.arn,
          region: aws.region,
          tags,
        });
        made.set(
          label,
          keepers.map((keeper) => keeper.name),
        );
      }
      const dead = made.get('dead') as string[];
      const others = ['untagged', 'live', 'user'].flatMap((label) => made.get(label) ?? []).sort();
      expect(others).toHaveLength(6);
      expect(dead).toHaveLength(2);

      const run = await runBinary([
        'field-test',
        '--cleanup',
        '--run-id',
        'dead1',
        '--endpoint-url',
        aws.endpoint,
        '--json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const removed = run.json<{ removed: string[] }>().removed;
      expect(removed).toEqual(
        expect.arrayContaining([
          ...dead.map((name) => `keeper ${name}`),
          'keeper role lsi-keeper-lsi-ft-dead1',
        ]),
      );
      expect(removed).toContain(`vpc ${vpc.vpcId}`);

      const functions = ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? [])
        .map((fn) => fn.FunctionName)
        .sort();
      expect(functions).toEqual(others);
      const rules = (
        await keeperClients.events.send(new ListRulesCommand({ NamePrefix: 'lsi-keeper-' }))
      ).Rules?.map((rule) => rule.Name).sort();
      expect(rules).toEqual(others);
      const roles = (
        await keeperClients.iam.send(new ListRolesCommand({ PathPrefix: KEEPER_ROLE_PATH }))
      ).Roles?.map((role) => role.RoleName).sort();
      expect(roles).toEqual(['lsi-keeper-lsi-ft-live2', 'lsi-keeper-users-pool']);
    } finally {
      await aws.stop();
    }
  }, 120_000);
});
