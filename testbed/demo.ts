import { describePoolAddresses } from '../src/aws/addresses.js';
import type { AwsClients } from '../src/aws/clients.js';
import type { Output } from '../src/cli/output.js';
import { renderTable } from '../src/cli/table.js';
import { POOL_TAG_KEY } from '../src/core/pool.js';
import { ControllerHarness } from './controller-harness.js';
import { createVpcFixture } from './fixtures.js';
import { LambdaSimulator } from './lambda-simulator.js';
import { startLocalAws } from './local-aws.js';
import { DEFAULT_TIMINGS } from './timings.js';

const POOL = 'demo';
/** How long each act of the story runs on the virtual clock: long enough for Lambda and the controller. */
const ACT_MS = 3 * 60_000;

export interface DemoStep {
  readonly title: string;
  /** By function: the IP each serving ENI's traffic leaves from, or NONE. */
  readonly egress: Record<string, readonly string[]>;
  /** By function: the ENIs serving it. */
  readonly enis: Record<string, readonly string[]>;
}

export interface DemoResult {
  readonly pool: string;
  readonly allowList: readonly string[];
  readonly allowListAfterChurn: readonly string[];
  readonly steps: readonly DemoStep[];
  /** Egress downtime per function over the whole story, from its creation on. */
  readonly downtimeMs: Record<string, number>;
  /** Controller invocations (schedule and events) that ran during the story. */
  readonly controllerRuns: number;
}

/**
 * The README's first command: a pool on a local AWS kept bound by the real controller (its one-minute
 * schedule and CloudTrail events, on the simulator's realistic timings), while Lambda creates, reclaims and
 * adds ENIs; the allow-list stays the same and the timeline measures any egress downtime. Nothing binds an
 * IP but the controller. Everything runs on the test bed and is cleaned up.
 */
