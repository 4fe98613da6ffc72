import { describePoolAddresses } from '../src/aws/addresses.js';
import type { AwsClients } from '../src/aws/clients.js';
import type { Output } from '../src/cli/output.js';
import { renderTable } from '../src/cli/table.js';
import { POOL_TAG_KEY } from '../src/core/pool.js';
import { reconcile } from '../src/reconcile/reconcile.js';
import { createVpcFixture } from './fixtures.js';
import { LambdaSimulator } from './lambda-simulator.js';
import { startLocalAws } from './local-aws.js';

const POOL = 'demo';
const SWITCH_MS = 90_000;

export interface DemoResult {
  readonly pool: string;
  readonly allowList: readonly string[];
  readonly allowListAfterChurn: readonly string[];
  readonly steps: readonly { readonly title: string; readonly egress: Record<string, readonly string[]> }[];
  readonly downtimeMs: Record<string, number>;
}

/**
 * The README's first command: a pool on a local AWS, bound, then Lambda replacing and adding ENIs,
 * and the allow-list staying the same throughout. Everything runs on the test bed and is cleaned up.
 */
export async function runDemo(output: Output): Promise<DemoResult> {
  const say = (text: string) => output.line(text);

  say('Starting a local AWS (moto with fidelity patches) and the Lambda service simulator...');
  const aws = await startLocalAws({ eipQuota: 10 });
  try {
    const clients = aws.clients();
    const vpc = await createVpcFixture(clients.ec2, {
      publicSubnets: 2,
      privateSubnets: 0,
      securityGroups: 2,
      name: 'demo',
    });
    const [sgApi, sgReports] = vpc.securityGroupIds as [string, string];
    const sim = new LambdaSimulator({ localAws: aws, timings: { eniSwitchMs: SWITCH_MS } });
    const poolTag = { [POOL_TAG_KEY]: POOL };
    const reconcileNow = () =>
      reconcile(clients, { pool: POOL, allocate: true, maxIps: 5, spares: 1 }, {}).then(() => sim.sample());

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
    // The controller's event path binds new ENIs as soon as Lambda creates them; here we run the same
    // reconcile right away, then let Lambda finish (virtual time).
    await reconcileNow();
    await sim.advance(SWITCH_MS);

    const steps: DemoResult['steps'][number][] = [];
    const snapshot = async (title: string) => {
      const egress: Record<string, string[]> = {};
      for (const name of sim.functionNames()) {
        const result = await sim.invoke(name);
        egress[name] = result.ok ? result.egressIps.map((ip) => ip ?? 'NONE') : [result.error];
      }
      steps.push({ title, egress });
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
      '\nApplying the pool (--allocate --spares 1 --max-ips 5): each of the 4 ENIs gets a tagged Elastic IP,',
    );
    say('and one more is kept free as a spare, so the next new ENI is bound at once.');
    const allowList = await ips(clients);
    say(`\n${output.style('bold', 'Allow-list to give your vendors')} (lambda-static-ip ips --pool demo):`);
    say(allowList.map((ip) => `  ${ip}`).join('\n'));
    await snapshot('1. Bound: each function egresses from a pool IP');

    say('\nTwo weeks pass without an invocation of "reports": Lambda reclaims its ENIs (Inactive, Idle).');
    await sim.idleReclaim('reports');
    say('The next invoke fails with ResourceNotReadyException and Lambda creates NEW ENIs, with no IP.');
    await sim.invoke('reports');
    await reconcileNow();
    await sim.advance(SWITCH_MS);
    await snapshot('2. After idle reclaim: new ENI ids, the same IPs (each subnet gets back the IP it had)');

    say('\nTraffic on "checkout" passes 65,000 connections: Lambda adds a second ENI to its combination.');
    await sim.scaleOut('checkout', vpc.publicSubnetIds[0]);
    await reconcileNow();
    await sim.advance(SWITCH_MS);
    await reconcileNow();
    await snapshot('3. After scale-out: the new ENI took the spare IP, already in the allow-list');

    const allowListAfterChurn = await ips(clients);
    const same = allowListAfterChurn.join() === allowList.join();
    say(`\n${output.style('bold', 'Allow-list now:')} ${same ? 'unchanged' : 'CHANGED'}`);
    say(allowListAfterChurn.map((ip) => `  ${ip}`).join('\n'));
    say('The spare is in use now; --max-ips 5 stops a top-up. To keep one ready, allocate a sixth IP with');
    say(
      '`lambda-static-ip apply --pool demo --allocate --spares 1 --max-ips 6` and allow-list it before it is needed.',
    );

    const until = sim.clock.now();
    const downtimeMs: Record<string, number> = {};
    for (const name of sim.functionNames()) downtimeMs[name] = sim.timeline.downtimeMs(name, until);
    say(
      `\nEgress downtime on the virtual clock: ${Object.entries(downtimeMs)
        .map(([name, ms]) => `${name} ${ms / 1000} s`)
        .join(', ')}.`,
    );
    say('Every IP the functions used was in the allow-list from the start: vendors never had to change it.');
    say('\nCleaning up the local AWS.');
    return { pool: POOL, allowList, allowListAfterChurn, steps, downtimeMs };
  } finally {
    await aws.stop();
  }
}

async function ips(clients: AwsClients): Promise<string[]> {
  return (await describePoolAddresses(clients.ec2, POOL)).map((address) => address.publicIp);
}
