import { expect, it } from 'vitest';
import {
  type ChurnScenario,
  type ChurnSettings,
  DEFAULT_CHURN_MODEL,
  type LocalAws,
  runChurnScenario,
} from '../../testbed/index.js';

/** The update watch's default poll interval (LSI_UPDATE_POLL_SECONDS). */
const WATCH_POLL_MS = 5_000;

/** What the zero-downtime issue promises for a setting, on the virtual clock. */
function allowedDowntimeMs(scenario: ChurnScenario, settings: ChurnSettings): number {
  const newEnisCovered =
    settings.spares > 0 || settings.allocate === true || scenario.name !== 'security-group change';
  if (newEnisCovered) return 0;
  // Spares 0, and new ENIs that need the IPs the old ENIs hold until Lambda switches traffic.
  return settings.eventsLost ? DEFAULT_CHURN_MODEL.scheduleMs : WATCH_POLL_MS;
}

/** One test per setting of the scenario: safety, convergence, downtime bound, fixed allow-list. */
export function churnTests(localAws: () => LocalAws, scenario: ChurnScenario): void {
  it.each(scenario.settings.map((settings) => [JSON.stringify(settings), settings] as const))(
    'with %s: never takes an IP off a serving ENI, converges, and stays within its downtime bound',
    async (_label, settings) => {
      const result = await runChurnScenario(localAws(), scenario, settings);
      expect(result.ipsTakenFromServingEnis).toBe(0);
      expect(result.converged).toBe(true);
      expect(result.downtimeMs).toBeLessThanOrEqual(allowedDowntimeMs(scenario, settings));
      if (!settings.allocate) expect(result.poolIpsAfter).toBe(result.poolIpsBefore);
    },
  );
}