export async function runDemo(output: Output): Promise<DemoResult> {
  const say = (text: string) => output.line(text);

  say('Starting a local AWS (moto with fidelity patches) and the Lambda service simulator...');
  // The README's first command sets up what it needs: moto in a project-local virtual environment when
  // no Python on the machine has it (progress on stderr).
  const aws = await startLocalAws({
    eipQuota: 10,
    install: true,
    onProgress: (line) => output.progress(line),
  });
  try {
    const clients = aws.clients();
    const vpc = await createVpcFixture(clients.ec2, {
      publicSubnets: 2,
      privateSubnets: 0,
      securityGroups: 2,
      name: 'demo',
    });
    const [sgApi, sgReports] = vpc.securityGroupIds as [string, string];
    const sim = new LambdaSimulator({ localAws: aws });
    const poolTag = { [POOL_TAG_KEY]: POOL };
    const controller = new ControllerHarness({
      sim,
      clients: aws.clients(),
      environment: { LSI_POOL: POOL, LSI_ALLOCATE: 'true', LSI_MAX_IPS: '5', LSI_SPARES: '1' },
    });
    const act = () => sim.advance(ACT_MS);

    say(
      `VPC ${vpc.vpcId}: public subnets ${vpc.publicSubnetIds.join(', ')} (routes to ${vpc.internetGatewayId}).`,
    );
    say('Creating three VPC functions tagged for pool "demo": checkout and payments share a security group,');
    say(
      'so Lambda gives them one shared ENI per subnet; reports has its own security group, so its own ENIs.',
    );
    await sim.createFunction({
      name: 'checkout',
      subnetIds: vpc.publicSubnetIds,
      securityGroupIds: [sgApi],
      tags: poolTag,
    });
    await sim.createFunction({
      name: 'payments',
      subnetIds: vpc.publicSubnetIds,
      securityGroupIds: [sgApi],
      tags: poolTag,
    });
    await sim.createFunction({
      name: 'reports',
      subnetIds: vpc.publicSubnetIds,
      securityGroupIds: [sgReports],
      tags: poolTag,
    });
    say(
      `The controller does the rest, as in your account: a resync every minute, and CloudTrail events (here they`,
    );
    say(
      `arrive ${DEFAULT_TIMINGS.eventDelayMs / 60_000} minutes late). Lambda puts traffic on a new ENI ${sim.timings.eniSwitchMs / 1000} s after creating it.`,
    );
    await act();

    const steps: DemoStep[] = [];
    const snapshot = async (title: string) => {
      const egress: Record<string, string[]> = {};
      const enis: Record<string, string[]> = {};
      for (const name of sim.functionNames()) {
        const result = await sim.invoke(name);
        egress[name] = result.ok ? result.egressIps.map((ip) => ip ?? 'NONE') : [result.error];
        enis[name] = [...sim.describe(name).servingEniIds];
      }
      steps.push({ title, egress, enis });
      say(`\n${output.style('bold', title)}`);
      say(
        renderTable(
          ['FUNCTION', 'ENIS', 'EGRESS IPS'],
          sim
            .functionNames()
            .map((name) => [
              name,
              sim.describe(name).servingEniIds.join(', '),
              (egress[name] ?? []).join(', '),
            ]),
        ),
      );
    };

    say(
      '\nThe controller runs the pool with --allocate --spares 1 --max-ips 5: each of the 4 ENIs got a tagged',
    );
    say('Elastic IP, and one more is kept free as a spare, so the next new ENI is bound at once.');
    const allowList = await ips(clients);
    say(`\n${output.style('bold', 'Allow-list to give your vendors')} (lambda-static-ip ips --pool demo):`);
    say(allowList.map((ip) => `  ${ip}`).join('\n'));
    await snapshot('1. Bound: each function egresses from a pool IP');

    say('\nTwo weeks pass without an invocation of "reports": Lambda reclaims its ENIs (Inactive, Idle).');
    await sim.idleReclaim('reports');
    say('The next invoke fails with ResourceNotReadyException and Lambda creates NEW ENIs, with no IP.');
    await sim.invoke('reports');
    await act();
    await snapshot('2. After idle reclaim: new ENI ids, the same IPs (each subnet gets back the IP it had)');

    say('\nTraffic on "checkout" passes 65,000 connections: Lambda adds a second ENI to its combination.');
    await sim.scaleOut('checkout', vpc.publicSubnetIds[0]);
    await act();
    await snapshot('3. After scale-out: the new ENI took the spare IP, already in the allow-list');

    const allowListAfterChurn = await ips(clients);
    const same =
      allowListAfterChurn.length === allowList.length &&
      allowList.every((ip) => allowListAfterChurn.includes(ip));
    say(`\n${output.style('bold', 'Allow-list now:')} ${same ? 'unchanged' : 'CHANGED'}`);
    say(allowListAfterChurn.map((ip) => `  ${ip}`).join('\n'));
    say('The spare is in use now; --max-ips 5 stops a top-up. To keep one ready, allocate a sixth IP with');
    say(
      '`lambda-static-ip apply --pool demo --allocate --spares 1 --max-ips 6` and allow-list it before it is needed.',
    );

    controller.stop();
    const until = sim.clock.now();
    const downtimeMs: Record<string, number> = {};
    for (const name of sim.functionNames()) downtimeMs[name] = sim.timeline.downtimeMs(name, until);
    say(
      `\nEgress downtime on the virtual clock, measured from each function's creation (${controller.invocations} controller runs): ${Object.entries(
        downtimeMs,
      )
        .map(([name, ms]) => `${name} ${ms / 1000} s`)
        .join(', ')}.`,
    );
    say('Every IP the functions used was in the allow-list from the start: vendors never had to change it.');
    say('\nCleaning up the local AWS.');
    return {
      pool: POOL,
      allowList,
      allowListAfterChurn,
      steps,
      downtimeMs,
      controllerRuns: controller.invocations,
    };
  } finally {
    await aws.stop();
  }
}

async function ips(clients: AwsClients): Promise<string[]> {
  return (await describePoolAddresses(clients.ec2, POOL)).map((address) => address.publicIp).sort();
}
