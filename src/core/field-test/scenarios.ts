import { InputError } from '../errors.js';

/** A function of a scenario: its name suffix, the subnets it uses (the first `subnets` of the VPC) and its security group. */
export interface FieldTestFunctionPlacement {
  /** `api` or `worker`; the deployed name is `lsi-ft-<run-id>-<scenario index>-<role>`. */
  readonly role: 'api' | 'worker';
  /** How many of the test VPC's subnets, from the first. */
  readonly subnets: number;
  /** Which of the scenario's two security groups (0 or 1). */
  readonly securityGroup: 0 | 1;
}

/** The change a scenario makes once its functions serve from pool IPs. */
export type FieldTestChange =
  | { readonly kind: 'none' }
  | { readonly kind: 'update'; readonly placement: FieldTestFunctionPlacement }
  | { readonly kind: 'delete'; readonly role: 'api' | 'worker' };

/** One scenario the field test can trigger in a real account: plain data, interpreted by the runner. */
export interface FieldTestScenario {
  readonly id: string;
  readonly title: string;
  /** What the scenario shows, for the report. */
  readonly expectation: string;
  /** Free pool IPs kept ready for it (the rest of the run's pool is held back with `reserved`). */
  readonly spares: number;
  readonly functions: readonly FieldTestFunctionPlacement[];
  readonly change: FieldTestChange;
  /** A gap without egress is the expected outcome (the scenario shows why spares exist). @default false */
  readonly expectsGap?: boolean;
  /**
   * Before an `update`, the run makes the keepers of the new placement (one per subnet, as `prepare`
   * does) and waits until their ENIs hold pool IPs, as `prepare --wait`; the function then moves onto
   * those ENIs. @default false
   */
  readonly keeper?: boolean;
}

const api = (subnets: number, securityGroup: 0 | 1): FieldTestFunctionPlacement => ({
  role: 'api',
  subnets,
  securityGroup,
});

/** Every scenario, in the order a run makes them. */
export const FIELD_TEST_SCENARIOS: readonly FieldTestScenario[] = [
  {
    id: 'first-bind',
    title: 'first bind',
    expectation: 'a new function in 2 subnets serves from pool IPs from its first invocation',
    spares: 0,
    functions: [api(2, 0)],
    change: { kind: 'none' },
  },
  {
    id: 'sg-change',
    title: 'security-group change, no spares',
    expectation:
      'the function moves to another security group: 2 new ENIs, no free IP until the old ENIs retire; a gap is expected',
    spares: 0,
    functions: [api(2, 0)],
    change: { kind: 'update', placement: api(2, 1) },
    expectsGap: true,
  },
  {
    id: 'sg-change-spares',
    title: 'security-group change, 2 spares',
    expectation: 'the new ENIs take the spares before they carry traffic: no gap',
    spares: 2,
    functions: [api(2, 0)],
    change: { kind: 'update', placement: api(2, 1) },
  },
  {
    id: 'sg-change-keeper',
    title: 'security-group change, with a keeper (prepare)',
    expectation:
      "prepare's keepers create the new ENIs ahead of the change and they are bound first: the function moves onto them, no gap, no spare needed",
    spares: 0,
    functions: [api(2, 0)],
    change: { kind: 'update', placement: api(2, 1) },
    keeper: true,
  },
  {
    id: 'subnet-added',
    title: 'subnet added',
    expectation: 'a third subnet: one new ENI, bound from the spare before it carries traffic',
    spares: 1,
    functions: [api(2, 0)],
    change: { kind: 'update', placement: api(3, 0) },
  },
  {
    id: 'function-deleted',
    title: 'function deleted, ENIs shared',
    expectation: 'one of two functions sharing ENIs is deleted: the other keeps its ENIs and IPs, no gap',
    spares: 0,
    functions: [api(2, 0), { role: 'worker', subnets: 2, securityGroup: 0 }],
    change: { kind: 'delete', role: 'api' },
  },
];

/** What Lambda does on its own and no API call can make happen: listed in every report, never run. */
export const UNFORCEABLE_SCENARIOS: readonly { readonly id: string; readonly reason: string }[] = [
  {
    id: 'idle-reclaim',
    reason:
      'Lambda reclaims the ENIs of a function left uninvoked for weeks; no API starts it. The local test bed and `npm run bench` simulate it',
  },
  {
    id: 'scale-out',
    reason:
      'Lambda adds an ENI past about 65,000 connections on one; a field test cannot drive that load cheaply. The test bed and the bench simulate it',
  },
];

/** The subnets the run's VPC needs: the most any selected scenario uses. */
export function subnetsNeeded(scenarios: readonly FieldTestScenario[]): number {
  const counts = scenarios.flatMap((scenario) => [
    ...scenario.functions.map((fn) => fn.subnets),
    scenario.change.kind === 'update' ? scenario.change.placement.subnets : 0,
  ]);
  return Math.max(2, ...counts);
}

/** The pool's size: the most IPs any scenario binds at once (`ipsNeeded`). */
export function poolSizeNeeded(scenarios: readonly FieldTestScenario[]): number {
  return Math.max(0, ...scenarios.map(ipsNeeded));
}

/** A scenario's pool IPs: its functions' ENIs before the change, its spares, and its keepers' ENIs. */
export function ipsNeeded(scenario: FieldTestScenario): number {
  return enisBeforeChange(scenario) + scenario.spares + keeperEnis(scenario);
}

/** The ENIs a scenario's keepers hold: one per subnet of the new placement (one keeper each). */
export function keeperEnis(scenario: FieldTestScenario): number {
  return scenario.keeper === true && scenario.change.kind === 'update'
    ? scenario.change.placement.subnets
    : 0;
}

/** ENIs a scenario's functions use before its change: one per (subnet, security group), shared. */
export function enisBeforeChange(scenario: FieldTestScenario): number {
  const combinations = new Set<string>();
  for (const fn of scenario.functions) {
    for (let subnet = 0; subnet < fn.subnets; subnet++) combinations.add(`${subnet}/${fn.securityGroup}`);
  }
  return combinations.size;
}

/**
 * The scenarios `--scenarios` names (comma-separated ids, or `all`), in run order. An unknown id is bad
 * input naming the known ones.
 */
export function selectScenarios(list: string | undefined): FieldTestScenario[] {
  const ids =
    list === undefined || list.trim() === 'all'
      ? FIELD_TEST_SCENARIOS.map((scenario) => scenario.id)
      : list
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== '');
  const known = FIELD_TEST_SCENARIOS.map((scenario) => scenario.id);
  for (const id of ids) {
    if (known.includes(id)) continue;
    const unforceable = UNFORCEABLE_SCENARIOS.find((scenario) => scenario.id === id);
    throw new InputError(
      'InvalidOptionValue',
      unforceable
        ? `--scenarios ${id}: ${unforceable.reason}; pick from ${known.join(', ')}`
        : `--scenarios: unknown scenario "${id}"; pick from ${known.join(', ')} (or all)`,
    );
  }
  if (ids.length === 0) {
    throw new InputError(
      'InvalidOptionValue',
      `--scenarios is empty; pick from ${known.join(', ')} (or all)`,
    );
  }
  return FIELD_TEST_SCENARIOS.filter((scenario) => ids.includes(scenario.id));
}
