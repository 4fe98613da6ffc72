import { Command, Option } from 'commander';
import { InputError } from '../../core/errors.js';
import type { SwitchReadiness, SwitchTarget } from '../../core/switch-readiness.js';
import type { RegisterCommand } from '../command.js';
import { warnAboutController } from '../controller-warning.js';
import { errorMember } from '../error-document.js';
import { ExitCode } from '../exit-codes.js';
import { wholeNumber } from '../options.js';
import { addPoolOptions, type PoolCommandOptions, reconcileRequest } from '../pool-options.js';

interface SwitchCheckOptions extends PoolCommandOptions {
  readonly to: SwitchTarget;
  readonly gateways?: number;
  readonly enis?: number;
}

export const registerSwitchCheck: RegisterCommand = (program, run) => {
  const command = addPoolOptions(
    new Command('switch-check').description(
      "check whether the pool's functions can move to NAT gateway egress (or back to Hyperplane binding) without an interruption, and print the steps; changes nothing",
    ),
  )
    .addOption(
      new Option('--to <strategy>', 'nat: to NAT gateways; hyperplane: back to Elastic IPs on Lambda ENIs')
        .choices(['nat', 'hyperplane'])
        .makeOptionMandatory(),
    )
    .option(
      '--gateways <n>',
      "with --to nat: NAT gateways to create (default: one per zone of the pool functions' subnets, as mode zonal)",
      wholeNumber(1, 100),
    )
    .option(
      '--enis <n>',
      "with --to hyperplane: Lambda ENIs to bind after the move (default: the named functions' subnet and security-group combinations)",
      wholeNumber(1, 1000),
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 the switch is possible (the JSON's path says whether without interruption: "spares", or
after freeing IPs: "free-first"); 1 the pool is too small for the target; 2 bad input. The procedures:
docs/switching.md.`,
    )
    .action(async (options: SwitchCheckOptions, self: Command) =>
      run(self, async ({ clients, output }) => {
        const misplaced = options.to === 'nat' ? options.enis : options.gateways;
        if (misplaced !== undefined) {
          throw new InputError(
            'ContradictoryOptions',
            options.to === 'nat'
              ? '--enis counts Lambda ENIs for --to hyperplane; for --to nat give --gateways'
              : '--gateways counts NAT gateways for --to nat; for --to hyperplane give --enis',
          );
        }
        const aws = await clients();
        output.startProgress(`observing pool "${options.pool}"`);
        const { reconcile } = await import('../../reconcile/reconcile.js');
        const { switchReadiness } = await import('../../core/switch-readiness.js');
        let zones = 0;
        const result = await reconcile(aws, reconcileRequest(options), {
          dryRun: true,
          onEvent: (event) => {
            if (event.type === 'observed')
              zones = new Set(event.observation.subnets.map((subnet) => subnet.availabilityZone)).size;
          },
        });
        const plan = result.initialPlan;
        const needed =
          options.to === 'nat'
            ? (options.gateways ?? Math.max(zones, 1))
            : (options.enis ?? plan.spares.neededForZeroDowntimeChange);
        if (needed === 0) {
          throw new InputError(
            'NothingToSwitch',
            `pool "${options.pool}" names no function to move back: name them with --function (they left the pool when they moved to NAT gateways), or give --enis`,
          );
        }
        const readiness = switchReadiness(plan, options.to, needed);
        const controllers =
          options.to === 'nat' && readiness.path === 'free-first'
            ? await warnAboutController(aws, options.pool, output, 'the IPs you unbind')
            : undefined;
        const steps = switchSteps(readiness);
        const failure =
          readiness.path === 'too-small'
            ? errorMember(
                'PoolTooSmall',
                `pool "${options.pool}" is too small to switch to ${options.to}: ${steps[0]}`,
              )
            : {};
        output.result({ ...readiness, steps, controllers: controllers ?? null, ...failure }, () =>
          renderReadiness(readiness, steps),
        );
        return readiness.path === 'too-small' ? ExitCode.Failure : ExitCode.Ok;
      }),
    );
  program.addCommand(command);
};

function switchSteps(readiness: SwitchReadiness): string[] {
  const { pool, needed } = readiness;
  const ids = readiness.take.map((address) => address.allocationId).join(', ');
  const reserveFlags = readiness.take.map((address) => `--reserve ${address.allocationId}`).join(' ');
  if (readiness.path === 'too-small') {
    return [
      `Add ${needed - readiness.free.length - readiness.freeable} IP(s) to pool "${pool}" (vendors must allow-list them first), then check again.`,
    ];
  }
  if (readiness.to === 'nat') {
    return readiness.path === 'spares'
      ? [
          `Reserve these free pool IPs for the gateways, in a deployment of their own: ${ids}. Keep HyperplaneEgress, have the StaticIpPool list them first (existingAllocationIds, in this order) and claim them where NatGatewayEgress will be constructed (pool.claim(placeholder, ${needed})); a scheduled apply takes ${reserveFlags}. \`lambda-static-ip status --pool ${pool} ${reserveFlags}\` must then show them reserved.`,
          "Deploy NatGatewayEgress in the placeholder's place: its gateways take the reserved IPs, which nothing binds any more. Nothing changes for the functions yet.",
          `Deploy the functions in the private subnets (the NAT gateways' routes), and in the same deployment take them out of pool "${pool}" (remove HyperplaneEgress, or untag them and stop running apply). Lambda keeps traffic on the bound ENIs until it switches: no interruption.`,
          'Lambda deletes the old ENIs later (up to 20 minutes or more): their IPs come back free, as spares.',
        ]
      : [
          `Remove HyperplaneEgress and deploy (its Delete unbinds the pool), or run \`lambda-static-ip unbind --pool ${pool} --yes\`: egress stops here.`,
          `Deploy NatGatewayEgress (${needed} gateway(s)) with the functions in its private subnets, in one deployment (functions depending on internetConnectivityEstablished).`,
          'Egress resumes when Lambda switches the functions to their new ENIs: expect minutes (NAT gateway creation, then the function update).',
        ];
  }
  return readiness.path === 'spares'
    ? [
        `Deploy HyperplaneEgress for pool "${pool}" on the same StaticIpPool as NatGatewayEgress (it leaves the gateways' IPs to them), without the functions to move (or plan to run \`lambda-static-ip apply\` yourself).`,
        `Deploy the functions in public subnets (allowPublicSubnet: true) and add them to the pool in the same deployment; the controller, or \`lambda-static-ip apply --pool ${pool} --yes\` run while the update is in progress, binds their new ENIs to the ${readiness.free.length} free IP(s) before Lambda switches traffic.`,
        'Remove NatGatewayEgress and deploy: the gateways are deleted and their IPs come back free, as spares.',
      ]
    : [
        'Deploy the functions in public subnets (allowPublicSubnet: true) and remove NatGatewayEgress, in one deployment: the gateways are deleted after the functions switched, and egress stops at the switch.',
        `Deploy HyperplaneEgress with the functions (or run \`lambda-static-ip apply --pool ${pool} --function … --yes\`): it binds the freed IPs and egress resumes. Expect minutes.`,
      ];
}

function renderReadiness(readiness: SwitchReadiness, steps: readonly string[]): string {
  const target = readiness.to === 'nat' ? 'NAT gateway egress' : 'Hyperplane binding';
  const verdict =
    readiness.path === 'spares'
      ? `possible without an interruption: ${readiness.free.length} free IP(s) for ${readiness.needed} needed`
      : readiness.path === 'free-first'
        ? `possible after freeing IPs: ${readiness.free.length} free IP(s) for ${readiness.needed} needed, so egress stops for minutes`
        : `not possible: ${readiness.needed} IP(s) needed, at most ${readiness.free.length + readiness.freeable} can be freed`;
  return [
    `Pool "${readiness.pool}" in ${readiness.region}, switch to ${target}: ${verdict}.`,
    `IPs: ${readiness.free.length} free, ${readiness.onLambdaEnis} on Lambda ENIs, ${readiness.onNatGateways} on NAT gateways, ${readiness.onNatInstances} on NAT instances, ${readiness.onLoadBalancers} on load balancers, ${readiness.unavailable} unavailable.`,
    '',
    ...steps.map((step, index) => `${index + 1}. ${step}`),
    '',
    'Details: docs/switching.md.',
  ].join('\n');
}
