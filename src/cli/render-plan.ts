import {
  type Action,
  type AddressView,
  type EniView,
  type Plan,
  type Problem,
  SEVERITY_RANK,
  type Severity,
} from '../core/plan.js';
import type { AppliedAction, FailedAction } from '../reconcile/reconcile.js';
import type { Output } from './output.js';
import { renderTable } from './table.js';

/** The JSON shape of one planned action: every binding names its address, ENI and subnet (null when not known yet). */
export function actionJson(action: Action): Record<string, unknown> {
  switch (action.kind) {
    case 'associate':
      return {
        kind: action.kind,
        allocationId: action.allocationId,
        publicIp: action.publicIp,
        networkInterfaceId: action.networkInterfaceId,
        subnetId: action.subnetId,
        reason: action.reason,
      };
    case 'move':
      return {
        kind: action.kind,
        allocationId: action.allocationId,
        publicIp: action.publicIp,
        networkInterfaceId: action.networkInterfaceId,
        subnetId: action.subnetId,
        fromNetworkInterfaceId: action.fromNetworkInterfaceId,
      };
    case 'allocate':
      return {
        kind: action.kind,
        purpose: action.purpose,
        allocationId: null,
        publicIp: null,
        networkInterfaceId: action.networkInterfaceId ?? null,
        subnetId: action.subnetId ?? null,
      };
  }
}

export function appliedJson(outcome: AppliedAction): Record<string, unknown> {
  return { ...actionJson(outcome.action), allocationId: outcome.allocationId, publicIp: outcome.publicIp };
}

export function failedJson(failure: FailedAction): Record<string, unknown> {
  return {
    ...actionJson(failure.action),
    code: failure.code,
    message: failure.message,
    race: failure.race,
    endState: failure.endState,
    ...(failure.allocated ? { allocated: failure.allocated } : {}),
  };
}

/** The plan as the `plan` command's JSON document (apply adds its outcome to the same shape). */
export function planJson(plan: Plan): Record<string, unknown> {
  return {
    pool: plan.pool,
    region: plan.region,
    actions: plan.actions.map(actionJson),
    unchanged: plan.unchanged,
    problems: plan.problems,
    spares: plan.spares,
    enis: plan.enis,
    addresses: plan.addresses,
  };
}

export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'associate':
      return `bind ${action.publicIp} to ${action.networkInterfaceId} (${action.subnetId})${action.reason === 'last-subnet' ? ', the IP this subnet had before' : ''}`;
    case 'move':
      return `move ${action.publicIp} from retired ${action.fromNetworkInterfaceId} to ${action.networkInterfaceId} (${action.subnetId})`;
    case 'allocate':
      return action.purpose === 'spare'
        ? 'allocate a spare IP for the pool'
        : `allocate a new pool IP for ${action.networkInterfaceId} (${action.subnetId})`;
  }
}

export function renderActions(actions: readonly Action[]): string {
  if (actions.length === 0) return 'No changes planned.';
  return renderTable(
    ['ACTION', 'IP', 'ENI', 'SUBNET', 'DETAIL'],
    actions.map((action) => [
      action.kind,
      action.kind === 'allocate' ? '(new)' : action.publicIp,
      action.networkInterfaceId ?? '-',
      action.subnetId ?? '-',
      action.kind === 'move'
        ? `from retired ${action.fromNetworkInterfaceId}`
        : action.kind === 'associate'
          ? action.reason === 'last-subnet'
            ? 'same IP as before in this subnet'
            : 'free pool IP'
          : action.purpose === 'spare'
            ? 'spare'
            : 'pool has none free',
    ]),
  );
}

/** What apply did, with the addresses allocations turned out to get. */
export function renderApplied(outcomes: readonly AppliedAction[]): string {
  return renderTable(
    ['DONE', 'IP', 'ALLOCATION', 'ENI', 'SUBNET'],
    outcomes.map((outcome) => [
      outcome.action.kind === 'allocate' && outcome.action.purpose === 'spare'
        ? 'allocate (spare)'
        : outcome.action.kind,
      outcome.publicIp,
      outcome.allocationId,
      outcome.networkInterfaceId ?? '-',
      outcome.subnetId ?? '-',
    ]),
  );
}

const SEVERITY_STYLE = { error: 'red', warning: 'yellow', info: 'dim' } as const;

/** `error SomeCode`, `warning SomeCode` or `info SomeCode`, coloured by severity: how problems and findings start. */
export function severityLabel(severity: Severity, code: string, output: Output): string {
  return output.style(SEVERITY_STYLE[severity], `${severity} ${code}`);
}

/** Problems, errors first, one per line. */
export function renderProblems(problems: readonly Problem[], output: Output): string {
  return [...problems]
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])
    .map((problem) => `${severityLabel(problem.severity, problem.code, output)}: ${problem.message}`)
    .join('\n');
}

export function renderEnis(enis: readonly EniView[]): string {
  if (enis.length === 0) return 'No Lambda ENIs for the pool yet.';
  return renderTable(
    ['ENI', 'SUBNET', 'AZ', 'SECURITY GROUPS', 'FUNCTIONS', 'IP', 'STATE'],
    enis.map((eni) => [
      eni.networkInterfaceId,
      eni.subnetId,
      eni.availabilityZone,
      eni.securityGroupIds.join(','),
      [
        ...eni.poolFunctions,
        ...eni.keepers.map((name) => `${name} (keeper)`),
        ...eni.otherFunctions.map((name) => `${name} (not in pool)`),
      ].join(', ') || '-',
      eni.publicIp ?? '-',
      eniState(eni),
    ]),
  );
}

function eniState(eni: EniView): string {
  if (eni.role === 'retired') return 'retired (no function uses it)';
  if (eni.role === 'unused') return 'unused (an update may be in flight)';
  if (eni.role === 'outside') return 'outside the pool';
  if (!eni.subnetPublic) return 'not public: not bound';
  if (eni.address === 'pool') return 'bound';
  if (eni.address === 'foreign') return 'foreign IP';
  return 'NO IP';
}

export function renderAddresses(addresses: readonly AddressView[]): string {
  if (addresses.length === 0) return 'The pool has no Elastic IPs.';
  return renderTable(
    ['IP', 'ALLOCATION', 'STATE', 'ENI', 'SUBNET', 'LAST SUBNET'],
    addresses.map((address) => [
      address.publicIp,
      address.allocationId,
      address.state,
      address.networkInterfaceId ?? '-',
      address.subnetId ?? '-',
      address.lastSubnetId ?? '-',
    ]),
  );
}

export function renderSpares(plan: Plan): string {
  const { wanted, available, neededForZeroDowntimeChange } = plan.spares;
  return `Spares: ${available} IP(s) ready for new ENIs (asked for ${wanted}); a zero-downtime VPC change of every pool function at once needs ${neededForZeroDowntimeChange}.`;
}

/** The whole plan, for humans: changes, then problems, then spares. */
export function renderPlan(plan: Plan, output: Output): string {
  const parts = [
    output.style(
      'bold',
      `Pool "${plan.pool}" in ${plan.region}: ${plan.actions.length} change(s), ${plan.unchanged.length} ENI(s) already bound.`,
    ),
    renderActions(plan.actions),
  ];
  if (plan.problems.length > 0) parts.push(renderProblems(plan.problems, output));
  parts.push(renderSpares(plan));
  return parts.join('\n\n');
}
