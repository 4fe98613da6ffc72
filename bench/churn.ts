import { renderTable } from '../src/cli/table.js';
import {
  CHURN_SCENARIOS,
  type ChurnModel,
  type ChurnResult,
  DEFAULT_CHURN_MODEL,
  type LocalAws,
  runChurnScenario,
} from '../testbed/index.js';

export interface ChurnReport {
  readonly model: ChurnModel;
  readonly churn: ChurnResult[];
}

/** Every churn scenario under each of its settings, on the virtual clock with the real controller. */
export async function runChurn(aws: LocalAws, log: (line: string) => void): Promise<ChurnReport> {
  const churn: ChurnResult[] = [];
  for (const scenario of CHURN_SCENARIOS) {
    for (const settings of scenario.settings) {
      const result = await runChurnScenario(aws, scenario, settings);
      log(
        `churn: ${scenario.name}, spares ${settings.spares}${settings.eventsLost ? ', events lost' : ''}: ${result.downtimeMs / 1000} s down`,
      );
      churn.push(result);
    }
  }
  return { model: DEFAULT_CHURN_MODEL, churn };
}

export function renderChurn(report: ChurnReport): string {
  const { model } = report;
  return [
    `Churn: egress downtime (max over functions) on the virtual clock; events arrive after ${model.eventDelayMs / 1000} s, ` +
      `traffic moves to a new ENI ${model.eniSwitchMs / 1000} s after Lambda creates it, resync every ${model.scheduleMs / 1000} s, ` +
      `observed for ${model.horizonMs / 60_000} min after the change`,
    renderTable(
      [
        'SCENARIO',
        'SPARES',
        'EVENTS',
        'DOWNTIME',
        'AWS CALLS',
        'INVOCATIONS',
        'IPS TAKEN FROM SERVING ENIS',
        'POOL IPS',
      ],
      report.churn.map((row) => [
        row.name,
        `${row.spares}${row.allocate ? ' (+allocate)' : ''}`,
        row.eventsLost ? 'lost' : 'delivered',
        `${row.downtimeMs / 1000} s`,
        String(row.awsCalls),
        String(row.controllerInvocations),
        String(row.ipsTakenFromServingEnis),
        row.poolIpsAfter === row.poolIpsBefore
          ? String(row.poolIpsAfter)
          : `${row.poolIpsBefore} -> ${row.poolIpsAfter}`,
      ]),
    ),
  ].join('\n');
}
